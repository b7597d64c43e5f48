import { pino, type Logger } from "pino";
import { createMetrics, type CasefileMetrics, type WebhookOutcome } from "../observability/metrics.js";
import { CrashStore } from "../store/crash-store.js";
import { runWorkers, type RunningWorkers } from "../workers/run-workers.js";
import { CasefileQueues, clusterSafePrefix, DEFAULT_QUEUE_SETTINGS } from "../workers/queues.js";
import { connectRedis, redactRedisUrl } from "../workers/redis-connection.js";
import type { AppEnv } from "./app-env.js";
import { startBotServer, WEBHOOK_PATH, type RunningBotServer } from "./bot-server.js";
import type { BotObserver } from "./casefile-app.js";
import { authFromEnv, createHttpHandler } from "./http/dashboard-handler.js";
import { createCasefileProbot } from "./probot-factory.js";

export interface RunningBot {
  server: RunningBotServer;
  workers: RunningWorkers | null;
  /** Graceful stop: stop accepting webhooks, drain workers, close Redis. */
  stop(): Promise<void>;
}

const OUTCOMES: Record<Parameters<BotObserver["delivery"]>[1], WebhookOutcome> = {
  queued: "enqueued",
  duplicate: "duplicate",
  ignored: "ignored",
  error: "failed",
  invalid: "invalid",
};

/**
 * `casefile bot`: the webhook server with the dashboard, API and metrics beside it; with
 * `withWorker`, the workers run in the same process (small installs, `npm start`).
 */
export async function runBot(env: AppEnv, opts: { withWorker: boolean; log?: Logger }): Promise<RunningBot> {
  const log = opts.log ?? pino({ level: env.logLevel, name: "casefile-bot" });
  const redis = await connectRedis(env.redisUrl, "producer");
  log.info({ redis: redactRedisUrl(env.redisUrl) }, "Redis reachable, maxmemory-policy keeps jobs");
  const queues = new CasefileQueues(redis, { ...DEFAULT_QUEUE_SETTINGS, prefix: clusterSafePrefix(env.prefix) });
  const metrics: CasefileMetrics = createMetrics({ redis, prefix: env.prefix, queues: queues.all(), onError: (err) => log.debug({ err }, "metrics write failed") });
  const probot = createCasefileProbot({ appId: env.appId, privateKey: env.privateKey, secret: env.webhookSecret ?? "", log: log.child({ name: "probot" }), baseUrl: env.baseUrl });
  const httpHandler = createHttpHandler({
    store: new CrashStore(redis, env.prefix),
    queues: queues.all(),
    redis,
    auth: authFromEnv(process.env),
    metrics,
    log: { info: (m) => log.info(m), warn: (m) => log.warn(m) },
  });
  const server = await startBotServer({
    probot,
    intake: queues.intake,
    port: env.port,
    host: env.host,
    httpHandler,
    observer: { delivery: (event, outcome, seconds) => metrics.webhookDelivery(event, OUTCOMES[outcome], seconds) },
  });
  log.info(`listening on ${server.url}, webhooks at ${WEBHOOK_PATH}`);
  const workers = opts.withWorker ? await runWorkers(env, { log, probot, metrics }) : null;
  return {
    server,
    workers,
    async stop() {
      await server.close();
      await workers?.stop();
      await queues.close();
      redis.disconnect();
    },
  };
}
