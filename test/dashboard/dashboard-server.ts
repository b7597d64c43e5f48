import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Queue } from "bullmq";
import { createMetrics, type CasefileMetrics } from "../../src/observability/metrics.js";
import { CrashStore } from "../../src/store/crash-store.js";
import { createHttpHandler } from "../../src/bot/http/dashboard-handler.js";
import type { AuthConfig } from "../../src/bot/http/dashboard-auth.js";
import { testRedis } from "../store/crash-fixtures.js";

export const TOKEN = "test-dashboard-token-0123456789";
export const METRICS_TOKEN = "test-metrics-token-0123456789";

export interface DashboardServer {
  url: string;
  store: CrashStore;
  metrics: CasefileMetrics;
  queues: Queue[];
  close(): Promise<void>;
}

/**
 * The bot's HTTP server as the bot mounts it: our handler first, then a stand-in for Probot's
 * middleware that answers 404 for whatever the handler declines.
 */
export async function startDashboardServer(area: string, auth: Partial<AuthConfig> = {}, now?: () => Date): Promise<DashboardServer> {
  const { redis, prefix } = testRedis(area);
  const store = new CrashStore(redis, prefix);
  const connection = { url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" };
  const queues = [new Queue("analyze", { connection, prefix: `{${prefix}}:bull` }), new Queue("publish", { connection, prefix: `{${prefix}}:bull` })];
  const metrics = createMetrics({ redis, prefix, processMetrics: false });
  const handler = createHttpHandler({
    store,
    queues,
    redis,
    metrics,
    auth: { dashboardToken: TOKEN, metricsToken: null, secureCookie: true, sessionTtlSeconds: 3600, ...auth },
    now,
  });
  const server: Server = createServer((req, res) => {
    handler(req, res).then((handled) => {
      if (!handled) {
        res.statusCode = 404;
        res.end("probot 404\n");
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://localhost:${port}`,
    store,
    metrics,
    queues,
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      for (const q of queues) {
        await q.obliterate({ force: true }).catch(() => {});
        await q.close();
      }
      await store.clear();
      await redis.quit();
    },
  };
}
