/**
 * The ingress baseline: a bare Probot 14 app whose only handler adds a BullMQ job, served by
 * Probot's node middleware on a plain http server. Run as a child process by
 * bench/webhook-ingress.ts; env: PORT, WEBHOOK_SECRET, PRIVATE_KEY, REDIS_URL, BENCH_PREFIX.
 * Prints `LISTENING <port>` once it accepts requests.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { createNodeMiddleware, Probot } from "probot";

const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
const queue = new Queue("intake", { connection: redis, prefix: process.env.BENCH_PREFIX ?? "bench-bare" });
const probot = new Probot({ appId: 1, privateKey: process.env.PRIVATE_KEY!, secret: process.env.WEBHOOK_SECRET!, logLevel: "warn" });
const middleware = await createNodeMiddleware(
  (app) => {
    app.on("issues.labeled", async (context) => {
      await queue.add("intake", { issue: context.payload.issue.number, delivery: context.id }, { jobId: context.id });
    });
  },
  { probot, webhooksPath: "/api/github/webhooks" },
);
const server = createServer((req, res) => {
  void Promise.resolve(middleware(req, res, () => res.writeHead(404).end())).catch(() => {
    if (!res.headersSent) res.writeHead(500).end();
  });
});
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  process.stdout.write(`LISTENING ${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => {
  server.close();
  void queue.close().then(() => redis.quit()).then(() => process.exit(0));
});
