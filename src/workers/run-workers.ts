import { pino, type Logger } from "pino";
import type { Probot } from "probot";
import { createCasefileProbot } from "../bot/probot-factory.js";
import { createMetrics, type CasefileMetrics } from "../observability/metrics.js";
import type { AppEnv } from "../bot/app-env.js";
import { CrashStore } from "../store/crash-store.js";
import { ForkAnalysisRunner } from "./analysis-runner.js";
import { CasefileWorkers, type PipelineObserver } from "./casefile-workers.js";
import { ProbotGitHubAccess } from "./github-access.js";
import { CasefileQueues, clusterSafePrefix, DEFAULT_QUEUE_SETTINGS, type QueueName } from "./queues.js";
import { connectRedis, redactRedisUrl } from "./redis-connection.js";

export interface RunningWorkers {
  workers: CasefileWorkers;
  /** Drains: running jobs finish, no new ones start; then Redis is closed. */
  stop(): Promise<void>;
}

/** `casefile worker` (or the worker half of `casefile bot --with-worker`). */
export async function runWorkers(
  env: AppEnv,
  opts: { log?: Logger; probot?: Probot; metrics?: CasefileMetrics; queues?: QueueName[] } = {},
): Promise<RunningWorkers> {
  const log = opts.log ?? pino({ level: env.logLevel, name: "casefile-worker" });
  const connection = await connectRedis(env.redisUrl, "worker");
  log.info({ redis: redactRedisUrl(env.redisUrl) }, "Redis reachable, maxmemory-policy keeps jobs");
  const queues = new CasefileQueues(connection, { ...DEFAULT_QUEUE_SETTINGS, prefix: clusterSafePrefix(env.prefix) });
  const probot = opts.probot ?? createCasefileProbot({ appId: env.appId, privateKey: env.privateKey, secret: env.webhookSecret ?? "unused", log: log.child({ name: "probot" }), baseUrl: env.baseUrl });
  const metrics = opts.metrics ?? createMetrics({ redis: connection, prefix: env.prefix, processMetrics: false, onError: () => undefined });
  const observer: PipelineObserver = {
    githubError: (status) => metrics.githubApiError(status),
    rateLimitWait: (ms) => metrics.rateLimitWait(ms / 1000),
    download: (bytes, outcome) => metrics.download(bytes, outcome),
  };
  const workers = new CasefileWorkers(
    {
      connection,
      queues,
      github: new ProbotGitHubAccess(probot),
      store: new CrashStore(connection, env.prefix),
      runner: new ForkAnalysisRunner({ timeoutMs: env.analysisTimeoutMs, maxHeapMb: env.analysisHeapMb }),
      log,
      observer,
    },
    { ...env.workers, queues: opts.queues ?? env.workers.queues },
  ).start();
  await workers.ready();
  log.info({ concurrency: env.workers.concurrency, prefix: queues.prefix }, "workers ready");
  return {
    workers,
    async stop() {
      await workers.close();
      await queues.close();
      connection.disconnect();
    },
  };
}
