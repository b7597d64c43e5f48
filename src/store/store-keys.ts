/**
 * Key names of the crash store. Every key starts with one hash tag ("{casefile}"), so all of
 * them live in one Redis Cluster slot: the multi-key scripts and transactions below stay legal
 * on a cluster, and one store's data can be found (and removed) by its prefix.
 */
export interface StoreKeys {
  /** The hash-tagged prefix itself, e.g. "{casefile}". */
  prefix: string;
  /** hash: crash id -> full CrashRecord JSON */
  records: string;
  /** hash: crash id -> compact CrashSummary JSON */
  summaries: string;
  /** zset: crash id, score = received_at (ms) */
  byTime: string;
  /** prefix of zset per signature: crash id, score = when the issue first showed the signature (ms) */
  signaturePrefix: string;
  /** hash: "<crash id>|verdict" or "<crash id>|owner" -> latest Correction JSON */
  corrections: string;
  /** list: every Correction JSON, newest first (audit trail, capped) */
  correctionLog: string;
  /** hash: verdict -> analyses recorded (monotonic counter, reruns included) */
  verdictCounter: string;
  /** hash: "le:<seconds>" / "sum" / "count" -> analysis duration histogram (monotonic) */
  durationHistogram: string;
  /** hash: fleet-wide counters that worker processes increment (see observability/fleet-counters.ts) */
  fleetCounters: string;
}

/**
 * Accepts "casefile", "{casefile}" or "{casefile}:crash". A prefix without a hash tag gets one
 * around all of it; one that has a tag is used as it is.
 */
export function storeKeys(prefix: string): StoreKeys {
  const trimmed = prefix.replace(/:+$/, "");
  if (trimmed.length === 0) throw new Error("crash store prefix must not be empty");
  const p = /\{[^{}]+\}/.test(trimmed) ? trimmed : `{${trimmed}}`;
  return {
    prefix: p,
    records: `${p}:crash:records`,
    summaries: `${p}:crash:summaries`,
    byTime: `${p}:crash:by-time`,
    signaturePrefix: `${p}:crash:sig:`,
    corrections: `${p}:crash:corrections`,
    correctionLog: `${p}:crash:correction-log`,
    verdictCounter: `${p}:metrics:verdicts`,
    durationHistogram: `${p}:metrics:analysis-duration`,
    fleetCounters: `${p}:metrics:fleet`,
  };
}
