import type { KernelSymbol } from "../machine/kernel-symbols.js";

/**
 * `System.map` (`ffffffff81000000 T _stext`) or, with `kallsyms`, `/proc/kallsyms`, whose module
 * symbols end in `\t[module]` (formats.md §4). Sorted by address as both files are.
 */
export function writeSystemMap(symbols: readonly KernelSymbol[], options: { kallsyms?: boolean } = {}): string {
  const sorted = [...symbols].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  let out = "";
  for (const s of sorted) {
    if (s.module && !options.kallsyms) continue; // System.map describes vmlinux only
    out += s.address.toString(16).padStart(16, "0") + " " + s.type + " " + s.name + (s.module && options.kallsyms ? "\t[" + s.module + "]" : "") + "\n";
  }
  return out;
}
