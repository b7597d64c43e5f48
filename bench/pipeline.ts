/**
 * `npm run bench:pipeline`: deliveries to posted comments. For 1, 2 and 4 worker processes:
 * start `casefile bot` and N `casefile worker` processes on a fresh Redis prefix, GitHub served
 * by a loopback stub (the pipeline tests' FakeGitHub over HTTP), then deliver signed
 * `issues.opened` webhooks for issues whose body carries a pasted KASAN console log, and wait
 * until every issue has its case-report comment. Measures bundles per minute (first delivery to
 * last report) and p50/p99 latency from delivery to comment. Redis keys are removed afterwards.
 * Prints one `BENCH pipeline key=value ...` line.
 * Options: --bundles N (per round, default 24), --workers 1,2,4.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { REPORT_MARKER } from "../src/workers/issue-comments.js";
import { machineLoadFields, optionNumber, optionText } from "./support/bench-options.js";
import { freePort, isStopping, stopChild } from "./support/child-processes.js";
import { startGitHubStub } from "./support/github-stub-server.js";
import { sign } from "./support/webhook-load.js";

const bundles = optionNumber("--bundles", 24);
const rounds = (optionText("--workers") ?? "1,2,4").split(",").map(Number);
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const secret = randomBytes(16).toString("hex");
const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const consoleLog = await readFile(fileURLToPath(new URL("../examples/kasan-uaf/console.log", import.meta.url)), "utf8");

function start(script: string, args: string[], env: Record<string, string>, readyLine: string | null): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL(script, import.meta.url)), ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out = (out + d.toString()).slice(-4000);
      if (readyLine && out.includes(readyLine)) resolve(child);
    });
    child.on("exit", (code) => {
      if (!isStopping(child)) reject(new Error(`${script} exited ${code}: ${err}`));
    });
    if (!readyLine) resolve(child);
  });
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function cleanup(prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `*${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== "0");
  await redis.quit();
}

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

interface Round {
  workers: number;
  perMinute: number;
  p50: number;
  p99: number;
  /** Issues that got the expected verdict label. */
  labelled: number;
}

async function round(workerCount: number): Promise<Round> {
  const prefix = `bench-pipe-${randomBytes(4).toString("hex")}`;
  const stub = await startGitHubStub("acme", "kernel", REPORT_MARKER);
  const children: ChildProcess[] = [];
  try {
    const body = "The box went down overnight. Console:\n\n```\n" + consoleLog + "```\n";
    for (let i = 1; i <= bundles; i++) stub.fake.addIssue(i, `KASAN use-after-free ${i}`, body, ["crash"]);
    const common = { APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: secret, REDIS_URL: redisUrl, CASEFILE_PREFIX: prefix, LOG_LEVEL: "warn" };
    const port = await freePort();
    children.push(await start("./support/run-casefile-cli.ts", ["bot"], { ...common, PORT: String(port), HOST: "127.0.0.1" }, null));
    for (let w = 0; w < workerCount; w++) children.push(await start("./support/run-pipeline-worker.ts", [], { ...common, BENCH_GITHUB_URL: stub.url }, "WORKER READY"));
    const url = `http://127.0.0.1:${port}`;
    for (let t = Date.now(); ; ) {
      const ok = await fetch(url + "/ping").then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() - t > 180_000) throw new Error("casefile bot did not come up within 180 s");
      await new Promise((r) => setTimeout(r, 200));
    }
    const deliveredAt = new Map<number, number>();
    for (let i = 1; i <= bundles; i++) {
      const payload = JSON.stringify({
        action: "opened",
        issue: { number: i, title: `KASAN use-after-free ${i}`, body, labels: [{ name: "crash" }], user: { login: "oncall", type: "User" } },
        repository: { name: "kernel", full_name: "acme/kernel", owner: { login: "acme", type: "Organization" } },
        installation: { id: 4242 },
        sender: { login: "oncall", type: "User" },
      });
      deliveredAt.set(i, Date.now());
      const res = await fetch(url + "/api/github/webhooks", {
        method: "POST",
        body: payload,
        headers: { "content-type": "application/json", "x-github-event": "issues", "x-github-delivery": randomUUID(), "x-hub-signature-256": sign(secret, payload) },
      });
      if (!res.ok) throw new Error(`delivery ${i} answered ${res.status}`);
    }
    await until(() => stub.reportedAt.size >= bundles, 20 * 60_000, `${bundles} case reports`);
    const first = Math.min(...deliveredAt.values());
    const last = Math.max(...stub.reportedAt.values());
    const lat = [...stub.reportedAt].map(([i, t]) => (t - deliveredAt.get(i)!) / 1000).sort((a, b) => a - b);
    // Labels follow the comment in the publish step: give the last ones a moment.
    const countLabelled = () => [...stub.fake.issues.values()].filter((i) => i.labels.includes("crash:use-after-free")).length;
    await until(() => countLabelled() >= bundles, 10_000, "labels").catch(() => undefined);
    const labelled = countLabelled();
    const r = { workers: workerCount, perMinute: (bundles / ((last - first) / 1000)) * 60, p50: pct(lat, 50), p99: pct(lat, 99), labelled };
    process.stderr.write(`pipeline ${JSON.stringify(r)} github_requests=${stub.requests}\n`);
    return r;
  } finally {
    for (const c of children.reverse()) await stopChild(c, 15_000);
    await stub.close();
    await cleanup(prefix);
  }
}

const results: Round[] = [];
for (const w of rounds) results.push(await round(w));
const base = results[0];
console.log(
  [
    "BENCH pipeline",
    `bundles=${bundles}`,
    ...results.flatMap((r) => [`w${r.workers}_per_min=${r.perMinute.toFixed(1)}`, `w${r.workers}_p50_s=${r.p50.toFixed(2)}`, `w${r.workers}_p99_s=${r.p99.toFixed(2)}`, `w${r.workers}_labelled=${r.labelled}/${bundles}`]),
    ...results.slice(1).map((r) => `speedup_w${r.workers}=${(r.perMinute / base.perMinute).toFixed(2)}`),
    ...machineLoadFields(),
  ].join(" "),
);
