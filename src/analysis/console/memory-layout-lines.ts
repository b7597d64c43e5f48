/**
 * Memory hot-remove and offline lines (there is no tracepoint for them), as layout events on the
 * printk time base: pseries LMB removal (256 MiB blocks), "Offlined Pages N", offlining
 * failures with their range, and failed page migrations with their frame.
 */
import type { MemoryLayoutEvent } from "../model/memory-event.js";
import type { ConsoleLine } from "./console-line.js";

/** pseries logical memory blocks are 256 MiB. */
export const PSERIES_LMB_BYTES = 256n * 1024n * 1024n;

const HOT_REMOVED = /Memory at ([0-9a-fA-F]+) \(drc index ([0-9a-fA-F]+)\) was hot-removed/;
const HOT_ADDED = /Memory at ([0-9a-fA-F]+) \(drc index ([0-9a-fA-F]+)\) was hot-added/;
const HOT_REMOVE_FAILED = /Memory hot-remove failed, adding LMB's back/;
const OFFLINED = /Offlined Pages ([0-9]+)/;
const ONLINED = /Onlined Pages ([0-9]+)/;
const OFFLINE_FAILED = /memory offlining \[mem 0x([0-9a-fA-F]+)-0x([0-9a-fA-F]+)\] failed(.*)$/;
const MIGRATE_FAILED = /migrating pfn ([0-9a-fA-F]+) failed ret:(-?[0-9]+)/;

const hex = (s: string): bigint => BigInt("0x" + s);

/** The layout event a line states, or null. */
export function memoryLayoutEventOf(line: ConsoleLine, source: string): MemoryLayoutEvent | null {
  const t = line.text;
  // Cheap guard: every pattern names memory, pages or a pfn.
  if (!t.includes("emory") && !t.includes("Pages") && !t.includes("pfn")) return null;
  const base = { ts: line.ts, source, detail: t.trim() };
  let m: RegExpExecArray | null;
  if ((m = HOT_REMOVED.exec(t))) {
    const start = hex(m[1]);
    return { ...base, event: "mem_offline", start, end: start + PSERIES_LMB_BYTES, pfn: null };
  }
  if ((m = HOT_ADDED.exec(t))) {
    const start = hex(m[1]);
    return { ...base, event: "mem_online", start, end: start + PSERIES_LMB_BYTES, pfn: null };
  }
  if (HOT_REMOVE_FAILED.test(t)) return { ...base, event: "mem_offline_failed", start: null, end: null, pfn: null };
  if ((m = OFFLINE_FAILED.exec(t))) {
    return { ...base, event: "mem_offline_failed", start: hex(m[1]), end: hex(m[2]) + 1n, pfn: null };
  }
  if (OFFLINED.test(t)) return { ...base, event: "mem_offline", start: null, end: null, pfn: null };
  if (ONLINED.test(t)) return { ...base, event: "mem_online", start: null, end: null, pfn: null };
  if ((m = MIGRATE_FAILED.exec(t))) return { ...base, event: "migrate_failed", start: null, end: null, pfn: hex(m[1]) };
  return null;
}
