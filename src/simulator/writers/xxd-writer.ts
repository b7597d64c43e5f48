/**
 * Writes `xxd -o ADDR` text (formats.md §3): `7079f000: 3230 3236 ...  2026-11-23 INFO `, 16
 * bytes a line in 2-byte groups, the ASCII column after two spaces, a short last line padded so
 * its ASCII column lines up. With `autoskip` (xxd -a) a run of all-zero lines becomes one `*`.
 * The simulator uses it for realistic memory artifacts; the xxd reader round-trips it.
 */
export interface XxdOptions {
  /** xxd -a: replace runs of all-zero lines by a single `*`. Default false. */
  autoskip?: boolean;
}

export function writeXxd(address: bigint, bytes: Uint8Array, options: XxdOptions = {}): string {
  const out: string[] = [];
  let skipping = false;
  for (let off = 0; off < bytes.length; off += 16) {
    const n = Math.min(16, bytes.length - off);
    // xxd -a prints the first zero line, a `*` for the rest of the run, and always the last line.
    if (options.autoskip && n === 16 && off >= 16 && off + 16 < bytes.length && isZeroLine(bytes, off) && isZeroLine(bytes, off - 16)) {
      if (!skipping) out.push("*");
      skipping = true;
      continue;
    }
    skipping = false;
    let hexPart = "";
    let ascii = "";
    for (let i = 0; i < 16; i++) {
      if (i > 0 && i % 2 === 0) hexPart += " ";
      if (i < n) {
        const b = bytes[off + i];
        hexPart += HEX2[b];
        ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".";
      } else {
        hexPart += "  ";
      }
    }
    out.push(`${(address + BigInt(off)).toString(16).padStart(8, "0")}: ${hexPart}  ${ascii}`);
  }
  return out.join("\n") + "\n";
}

function isZeroLine(bytes: Uint8Array, off: number): boolean {
  for (let i = 0; i < 16; i++) if (bytes[off + i] !== 0) return false;
  return true;
}

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
