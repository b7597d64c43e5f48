import { Queue, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import type { AnalyzeJob, IntakeJob, PublishJob, RecordJob } from "./job-data.js";

/**
 * The four steps of the pipeline, each its own queue so that a GitHub outage never repeats
 * an analysis and a retried analysis never posts twice:
 * intake (config, trigger, artifact set) -> analyze (download, analysis) -> publish -> record.
 */
export const QUEUE_NAMES = { intake: "intake", analyze: "analyze", publish: "publish", record: "record" } as const;
export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/** `{...}` is a Redis Cluster hash tag: every key of every queue lands in one slot. */
export const DEFAULT_QUEUE_PREFIX = "{casefile}";

export interface QueueSettings {
  /** BullMQ key prefix; wrapped in a hash tag when it has none. */
  prefix: string;
  /** Attempts for transient failures. */
  attempts: number;
  /** First backoff delay; doubles each attempt. */
  backoffMs: number;
}

export const DEFAULT_QUEUE_SETTINGS: QueueSettings = { prefix: DEFAULT_QUEUE_PREFIX, attempts: 6, backoffMs: 2000 };

export function clusterSafePrefix(prefix: string): string {
  return /\{[^}]+\}/.test(prefix) ? prefix : `{${prefix}}`;
}

/**
 * Completed jobs are kept for a week: their ids are what makes a repeated delivery or an
 * edit that changes no artifact a no-op.
 */
export function jobOptions(settings: QueueSettings): JobsOptions {
  return {
    attempts: settings.attempts,
    backoff: { type: "exponential", delay: settings.backoffMs },
    removeOnComplete: { age: 7 * 24 * 3600, count: 100_000 },
    removeOnFail: { age: 30 * 24 * 3600 },
  };
}

export class CasefileQueues {
  readonly prefix: string;
  readonly intake: Queue<IntakeJob>;
  readonly analyze: Queue<AnalyzeJob>;
  readonly publish: Queue<PublishJob>;
  readonly record: Queue<RecordJob>;

  constructor(
    readonly connection: Redis,
    readonly settings: QueueSettings = DEFAULT_QUEUE_SETTINGS,
  ) {
    this.prefix = clusterSafePrefix(settings.prefix);
    const opts = { connection, prefix: this.prefix, defaultJobOptions: jobOptions(settings) };
    this.intake = new Queue<IntakeJob>(QUEUE_NAMES.intake, opts);
    this.analyze = new Queue<AnalyzeJob>(QUEUE_NAMES.analyze, opts);
    this.publish = new Queue<PublishJob>(QUEUE_NAMES.publish, opts);
    this.record = new Queue<RecordJob>(QUEUE_NAMES.record, opts);
  }

  all(): Queue[] {
    return [this.intake, this.analyze, this.publish, this.record] as Queue[];
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((q) => q.close()));
  }
}
