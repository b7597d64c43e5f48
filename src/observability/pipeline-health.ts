import type { Queue } from "bullmq";

/** The job states the dashboard and /metrics report, in BullMQ's names. */
export const JOB_STATES = ["waiting", "prioritized", "active", "delayed", "failed", "completed", "waiting-children"] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface JobFailure {
  queue: string;
  id: string | null;
  name: string;
  reason: string;
  attempts: number;
  /** ISO 8601 of the last failure, null when BullMQ did not record it. */
  at: string | null;
}

export interface QueueHealth {
  queue: string;
  counts: Record<JobState, number>;
  /** Seconds the oldest waiting job has waited; null with none waiting. */
  oldest_waiting_s: number | null;
  /** Workers connected to this queue; null when the Redis server hides CLIENT LIST. */
  workers: number | null;
  recent_failures: JobFailure[];
  /** Set when the queue could not be read (Redis down, ...): the other fields are then zeros. */
  error: string | null;
}

function zeroCounts(): Record<JobState, number> {
  return Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
}

/** Reads one queue's health; never throws (a broken queue reports `error`). */
export async function queueHealth(queue: Queue, now: Date, failures = 5): Promise<QueueHealth> {
  const out: QueueHealth = { queue: queue.name, counts: zeroCounts(), oldest_waiting_s: null, workers: null, recent_failures: [], error: null };
  try {
    const [counts, oldest, failed] = await Promise.all([
      queue.getJobCounts(...JOB_STATES),
      queue.getJobs(["waiting", "prioritized"], 0, 0, true),
      failures > 0 ? queue.getFailed(0, failures - 1) : Promise.resolve([]),
    ]);
    for (const s of JOB_STATES) out.counts[s] = Number(counts[s] ?? 0);
    const ts = oldest.filter(Boolean).map((j) => j.timestamp);
    if (ts.length > 0) out.oldest_waiting_s = Math.max(0, (now.getTime() - Math.min(...ts)) / 1000);
    out.recent_failures = failed.filter(Boolean).map((j) => ({
      queue: queue.name,
      id: j.id ?? null,
      name: j.name,
      reason: (j.failedReason || "no reason recorded").slice(0, 500),
      attempts: j.attemptsMade,
      at: j.finishedOn ? new Date(j.finishedOn).toISOString() : null,
    }));
  } catch (err) {
    out.error = err instanceof Error ? err.message : String(err);
    return out;
  }
  try {
    out.workers = await queue.getWorkersCount();
  } catch {
    out.workers = null; // CLIENT LIST is disabled on some managed Redis services
  }
  return out;
}

export async function pipelineHealth(queues: Queue[], now: Date, failures = 5): Promise<QueueHealth[]> {
  return Promise.all(queues.map((q) => queueHealth(q, now, failures)));
}
