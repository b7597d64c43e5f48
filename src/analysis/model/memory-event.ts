/**
 * A change of the physical memory layout seen in the console log (there is no tracepoint for
 * hot-remove): pseries LMB removal, "Offlined Pages", offlining failures, failed migrations.
 * The trace scanner turns these into frame events on the same time base.
 */
export interface MemoryLayoutEvent {
  /** printk seconds since boot; null when the line had no timestamp. */
  ts: number | null;
  event: "mem_offline" | "mem_online" | "mem_offline_failed" | "migrate_failed";
  /** Physical range [start, end) where the line names one. */
  start: bigint | null;
  end: bigint | null;
  /** A single frame where the line names one (`migrating pfn 2b3c4 failed`). */
  pfn: bigint | null;
  detail: string;
  /** "console.log:812" */
  source: string;
}
