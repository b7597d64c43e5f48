/**
 * The marked hex excerpt of the report: `hexdump -C` layout, the corrupted bytes' first and last
 * byte bracketed, and a `>` gutter on every line that holds corrupted bytes, so the bounds read at
 * a glance in a plain code block (GitHub renders no colour inside one).
 */
export interface ExcerptInput {
  base: bigint;
  bytes: Uint8Array;
  start: bigint;
  end: bigint;
}

const printable = (b: number) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".");

export function renderHexExcerpt({ base, bytes, start, end }: ExcerptInput): string {
  const lines: string[] = [];
  const width = Math.max(8, (base + BigInt(bytes.length)).toString(16).length);
  for (let off = 0; off < bytes.length; off += 16) {
    const lineAddr = base + BigInt(off);
    let hexPart = "";
    let ascii = "";
    let touched = false;
    for (let i = 0; i < 16; i++) {
      const idx = off + i;
      const addr = lineAddr + BigInt(i);
      const inside = addr >= start && addr < end;
      touched ||= inside && idx < bytes.length;
      // The separator before a byte: '[' opens the region, ']' closes it after its last byte.
      let sep = i === 8 ? "  " : " ";
      if (addr === start) sep = i === 8 ? " [" : "[";
      else if (addr === end) sep = i === 8 ? " ]" : "]";
      hexPart += sep + (idx < bytes.length ? bytes[idx].toString(16).padStart(2, "0") : "  ");
      if (idx < bytes.length) ascii += printable(bytes[idx]);
    }
    const closesAtEol = lineAddr + 16n === end;
    lines.push(`${touched ? ">" : " "} ${lineAddr.toString(16).padStart(width, "0")} ${hexPart}${closesAtEol ? "]" : " "} |${ascii}|`);
  }
  return lines.join("\n");
}

export function bytesFromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, "hex"));
}
