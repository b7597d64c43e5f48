import type { CrashReport } from "../model/crash.js";
import { parseHex } from "../model/hex.js";
import type { MachineFacts } from "../model/machine.js";
import { linearToPhysical } from "./linear-map.js";

/**
 * What the crash report itself says about where memory went wrong, in physical addresses:
 * SLUB/page-poison corrupted ranges, the KASAN/KFENCE object, the bad access, the page frame.
 * Addresses outside the linear map (vmalloc, user) cannot be placed and are left out.
 */
export interface StatedBounds {
  corrupted: { start: bigint; end: bigint; firstByte: number | null; expected: number | null } | null;
  object: { start: bigint; end: bigint; cache: string | null } | null;
  /** The bad access of a KASAN/KFENCE report; only a write (or a named list pointer) corrupted anything. */
  access: { start: bigint; end: bigint; write: boolean } | null;
  pfn: bigint | null;
  source: string | null;
  /** A list_add/list_del corruption report: the list pointer that holds the wrong value. */
  listPointer: { at: bigint; expected: bigint | null; actual: bigint; field: string } | null;
}

// lib/list_debug.c. Only reports that print real addresses (%px, newer kernels) give a place.
const LIST_SHOULD = /list_(?:add|del) corruption\. (prev->next|next->prev) should be (?:\w+ )?\(?([0-9a-f]{16})\)?, but was ([0-9a-f]{16})\. \((prev|next)=([0-9a-f]{16})\)/;
const LIST_POISONED = /list_del corruption, ([0-9a-f]{16})->(next|prev) is LIST_POISON[12] \(([0-9a-f]{16})\)/;

/**
 * Reports print kernel virtual addresses; only linear-map ones can be placed physically. Small
 * values are user addresses, NULL offsets or hashed pointers (%p), never physical addresses.
 */
export function statedBounds(crash: CrashReport | null, machine: MachineFacts): StatedBounds {
  const toPhysical = (a: bigint) => linearToPhysical(a, machine);
  const none: StatedBounds = { corrupted: null, object: null, access: null, pfn: null, source: null, listPointer: null };
  if (!crash) return none;
  const out: StatedBounds = { ...none, source: crash.source, pfn: crash.pfn };
  if (crash.corrupted) {
    const s = toPhysical(crash.corrupted.start);
    const e = toPhysical(crash.corrupted.end);
    if (s !== null && e !== null && e > s) out.corrupted = { start: s, end: e, firstByte: crash.corrupted.firstByte, expected: crash.corrupted.expected };
  }
  if (crash.object) {
    const s = toPhysical(crash.object.start);
    if (s !== null) out.object = { start: s, end: s + BigInt(crash.object.size), cache: crash.object.cache };
  }
  // A page fault's or GPF's address is the pointer that was followed, not where memory went bad.
  if (crash.address && (crash.kind === "kasan" || crash.kind === "kfence")) {
    const a = parseHex(crash.address);
    const s = a === null ? null : toPhysical(a);
    if (s !== null) out.access = { start: s, end: s + BigInt(Math.max(1, crash.size ?? 1)), write: crash.access === "write" };
  }
  if (!out.corrupted && crash.text && (crash.kind === "list-corruption" || /corrupted list/.test(crash.title))) {
    const list = listPointerOf(crash.text, machine);
    if (list) {
      out.listPointer = list;
      out.access = { start: list.at, end: list.at + 8n, write: true };
    }
  }
  // Newer kernels hash the addresses of page-poison hex dumps (%p): a range outside the
  // reported frame is such a hash, not an address.
  const ps = BigInt(machine.pageSize);
  if (out.corrupted && out.pfn !== null && out.corrupted.start / ps !== out.pfn) out.corrupted = null;
  return out;
}

/** The physical place of the list pointer a list_debug report names ("prev->next" is the entry's first word). */
function listPointerOf(text: string, machine: MachineFacts): StatedBounds["listPointer"] {
  let m = LIST_SHOULD.exec(text);
  if (m) {
    const entry = linearToPhysical(BigInt("0x" + m[5]), machine);
    if (entry === null) return null;
    const offset = m[1] === "prev->next" ? 0n : 8n;
    return { at: entry + offset, expected: BigInt("0x" + m[2]), actual: BigInt("0x" + m[3]), field: `${m[4]}->${m[1].split("->")[1]}` };
  }
  m = LIST_POISONED.exec(text);
  if (m) {
    const entry = linearToPhysical(BigInt("0x" + m[1]), machine);
    if (entry === null) return null;
    return { at: entry + (m[2] === "next" ? 0n : 8n), expected: null, actual: BigInt("0x" + m[3]), field: `entry->${m[2]}` };
  }
  return null;
}
