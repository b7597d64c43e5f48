import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import nock from "nock";
import { pino } from "pino";
import type { Redis } from "ioredis";
import { createCasefileProbot } from "../../src/bot/probot-factory.js";
import { startBotServer, type RunningBotServer } from "../../src/bot/bot-server.js";
import { CrashStore } from "../../src/store/crash-store.js";
import type { AnalysisRunner } from "../../src/workers/analysis-runner.js";
import { CasefileWorkers, DEFAULT_WORKER_SETTINGS, type WorkerSettings } from "../../src/workers/casefile-workers.js";
import { ProbotGitHubAccess } from "../../src/workers/github-access.js";
import { CasefileQueues } from "../../src/workers/queues.js";
import { connectRedis } from "../../src/workers/redis-connection.js";
import type { FakeGitHub } from "./fake-github.js";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const WEBHOOK_SECRET = "test-webhook-secret";

let cachedKey: string | null = null;
export function testPrivateKey(): string {
  cachedKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  return cachedKey;
}

/** Fast retries and stall detection so failure tests finish in seconds. */
export const TEST_WORKER_SETTINGS: WorkerSettings = {
  ...DEFAULT_WORKER_SETTINGS,
  lockDurationMs: 2000,
  stalledIntervalMs: 1000,
  analyze: { downloadTimeoutMs: 5000, downloadIdleTimeoutMs: 2000 },
};

export interface Pipeline {
  prefix: string;
  url: string;
  producer: Redis;
  workerConnection: Redis;
  queues: CasefileQueues;
  store: CrashStore;
  workers: CasefileWorkers[];
  startWorkers(runner: AnalysisRunner, settings?: Partial<WorkerSettings>): Promise<CasefileWorkers>;
  deliver(event: string, payload: object, deliveryId?: string): Promise<Response>;
  /** Resolves when no queue has work left (checked twice in a row). */
  drained(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startPipeline(fake: FakeGitHub): Promise<Pipeline> {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  fake.install();
  const prefix = `{cf-test-${randomUUID().slice(0, 8)}}`;
  const producer = await connectRedis(REDIS_URL, "producer");
  const workerConnection = await connectRedis(REDIS_URL, "worker");
  const queues = new CasefileQueues(producer, { prefix, attempts: 4, backoffMs: 100 });
  const store = new CrashStore(producer, prefix);
  const log = pino({ level: "silent" });
  const probot = createCasefileProbot({ appId: 1, privateKey: testPrivateKey(), secret: WEBHOOK_SECRET, log });
  const server: RunningBotServer = await startBotServer({ probot, intake: queues.intake, port: 0, host: "127.0.0.1" });
  const workers: CasefileWorkers[] = [];
  // Workers get their own Queue objects (on the blocking-capable connection), as in `casefile worker`.
  const workerQueues = new CasefileQueues(workerConnection, { prefix, attempts: 4, backoffMs: 100 });

  const pipeline: Pipeline = {
    prefix,
    url: server.url,
    producer,
    workerConnection,
    queues,
    store,
    workers,
    async startWorkers(runner, settings = {}) {
      const w = new CasefileWorkers(
        { connection: workerConnection, queues: workerQueues, github: new ProbotGitHubAccess(probot), store: new CrashStore(workerConnection, prefix), runner, log },
        { ...TEST_WORKER_SETTINGS, ...settings },
      ).start();
      await w.ready();
      workers.push(w);
      return w;
    },
    async deliver(event, payload, deliveryId = randomUUID()) {
      const body = JSON.stringify(payload);
      const signature = `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(body).digest("hex")}`;
      return fetch(`${server.url}/api/github/webhooks`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-github-event": event, "x-github-delivery": deliveryId, "x-hub-signature-256": signature },
        body,
      });
    },
    async drained(timeoutMs = 20_000) {
      const end = Date.now() + timeoutMs;
      let quiet = 0;
      while (Date.now() < end) {
        const counts = await Promise.all(queues.all().map((q) => q.getJobCounts("waiting", "active", "delayed", "prioritized")));
        const busy = counts.reduce((n, c) => n + Object.values(c).reduce((a, b) => a + b, 0), 0);
        quiet = busy === 0 ? quiet + 1 : 0;
        if (quiet >= 3) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("queues did not drain in time");
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await server.close();
      await workerQueues.close();
      await queues.close();
      await deleteKeys(producer, prefix);
      producer.disconnect();
      workerConnection.disconnect();
      nock.cleanAll();
      nock.enableNetConnect();
    },
  };
  return pipeline;
}

export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix.replace(/[{}*?[\]]/g, "\\$&")}*`, "COUNT", 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== "0");
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("condition not met in time");
}

export function issuePayload(fake: FakeGitHub, action: string, number: number, extra: object = {}): object {
  const issue = fake.issues.get(number)!;
  return {
    action,
    issue: {
      number,
      title: issue.title,
      body: issue.body,
      labels: issue.labels.map((name) => ({ name })),
      html_url: `https://github.com/${fake.owner}/${fake.repo}/issues/${number}`,
      user: { login: "alice", type: "User" },
    },
    repository: { name: fake.repo, full_name: `${fake.owner}/${fake.repo}`, owner: { login: fake.owner } },
    installation: { id: 1 },
    sender: { login: "alice", type: "User" },
    ...extra,
  };
}

export function commentPayload(fake: FakeGitHub, number: number, comment: { id: number; body: string; login?: string }): object {
  const base = issuePayload(fake, "created", number) as Record<string, unknown>;
  const login = comment.login ?? "alice";
  return { ...base, comment: { id: comment.id, body: comment.body, user: { login, type: "User" } }, sender: { login, type: "User" } };
}
