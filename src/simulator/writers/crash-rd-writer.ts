import type { Endianness } from "../../analysis/model/machine.js";

/**
 * Writes the crash utility's `rd` output (formats.md §3), as `rd -p -8 ADDR N` (bytes) or
 * `rd -p -64 ADDR N` / `rd -32` / `rd -16` (words) print it: the address right-aligned in 16
 * columns, `:  `, the values, three spaces and the ASCII of the bytes in memory order. Word
 * values are printed in the dumped system's byte order, which is why readers need the machine's
 * endianness to turn them back into bytes. The simulator uses it for realistic artifacts.
 */
export interface CrashRdOptions {
  /** Bytes per value: 1 (rd -8), 2 (-16), 4 (-32) or 8 (-64, crash's default on 64-bit). Default 8. */
  width?: 1 | 2 | 4 | 8;
  /** Byte order of the dumped system, for word widths. Default little. */
  endianness?: Endianness;
}

export function writeCrashRd(address: bigint, bytes: Uint8Array, options: CrashRdOptions = {}): string {
  const width = options.width ?? 8;
  const little = (options.endianness ?? "little") === "little";
  if (bytes.length % width !== 0) throw new RangeError(`rd -${width * 8} dumps whole ${width}-byte values; got ${bytes.length} bytes`);
  const perLine = width === 1 ? 16 : 16 / width;
  const lineBytes = perLine * width;
  const fullWidth = perLine * (width * 2 + 1) - 1;
  const out: string[] = [];
  for (let off = 0; off < bytes.length; off += lineBytes) {
    const n = Math.min(lineBytes, bytes.length - off);
    const values: string[] = [];
    for (let v = 0; v < n; v += width) {
      let text = "";
      for (let i = 0; i < width; i++) {
        const b = bytes[off + v + (little ? width - 1 - i : i)];
        text += b.toString(16).padStart(2, "0");
      }
      values.push(text);
    }
    let ascii = "";
    for (let i = 0; i < n; i++) {
      const b = bytes[off + i];
      ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".";
    }
    const addr = (address + BigInt(off)).toString(16).padStart(16, " ");
    out.push(`${addr}:  ${values.join(" ").padEnd(fullWidth, " ")}   ${ascii}`);
  }
  return out.join("\n") + "\n";
}
