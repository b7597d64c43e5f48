import { DelayedError, UnrecoverableError, Worker, type Job, type Processor } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { ZodError } from "zod";
import { ConfigError } from "../analysis/config/casefile-config.js";
import type { CrashStore } from "../store/crash-store.js";
import { AnalyzeProcessor, DEFAULT_ANALYZE_SETTINGS, type AnalyzeSettings } from "./analyze-processor.js";
import type { AnalysisRunner } from "./analysis-runner.js";
import type { GitHubAccess } from "./github-access.js";
import { rateLimitWaitMs } from "./github-rate-limit.js";
import { IntakeProcessor } from "./intake-processor.js";
import { IssueBusy, PublishProcessor } from "./publish-processor.js";
import { QUEUE_NAMES, type CasefileQueues, type QueueName } from "./queues.js";
import { RecordProcessor } from "./record-processor.js";

/** Hooks for metrics; every method optional so tests and small installs pass nothing. */
export interface PipelineObserver {
  job?(queue: QueueName, outcome: "completed" | "failed" | "retry" | "rate-limited", seconds: number): void;
  githubError?(status: number): void;
  rateLimitWait?(ms: number): void;
  download?(bytes: number, outcome: "ok" | "refused" | "too-large" | "timeout" | "error"): void;
  analysis?(seconds: number, verdict: string): void;
}

export interface WorkerSettings {
  concurrency: Record<QueueName, number>;
  /** How long a job's lock lasts without renewal; a killed worker's job is taken up after it. */
  lockDurationMs: number;
  stalledIntervalMs: number;
  analyze: AnalyzeSettings;
  /** The queues this process works on (all by default): e.g. only `analyze` on big machines. */
  queues?: QueueName[];
}

export const DEFAULT_WORKER_SETTINGS: WorkerSettings = {
  concurrency: { intake: 8, analyze: 2, publish: 4, record: 4 },
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
  analyze: DEFAULT_ANALYZE_SETTINGS,
};

export interface WorkerDeps {
  /** A connection made with connectRedis(url, "worker"). */
  connection: Redis;
  queues: CasefileQueues;
  github: GitHubAccess;
  store: CrashStore;
  runner: AnalysisRunner;
  log: Logger;
  observer?: PipelineObserver;
}

/**
 * The four BullMQ workers of one process. Errors are sorted here, once: bad input fails
 * for good (UnrecoverableError), GitHub rate limits pause the queue (RateLimitError) instead
 * of spending attempts, a busy issue is delayed, anything else is retried with backoff.
 */
export class CasefileWorkers {
  readonly workers: Worker[] = [];

  constructor(
    private readonly deps: WorkerDeps,
    private readonly settings: WorkerSettings = DEFAULT_WORKER_SETTINGS,
  ) {}

  start(): this {
    const { deps, settings } = this;
    const observer = deps.observer ?? {};
    const analyzeSettings: AnalyzeSettings = {
      ...settings.analyze,
      onDownload: (bytes, outcome) => observer.download?.(bytes, outcome),
      onAnalysis: (s, v) => observer.analysis?.(s, v),
    };
    const intake = new IntakeProcessor(deps.github, deps.queues.analyze, deps.store);
    const analyze = new AnalyzeProcessor(deps.github, deps.runner, deps.queues.publish, analyzeSettings);
    const publish = new PublishProcessor(deps.github, deps.store, deps.queues.record, deps.connection, deps.queues.prefix);
    const record = new RecordProcessor(deps.store);
    const wanted = new Set<QueueName>(settings.queues ?? Object.values(QUEUE_NAMES));
    if (wanted.has(QUEUE_NAMES.intake)) this.add(QUEUE_NAMES.intake, (job) => intake.process(job as never));
    if (wanted.has(QUEUE_NAMES.analyze)) this.add(QUEUE_NAMES.analyze, (job) => analyze.process(job as never));
    if (wanted.has(QUEUE_NAMES.publish)) this.add(QUEUE_NAMES.publish, (job) => publish.process(job as never));
    if (wanted.has(QUEUE_NAMES.record)) this.add(QUEUE_NAMES.record, (job) => record.process(job as never));
    return this;
  }

  private add(name: QueueName, run: (job: Job) => Promise<unknown>): void {
    const { deps, settings } = this;
    const log = deps.log.child({ queue: name });
    const observer = deps.observer ?? {};
    const processor: Processor = async (job, token) => {
      const started = Date.now();
      const seconds = () => (Date.now() - started) / 1000;
      try {
        const result = await run(job);
        log.info({ jobId: job.id, result }, "done");
        return result;
      } catch (err) {
        const status = (err as { status?: number }).status;
        if (typeof status === "number") observer.githubError?.(status);
        const wait = rateLimitWaitMs(err);
        if (wait !== null) {
          log.warn({ jobId: job.id, waitMs: wait }, "GitHub rate limit: pausing the queue");
          observer.rateLimitWait?.(wait);
          observer.job?.(name, "rate-limited", seconds());
          await worker.rateLimit(wait);
          throw Worker.RateLimitError();
        }
        if (err instanceof IssueBusy) {
          await job.moveToDelayed(Date.now() + 1000, token);
          throw new DelayedError();
        }
        const message = err instanceof Error ? err.message : String(err);
        if (err instanceof ZodError || err instanceof ConfigError || (typeof status === "number" && [404, 410, 422].includes(status))) {
          // Bad job data, a deleted issue, a request GitHub will never accept: retrying cannot help.
          log.error({ jobId: job.id, err: message }, "dropped: cannot succeed");
          observer.job?.(name, "failed", seconds());
          throw new UnrecoverableError(message);
        }
        log.warn({ jobId: job.id, attempt: job.attemptsMade + 1, err: message }, "failed; will retry with backoff");
        observer.job?.(name, "retry", seconds());
        throw err;
      }
    };
    // The processor only runs once the worker exists, so it may refer to it.
    const worker: Worker = new Worker(name, processor, {
      connection: deps.connection,
      prefix: deps.queues.prefix,
      concurrency: settings.concurrency[name],
      lockDuration: settings.lockDurationMs,
      stalledInterval: settings.stalledIntervalMs,
      maxStalledCount: 3,
    });
    worker.on("completed", () => observer.job?.(name, "completed", 0));
    worker.on("error", (err) => log.error({ err: err.message }, "worker error"));
    this.workers.push(worker);
  }

  /** Waits until every worker is ready to take jobs. */
  async ready(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
  }

  /** Graceful stop (SIGTERM): take no new job, let running ones finish. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
