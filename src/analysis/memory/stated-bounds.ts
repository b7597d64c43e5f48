import type { CrashReport } from "../model/crash.js";
import { parseHex } from "../model/hex.js";
import type { MachineFacts } from "../model/machine.js";
import { toPhysical } from "./linear-map.js";

/**
 * What the crash report itself says about where memory went wrong, in physical addresses:
 * SLUB/page-poison corrupted ranges, the KASAN/KFENCE object, the bad access, the page frame.
 * Addresses outside the linear map (vmalloc, user) cannot be placed and are left out.
 */
export interface StatedBounds {
  corrupted: { start: bigint; end: bigint; firstByte: number | null; expected: number | null } | null;
  object: { start: bigint; end: bigint; cache: string | null } | null;
  access: { start: bigint; end: bigint } | null;
  pfn: bigint | null;
  source: string | null;
}

export function statedBounds(crash: CrashReport | null, machine: MachineFacts): StatedBounds {
  const none: StatedBounds = { corrupted: null, object: null, access: null, pfn: null, source: null };
  if (!crash) return none;
  const out: StatedBounds = { ...none, source: crash.source, pfn: crash.pfn };
  if (crash.corrupted) {
    const s = toPhysical(crash.corrupted.start, machine);
    const e = toPhysical(crash.corrupted.end, machine);
    if (s !== null && e !== null && e > s) out.corrupted = { start: s, end: e, firstByte: crash.corrupted.firstByte, expected: crash.corrupted.expected };
  }
  if (crash.object) {
    const s = toPhysical(crash.object.start, machine);
    if (s !== null) out.object = { start: s, end: s + BigInt(crash.object.size), cache: crash.object.cache };
  }
  if (crash.address) {
    const a = parseHex(crash.address);
    const s = a === null ? null : toPhysical(a, machine);
    if (s !== null && s !== 0n) out.access = { start: s, end: s + BigInt(Math.max(1, crash.size ?? 1)) };
  }
  // Newer kernels hash the addresses of page-poison hex dumps (%p): a range outside the
  // reported frame is such a hash, not an address.
  const ps = BigInt(machine.pageSize);
  if (out.corrupted && out.pfn !== null && out.corrupted.start / ps !== out.pfn) out.corrupted = null;
  return out;
}
