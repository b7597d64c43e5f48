import { VERDICT_KINDS, type VerdictKind } from "../analysis/model/verdict-kind.js";
import type { CrashSummary, IssueCorrections } from "./crash-record.js";

/** The dashboard's time windows, with the bucket width of their arrivals series. */
export const WINDOWS = {
  "24h": { ms: 24 * 3600_000, bucketMs: 3600_000 },
  "7d": { ms: 7 * 24 * 3600_000, bucketMs: 6 * 3600_000 },
  "30d": { ms: 30 * 24 * 3600_000, bucketMs: 24 * 3600_000 },
} as const;
export type WindowName = keyof typeof WINDOWS;
export const WINDOW_NAMES = Object.keys(WINDOWS) as WindowName[];

export interface VerdictAccuracy {
  total: number;
  /** Issues with any correction (verdict or owner). */
  corrected: number;
  verdict_corrected: number;
  owner_corrected: number;
  /** corrected / total, 0 when total is 0. */
  corrected_share: number;
}

export interface WindowStats {
  since: string;
  total: number;
  by_verdict: Record<VerdictKind, number>;
  /** Owner ("@acme/rdma"), or "none" for crashes no rule assigned. Sorted by count, descending. */
  by_owner: Array<{ key: string; count: number }>;
  by_repository: Array<{ key: string; count: number }>;
  /** Arrivals per verdict in fixed buckets, oldest first; `start` is the bucket's ISO start. */
  series: { bucket_ms: number; buckets: Array<{ start: string; counts: Record<VerdictKind, number> }> };
  accuracy: Record<VerdictKind, VerdictAccuracy> & { all: VerdictAccuracy };
  /** Analysis durations of the window's crashes, milliseconds (null when there are none). */
  duration_ms: { count: number; p50: number | null; p90: number | null; p99: number | null; max: number | null };
  /** Most frequent signatures in the window. */
  top_signatures: Array<{ signature: string; count: number }>;
}

export interface Stats {
  generated_at: string;
  /** All crashes ever recorded (distinct issues). */
  total: number;
  windows: Record<WindowName, WindowStats>;
}

function zeroVerdicts(): Record<VerdictKind, number> {
  return Object.fromEntries(VERDICT_KINDS.map((v) => [v, 0])) as Record<VerdictKind, number>;
}

function zeroAccuracy(): VerdictAccuracy {
  return { total: 0, corrected: 0, verdict_corrected: 0, owner_corrected: 0, corrected_share: 0 };
}

function ranked(counts: Map<string, number>, limit = 50): Array<{ key: string; count: number }> {
  return [...counts]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
    .slice(0, limit);
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Computes one window's figures from the compact summaries (already limited to the window). */
export function windowStats(
  rows: CrashSummary[],
  corrections: Map<string, IssueCorrections>,
  now: number,
  window: WindowName,
): WindowStats {
  const { ms, bucketMs } = WINDOWS[window];
  const since = now - ms;
  // Buckets aligned to the bucket width so refreshes do not shift bars around.
  const firstBucket = Math.floor(since / bucketMs) * bucketMs;
  const bucketCount = Math.floor((now - firstBucket) / bucketMs) + 1;
  const buckets = Array.from({ length: bucketCount }, (_, i) => ({
    start: new Date(firstBucket + i * bucketMs).toISOString(),
    counts: zeroVerdicts(),
  }));
  const byVerdict = zeroVerdicts();
  const byOwner = new Map<string, number>();
  const byRepo = new Map<string, number>();
  const bySignature = new Map<string, number>();
  const accuracy = Object.fromEntries([...VERDICT_KINDS, "all"].map((v) => [v, zeroAccuracy()])) as WindowStats["accuracy"];
  const durations: number[] = [];

  for (const row of rows) {
    if (row.received_ms < since || row.received_ms > now) continue;
    byVerdict[row.verdict]++;
    const owners = row.owners.length > 0 ? row.owners : ["none"];
    for (const o of owners) byOwner.set(o, (byOwner.get(o) ?? 0) + 1);
    byRepo.set(row.repository, (byRepo.get(row.repository) ?? 0) + 1);
    bySignature.set(row.signature, (bySignature.get(row.signature) ?? 0) + 1);
    const b = Math.floor((row.received_ms - firstBucket) / bucketMs);
    if (b >= 0 && b < buckets.length) buckets[b].counts[row.verdict]++;
    durations.push(row.duration_ms);
    const c = corrections.get(row.id);
    for (const acc of [accuracy[row.verdict], accuracy.all]) {
      acc.total++;
      if (c?.verdict) acc.verdict_corrected++;
      if (c?.owner) acc.owner_corrected++;
      if (c?.verdict || c?.owner) acc.corrected++;
    }
  }
  for (const acc of Object.values(accuracy)) acc.corrected_share = acc.total === 0 ? 0 : acc.corrected / acc.total;
  durations.sort((a, b) => a - b);
  return {
    since: new Date(since).toISOString(),
    total: durations.length,
    by_verdict: byVerdict,
    by_owner: ranked(byOwner),
    by_repository: ranked(byRepo),
    series: { bucket_ms: bucketMs, buckets },
    accuracy,
    duration_ms: {
      count: durations.length,
      p50: percentile(durations, 50),
      p90: percentile(durations, 90),
      p99: percentile(durations, 99),
      max: durations.length ? durations[durations.length - 1] : null,
    },
    top_signatures: ranked(bySignature, 10).map(({ key, count }) => ({ signature: key, count })),
  };
}
