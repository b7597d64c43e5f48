import { createHmac, generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import nock from "nock";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { AppEnv } from "../../src/bot/app-env.js";
import { readAppEnv } from "../../src/bot/app-env.js";
import { runBot, type RunningBot } from "../../src/bot/run-bot.js";
import { REPORT_MARKER } from "../../src/workers/issue-comments.js";
import { connectRedis } from "../../src/workers/redis-connection.js";
import { FakeGitHub } from "../pipeline/fake-github.js";
import { deleteKeys, issuePayload, REDIS_URL, until } from "../pipeline/pipeline-harness.js";
import { LogCapture } from "./logged-workers.js";

/**
 * The production entry (`casefile bot --with-worker`: runBot with the forked analysis) runs
 * a full pipeline with fresh secrets, through a private attachment (installation token), a
 * GitHub 502, a badly signed delivery and dashboard calls with right and wrong tokens. Then
 * every log line, every comment, every dashboard answer and every Redis value under the
 * install's prefix is searched for each secret.
 */
const webhookSecret = randomBytes(24).toString("hex");
const dashboardToken = randomBytes(24).toString("hex");
const installationToken = `ghs_${randomBytes(18).toString("hex")}`;
const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const prefix = `cf-secrets-${randomUUID().slice(0, 8)}`;

/** Issues its own installation token, so the token is a secret only this test knows. */
class TokenGitHub extends FakeGitHub {
  override route(method: string, path: string, uri: string, body: Record<string, unknown>): [number, unknown, Record<string, string>?] {
    if (method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      this.calls.push({ method, path });
      return [201, { token: installationToken, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: {}, repository_selection: "all" }];
    }
    return super.route(method, path, uri, body);
  }
}

let fake: TokenGitHub;
let bot: RunningBot;
const log = new LogCapture();
const answers: string[] = [];
const savedDashboardToken = process.env.DASHBOARD_TOKEN;

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  fake = new TokenGitHub("acme", "kernel");
  fake.install();
  process.env.DASHBOARD_TOKEN = dashboardToken;
  const env: AppEnv = readAppEnv(
    { APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: webhookSecret, REDIS_URL, CASEFILE_PREFIX: prefix, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "debug" },
    "bot",
  );
  bot = await runBot({ ...env, workers: { ...env.workers, lockDurationMs: 5000, stalledIntervalMs: 2000 } }, { withWorker: true, log: log.logger });
});
afterAll(async () => {
  await bot?.stop();
  const redis = await connectRedis(REDIS_URL, "producer");
  await deleteKeys(redis, `{${prefix}}`);
  await deleteKeys(redis, prefix);
  redis.disconnect();
  nock.cleanAll();
  nock.enableNetConnect();
  if (savedDashboardToken === undefined) delete process.env.DASHBOARD_TOKEN;
  else process.env.DASHBOARD_TOKEN = savedDashboardToken;
});

async function deliver(payload: object, secret = webhookSecret): Promise<Response> {
  const body = JSON.stringify(payload);
  const res = await fetch(`${bot.server.url}/api/github/webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": "issues", "x-github-delivery": randomUUID(), "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}` },
    body,
  });
  answers.push(await res.text());
  return res;
}

/** Every value under the install's prefix, whatever its type. */
async function dumpRedis(): Promise<string> {
  const redis = await connectRedis(REDIS_URL, "producer");
  const out: string[] = [];
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `*${prefix}*`, "COUNT", 500);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        const value =
          type === "string" ? await redis.get(key)
          : type === "hash" ? await redis.hgetall(key)
          : type === "list" ? await redis.lrange(key, 0, -1)
          : type === "set" ? await redis.smembers(key)
          : type === "zset" ? await redis.zrange(key, "0", "-1")
          : type === "stream" ? await redis.xrange(key, "-", "+")
          : null;
        out.push(`${key} ${JSON.stringify(value)}`);
      }
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
  return out.join("\n");
}

it("no secret in logs, reports, dashboard answers, job data in Redis or error messages after a full run", async () => {
  const privateLink = "https://github.com/acme/kernel/files/77/console.log";
  nock("https://github.com").get("/acme/kernel/files/77/console.log").reply(404, "Not Found");
  nock("https://github.com", { reqheaders: { authorization: `token ${installationToken}` } })
    .get("/acme/kernel/files/77/console.log")
    .reply(200, "[  812.000456] BUG: KASAN: slab-use-after-free in ext4_htree_fill_tree+0x1f/0x80\n[  812.000460] Write of size 8 at addr ffff888012acfc20 by task a/1\n");
  nock("https://github.com").get("/acme/kernel/files/78/trace.txt").reply(404, "gone").persist();
  fake.addIssue(1, "kernel crash", `Private attachment: ${privateLink}`, ["crash"]);
  fake.addIssue(2, "kernel crash 2", "Broken link: https://github.com/acme/kernel/files/78/trace.txt\n\n```\n[ 1.0] BUG: KASAN: use-after-free in f+0x1/0x2\n```\n", ["crash"]);
  fake.failNext("POST", /\/issues\/1\/comments$/, 502, 1);

  expect((await deliver(issuePayload(fake, "opened", 1))).status).toBe(200);
  expect((await deliver(issuePayload(fake, "opened", 2))).status).toBe(200);
  expect((await deliver(issuePayload(fake, "opened", 1), "a-wrong-secret")).status).toBeGreaterThanOrEqual(400);
  const report = (n: number) => fake.issues.get(n)!.comments.find((c) => c.body.includes(REPORT_MARKER))?.body;
  await until(() => report(1) !== undefined && report(2) !== undefined, 90_000);
  // The private attachment was read with the token.
  expect(report(1)).toMatch(/use-after-free/i);

  for (const auth of [`Bearer ${dashboardToken}`, "Bearer wrong-token-wrong-token-wrong", ""]) {
    for (const path of ["/api/stats", "/api/crashes", "/api/crash?repository=acme/kernel&issue=1", "/metrics", "/readyz"]) {
      const res = await fetch(`${bot.server.url}${path}`, { headers: auth ? { authorization: auth } : {} });
      answers.push(await res.text());
    }
  }
  await until(async () => (await dumpRedis()).includes("ext4_htree_fill_tree"), 20_000);

  const haystacks: Record<string, string> = {
    logs: log.lines.join(""),
    comments: [...fake.issues.values()].flatMap((i) => i.comments.map((c) => c.body)).join("\n"),
    "dashboard and webhook answers": answers.join("\n"),
    redis: await dumpRedis(),
  };
  const keyBody = privateKey.split("\n").filter((l) => l && !l.startsWith("-----"));
  const secrets: Record<string, string[]> = {
    "webhook secret": [webhookSecret],
    "dashboard token": [dashboardToken],
    "installation token": [installationToken, installationToken.slice(4)],
    "private key": [keyBody[1]!, keyBody[keyBody.length - 2]!, keyBody.join("")],
  };
  // The haystacks hold what a leak would land in: logs of every step, errors included.
  expect(haystacks.logs).toMatch(/failed; will retry with backoff/);
  expect(haystacks.redis.length).toBeGreaterThan(1000);
  const leaks: string[] = [];
  for (const [where, text] of Object.entries(haystacks)) {
    for (const [what, needles] of Object.entries(secrets)) if (needles.some((n) => text.includes(n))) leaks.push(`${what} in ${where}`);
  }
  expect(leaks).toEqual([]);
  console.info(`secrets: searched ${log.lines.length} log lines, ${haystacks.comments.length} bytes of comments, ${answers.length} HTTP answers, ${haystacks.redis.length} bytes of Redis values; leaks: ${leaks.length}`);
}, 120_000);
