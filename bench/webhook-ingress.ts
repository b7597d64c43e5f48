/**
 * `npm run bench:ingress`: signed `issues.labeled` deliveries at 1,000/s for 30 s on loopback,
 * first against a bare Probot 14 app whose handler only adds a BullMQ job (the baseline), then
 * against `casefile bot` itself (the real server: routing, dedupe lookup, enqueue, metrics).
 * Each server runs in its own child process; autocannon runs here. Acknowledgement latency is
 * autocannon's (request sent to response received). Redis keys are removed afterwards.
 * Prints one `BENCH webhook-ingress key=value ...` line.
 * Options: --rate N (default 1000), --seconds N (default 30), --connections N (default 50).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { machineLoadFields, optionNumber } from "./support/bench-options.js";
import { freePort, isStopping, stopChild } from "./support/child-processes.js";
import { deliverAtRate, type LoadResult } from "./support/webhook-load.js";

const rate = optionNumber("--rate", 1000);
const seconds = optionNumber("--seconds", 30);
const connections = optionNumber("--connections", 50);
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const run = randomBytes(4).toString("hex");
const secret = randomBytes(16).toString("hex");
const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();

function startChild(script: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL(script, import.meta.url)), ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
    if (process.env.BENCH_DEBUG) process.stderr.write(d);
  });
  child.on("exit", (code) => {
    if (code && code !== 0 && !isStopping(child)) process.stderr.write(`${script} exited ${code}: ${err}\n`);
  });
  child.stdout!.resume();
  return child;
}

async function waitForPing(url: string, path: string): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      const res = await fetch(url + path, { method: path === "/ping" ? "GET" : "POST" });
      if (res.status < 500) return;
    } catch (err) {
      if (process.env.BENCH_DEBUG) process.stderr.write(`waiting for ${url}: ${String(err)}\n`);
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up within 180 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function measure(label: string, script: string, args: string[], env: NodeJS.ProcessEnv, probePath: string, firstIssue: number): Promise<LoadResult> {
  const port = await freePort();
  const child = startChild(script, args, { ...env, PORT: String(port) });
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitForPing(url, probePath);
    // A short warm-up (JIT, Redis connections), not counted.
    await deliverAtRate(url + "/api/github/webhooks", secret, { rate: Math.min(rate, 200), seconds: 2, connections: 10, firstIssue: firstIssue + 10_000_000 });
    const r = await deliverAtRate(url + "/api/github/webhooks", secret, { rate, seconds, connections, firstIssue });
    process.stderr.write(`${label}: ${JSON.stringify(r)}\n`);
    return r;
  } finally {
    await stopChild(child, 10_000);
  }
}

async function cleanup(pattern: string): Promise<void> {
  const redis = new Redis(redisUrl);
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== "0");
  await redis.quit();
}

const barePrefix = `bench-bare-${run}`;
const botPrefix = `bench-bot-${run}`;
try {
  const baseline = await measure("bare-probot", "./support/bare-probot-server.ts", [], { WEBHOOK_SECRET: secret, PRIVATE_KEY: privateKey, REDIS_URL: redisUrl, BENCH_PREFIX: barePrefix }, "/api/github/webhooks", 1);
  const bot = await measure(
    "casefile-bot",
    "./support/run-casefile-cli.ts",
    ["bot"],
    { APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: secret, REDIS_URL: redisUrl, CASEFILE_PREFIX: botPrefix, LOG_LEVEL: "warn", HOST: "127.0.0.1" },
    "/ping",
    1,
  );
  const errors = (r: LoadResult) => r.errors + r.non2xx + r.timeouts;
  console.log(
    [
      "BENCH webhook-ingress",
      `rate=${rate}/s`,
      `seconds=${seconds}`,
      `connections=${connections}`,
      `bot_sent=${bot.sent}`,
      `bot_p50_ms=${bot.p50}`,
      `bot_p99_ms=${bot.p99}`,
      `bot_max_ms=${bot.max}`,
      `bot_errors=${errors(bot)}`,
      `bot_rps=${bot.rps.toFixed(0)}`,
      `baseline_p50_ms=${baseline.p50}`,
      `baseline_p99_ms=${baseline.p99}`,
      `baseline_errors=${errors(baseline)}`,
      `ratio_p99=${(bot.p99 / Math.max(baseline.p99, 0.001)).toFixed(2)}`,
      `goal_p99_under_10ms=${bot.p99 < 10 && errors(bot) === 0}`,
      ...machineLoadFields(),
    ].join(" "),
  );
} finally {
  await cleanup(`*${barePrefix}*`);
  await cleanup(`*${botPrefix}*`);
}
