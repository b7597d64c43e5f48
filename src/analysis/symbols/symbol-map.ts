/**
 * System.map and /proc/kallsyms (formats.md §4): "ffffffff81000000 T _stext", kallsyms may add
 * "\t[module]". Sorted once, then looked up by binary search.
 */
export interface ResolvedSymbol {
  name: string;
  /** Bytes past the symbol's start. */
  offset: bigint;
  type: string;
  module: string | null;
}

const LINE = /^([0-9a-fA-F]{8,16})\s+([a-zA-Z])\s+(\S+)(?:\s+\[(\S+)\])?\s*$/;

/** Symbols farther than this past the previous symbol are not a match (a pointer into a gap). */
const MAX_OFFSET = 0x100000n;

export class SymbolMap {
  private readonly addrs: BigUint64Array;
  private readonly names: string[];
  private readonly types: string[];
  private readonly modules: (string | null)[];
  private readonly byName = new Map<string, bigint>();

  private constructor(entries: { addr: bigint; name: string; type: string; module: string | null }[]) {
    entries.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
    this.addrs = BigUint64Array.from(entries.map((e) => e.addr));
    this.names = entries.map((e) => e.name);
    this.types = entries.map((e) => e.type);
    this.modules = entries.map((e) => e.module);
    for (const e of entries) if (!this.byName.has(e.name)) this.byName.set(e.name, e.addr);
  }

  /** Parses System.map or kallsyms text; lines that are not symbols are counted, not fatal. */
  static parse(text: string): { map: SymbolMap; skipped: number } {
    const entries: { addr: bigint; name: string; type: string; module: string | null }[] = [];
    let skipped = 0;
    for (const raw of text.split("\n")) {
      const line = raw.trimEnd();
      if (line === "") continue;
      const m = LINE.exec(line);
      if (!m) {
        skipped++;
        continue;
      }
      const addr = BigInt("0x" + m[1]);
      // kallsyms without privileges prints zero addresses: useless for lookup.
      if (addr === 0n) continue;
      entries.push({ addr, name: m[3], type: m[2], module: m[4] ?? null });
    }
    return { map: new SymbolMap(entries), skipped };
  }

  get size(): number {
    return this.names.length;
  }

  /** The symbol containing `addr`, or null when it lies before the first symbol or in a wide gap. */
  lookup(addr: bigint): ResolvedSymbol | null {
    const a = this.addrs;
    let lo = 0;
    let hi = a.length - 1;
    if (hi < 0 || addr < a[0]) return null;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (a[mid] <= addr) lo = mid;
      else hi = mid - 1;
    }
    const offset = addr - a[lo];
    if (offset > MAX_OFFSET) return null;
    return { name: this.names[lo], offset, type: this.types[lo], module: this.modules[lo] };
  }

  /** Address of a symbol by name. */
  address(name: string): bigint | null {
    return this.byName.get(name) ?? null;
  }

  /** "func+0x1c" or "func+0x1c [module]". */
  format(addr: bigint): string | null {
    const s = this.lookup(addr);
    if (!s) return null;
    const off = s.offset === 0n ? "" : `+0x${s.offset.toString(16)}`;
    return `${s.name}${off}${s.module ? ` [${s.module}]` : ""}`;
  }

  /** Lowest and highest address, for classifying a word as "inside kernel text". */
  bounds(): { low: bigint; high: bigint } | null {
    if (this.addrs.length === 0) return null;
    return { low: this.addrs[0], high: this.addrs[this.addrs.length - 1] };
  }
}
