/**
 * Writes `hexdump -C` text (formats.md §3) as `hexdump -C -s ADDR -n LEN /dev/mem` prints it:
 * absolute offsets of at least 8 hex digits, 16 bytes a line in two groups of 8, the ASCII
 * column between bars, a `*` line for each run of lines equal to the one before (hexdump's
 * squeezing, which is what makes real dumps of poisoned pages short), and the end offset alone
 * on the last line. The simulator uses it to produce realistic memory artifacts; the memory
 * reader must round-trip it.
 */
export interface HexdumpOptions {
  /** Squeeze repeated lines into `*` as hexdump does by default (`-v` turns it off). Default true. */
  squeeze?: boolean;
}

export function writeHexdump(address: bigint, bytes: Uint8Array, options: HexdumpOptions = {}): string {
  const squeeze = options.squeeze ?? true;
  const out: string[] = [];
  let squeezing = false;
  for (let off = 0; off < bytes.length; off += 16) {
    const n = Math.min(16, bytes.length - off);
    if (squeeze && n === 16 && off >= 16 && sameLine(bytes, off - 16, off)) {
      if (!squeezing) out.push("*");
      squeezing = true;
      continue;
    }
    squeezing = false;
    let hexPart = "";
    let ascii = "";
    for (let i = 0; i < 16; i++) {
      if (i === 8) hexPart += " ";
      if (i < n) {
        const b = bytes[off + i];
        hexPart += HEX2[b] + " ";
        ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".";
      } else {
        hexPart += "   ";
      }
    }
    out.push(`${offsetText(address + BigInt(off))}  ${hexPart} |${ascii}|`);
  }
  out.push(offsetText(address + BigInt(bytes.length)));
  return out.join("\n") + "\n";
}

function sameLine(bytes: Uint8Array, a: number, b: number): boolean {
  for (let i = 0; i < 16; i++) if (bytes[a + i] !== bytes[b + i]) return false;
  return true;
}

function offsetText(offset: bigint): string {
  return offset.toString(16).padStart(8, "0");
}

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
