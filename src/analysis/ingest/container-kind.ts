/** Archive and compression formats, recognised by magic bytes only. */
export type ContainerKind = "gzip" | "zip" | "tar";

/** A tar header: 512 bytes whose checksum field matches (POSIX ustar, GNU and old v7 tars). */
function isTarHeader(head: Buffer): boolean {
  if (head.length < 512) return false;
  if (head.toString("latin1", 257, 262) === "ustar") return true;
  // v7 tar has no magic: check the header checksum (bytes 148..155 counted as spaces).
  const field = head.toString("latin1", 148, 156).replace(/\0.*$/s, "").trim();
  if (!/^[0-7]{1,7}$/.test(field)) return false;
  if (head[0] === 0) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : head[i];
  return sum === parseInt(field, 8);
}

export function sniffContainer(head: Buffer): ContainerKind | null {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b) {
    const b2 = head[2];
    const b3 = head[3];
    // local file header, empty archive (end of central directory), spanned archive marker
    if ((b2 === 3 && b3 === 4) || (b2 === 5 && b3 === 6) || (b2 === 7 && b3 === 8)) return "zip";
  }
  if (isTarHeader(head)) return "tar";
  return null;
}
