import type { Alignment } from "../model/region.js";

/**
 * Alignment class of a corrupted region (verdict.md) for the bundle's page size and cache line:
 * `page` when it starts on a page boundary (64K on POWER: a 4K-aligned start is not enough),
 * `cache-line` when it starts on a line boundary and spans whole lines, `word` when 8-byte
 * aligned, else `unaligned`.
 */
export function classifyAlignment(start: bigint, end: bigint, pageSize: number, cacheLine: number): Alignment {
  const line = BigInt(cacheLine);
  if (start % BigInt(pageSize) === 0n) return "page";
  if (start % line === 0n && (end - start) % line === 0n && end > start) return "cache-line";
  if (start % 8n === 0n) return "word";
  return "unaligned";
}

/** Largest power of two dividing `start`; address 0 is divisible by any, so it reports 2^62. */
export function granuleOf(start: bigint): number {
  if (start === 0n) return 2 ** 62;
  return Number(start & -start);
}

/** Page frame numbers covered by [start, end), in the bundle's page size. */
export function framesOf(start: bigint, end: bigint, pageSize: number, limit = 4096): bigint[] {
  const ps = BigInt(pageSize);
  const out: bigint[] = [];
  const last = end > start ? (end - 1n) / ps : start / ps;
  for (let f = start / ps; f <= last && out.length < limit; f++) out.push(f);
  return out;
}

/** "64 KiB", "128 B": sizes as a kernel engineer says them. */
export function sizeText(bytes: number): string {
  if (bytes >= 1 << 30 && bytes % (1 << 30) === 0) return `${bytes / (1 << 30)} GiB`;
  if (bytes >= 1 << 20 && bytes % (1 << 20) === 0) return `${bytes / (1 << 20)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}
