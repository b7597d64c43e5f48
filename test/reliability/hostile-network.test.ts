import { createHmac } from "node:crypto";
import { Readable } from "node:stream";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WorkerSettings } from "../../src/workers/casefile-workers.js";
import { REPORT_MARKER } from "../../src/workers/issue-comments.js";
import { FakeRunner } from "../pipeline/fake-analysis.js";
import { FakeGitHub } from "../pipeline/fake-github.js";
import { issuePayload, startPipeline, until, WEBHOOK_SECRET, type Pipeline } from "../pipeline/pipeline-harness.js";

/**
 * Hostile links and hostile deliveries through the whole pipeline (real Redis, nock GitHub).
 * Refusals happen in the URL check, before any socket: nock has net connect disabled, so a
 * connection attempt would show up as a different reason ("Disallowed net connect").
 */
const GOOD = "https://github.com/user-attachments/files/123/console.log";
const CONSOLE = "[  1.0] BUG: KASAN: use-after-free in ext4_htree_fill_tree+0x1f/0x80\n";

let fake: FakeGitHub;
let pipeline: Pipeline;

beforeEach(async () => {
  fake = new FakeGitHub("acme", "kernel");
  pipeline = await startPipeline(fake);
  nock("https://github.com").persist().get("/user-attachments/files/123/console.log").reply(200, CONSOLE);
});
afterEach(async () => {
  await pipeline.close();
});

function report(issue: number): string {
  return fake.issues.get(issue)!.comments.find((c) => c.body.includes(REPORT_MARKER))?.body ?? "";
}

async function triage(body: string, runner = new FakeRunner(), settings: Partial<WorkerSettings> = {}): Promise<{ body: string; runner: FakeRunner }> {
  fake.addIssue(1, "kernel crash", body, ["crash"]);
  await pipeline.startWorkers(runner, settings);
  expect((await pipeline.deliver("issues", issuePayload(fake, "opened", 1))).status).toBe(200);
  await until(() => report(1) !== "", 30_000);
  await pipeline.drained();
  return { body: report(1), runner };
}

describe("server-side request forgery: refused before connecting, and the report says which link and why", () => {
  it("loopback, private, link-local, cloud metadata, IPv6, numeric and local names, and credentials", async () => {
    const links: [string, RegExp][] = [
      ["http://10.1.2.3/crash/console.log", /10\.1\.2\.3 is a private address/],
      ["http://192.168.1.20/dmesg.txt", /192\.168\.1\.20 is a private address/],
      ["http://169.254.169.254/latest/meta-data/iam/dump.txt", /169\.254\.169\.254 is a link-local address \(cloud metadata/],
      // Numeric forms are normalised by the URL parser: both are http://127.0.0.1/console.log.
      ["http://2130706433/console.log", /`http:\/\/127\.0\.0\.1\/console\.log`: 127\.0\.0\.1 is a loopback address/],
      ["http://0x7f.1/console.log", /127\.0\.0\.1 is a loopback address/],
      ["http://metadata.google.internal/computeMetadata/v1/dump.json", /metadata\.google\.internal is a local host name/],
      ["http://localhost:6379/x.log", /localhost is a local host name/],
      ["https://alice:hunter2@github.com/user-attachments/files/9/console.log", /links with credentials in them are refused/],
    ];
    // IPv6 literals are not taken for artifact links at all: never fetched, so not listed either.
    const ipv6 = ["http://[::1]:9000/vmcore.gz", "http://[fe80::1]/trace.txt", "http://[::ffff:127.0.0.1]/trace.txt"];
    const { body, runner } = await triage(`Logs:\n\n${[...links.map(([l]) => l), ...ipv6].map((l) => `- ${l}`).join("\n")}\n- ${GOOD}\n`);
    const notRead = body.slice(body.indexOf("**Not read**"));
    for (const [, reason] of links) expect(notRead).toMatch(reason);
    expect(notRead).not.toMatch(/Disallowed net connect|ECONNREFUSED/);
    // The good attachment was still analysed, and nothing else was.
    expect(runner.inputs).toHaveLength(1);
    expect(runner.inputs[0].contents).toEqual([CONSOLE]);
    // Refusals are final: no analysis retry was spent on them.
    expect(await pipeline.queues.analyze.getJobCounts("completed", "failed")).toEqual({ completed: 1, failed: 0 });
  });

  it("an allowed host that redirects to a disallowed one is refused at the redirect", async () => {
    nock("https://github.com").get("/user-attachments/files/7/trace.txt").reply(302, "", { location: "http://169.254.169.254/latest/meta-data/trace.txt" });
    nock("https://raw.githubusercontent.com").get("/acme/kernel/main/dmesg.txt").reply(301, "", { location: "https://evil.example.net/dmesg.txt" });
    const { body } = await triage(`- https://github.com/user-attachments/files/7/trace.txt\n- https://raw.githubusercontent.com/acme/kernel/main/dmesg.txt\n- ${GOOD}`);
    expect(body).toMatch(/trace\.txt`: redirected to http:\/\/169\.254\.169\.254\/latest\/meta-data\/trace\.txt: 169\.254\.169\.254 is a link-local address/);
    expect(body).toMatch(/dmesg\.txt`: redirected to https:\/\/evil\.example\.net\/dmesg\.txt: evil\.example\.net is not an allowed host/);
  });
});

describe("slow and endless downloads are cut off by the timeouts and the size limit", () => {
  it("one byte a second, a server that never sends, and an endless stream", async () => {
    // The whole download may take 4 s. The idle limit (tested in test/workers) is set above it
    // here: nock's mock socket does not reset the idle timer on data, a real one does.
    fake.files.set("acme/kernel/.github/casefile.yml", "artifacts:\n  max_file_bytes: 1048576\n");
    const timers: NodeJS.Timeout[] = [];
    const trickle = () =>
      new Readable({
        read() {
          timers.push(setTimeout(() => this.push("x"), 1000));
        },
      });
    const endless = () =>
      new Readable({
        read() {
          timers.push(setTimeout(() => this.push(Buffer.alloc(64 * 1024, 0x41)), 1));
        },
      });
    nock("https://github.com").get("/user-attachments/files/1/trickle.log").reply(200, trickle);
    nock("https://github.com").get("/user-attachments/files/2/silent.log").delay({ head: 0, body: 60_000 }).reply(200, "late");
    nock("https://github.com").get("/user-attachments/files/3/endless.log").reply(200, endless);
    const started = Date.now();
    const links = ["trickle.log", "silent.log", "endless.log"].map((n, i) => `https://github.com/user-attachments/files/${i + 1}/${n}`);
    const { body, runner } = await triage(`${links.join("\n")}\n${GOOD}\n`, new FakeRunner(), { analyze: { downloadTimeoutMs: 4000, downloadIdleTimeoutMs: 30_000 } });
    for (const t of timers) clearTimeout(t);
    const elapsed = Date.now() - started;
    expect(body).toMatch(/trickle\.log`: not finished within 4s/);
    expect(body).toMatch(/silent\.log`: (not finished|no answer) within 4s/);
    expect(body).toMatch(/endless\.log`: more than the limit of 1048576 bytes/);
    expect(runner.inputs[0].contents).toEqual([CONSOLE]);
    console.info(`slow/endless downloads: report after ${elapsed} ms`);
  }, 60_000);
});

describe("hostile webhook deliveries", () => {
  async function post(body: string, headers: Record<string, string>): Promise<Response> {
    return fetch(`${pipeline.url}/api/github/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "issues", "x-github-delivery": `d-${Math.random()}`, ...headers },
      body,
    });
  }
  const sign = (body: string, secret = WEBHOOK_SECRET) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

  it("a missing signature, another secret's signature and a signature of another body are rejected and enqueue nothing", async () => {
    fake.addIssue(1, "kernel crash", `log: ${GOOD}`, ["crash"]);
    const body = JSON.stringify(issuePayload(fake, "opened", 1));
    const answers = [
      await post(body, {}),
      await post(body, { "x-hub-signature-256": sign(body, "not-the-secret") }),
      await post(body, { "x-hub-signature-256": sign(body.replace("kernel crash", "kernel crash!")) }),
      await post(body, { "x-hub-signature-256": "sha256=" }),
      await post(body, { "x-hub-signature": `sha1=${createHmac("sha1", WEBHOOK_SECRET).update(body).digest("hex")}` }),
    ];
    for (const res of answers) expect(res.status).toBeGreaterThanOrEqual(400);
    expect(await pipeline.queues.intake.count()).toBe(0);
    // A correctly signed delivery still goes through afterwards.
    expect((await post(body, { "x-hub-signature-256": sign(body) })).status).toBe(200);
    expect(await pipeline.queues.intake.count()).toBe(1);
  });

  it("an oversized payload is rejected, whether it announces its length or streams it chunked", async () => {
    const big = `{"action":"opened","pad":"${"x".repeat(26 * 1024 * 1024)}"}`;
    const announced = await post(big, { "x-hub-signature-256": sign(big) }).catch((e: Error) => e);
    if (announced instanceof Response) expect(announced.status).toBe(413);
    const chunked = await fetch(`${pipeline.url}/api/github/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "issues", "x-github-delivery": "d-chunked", "x-hub-signature-256": sign(big) },
      body: Readable.toWeb(Readable.from([Buffer.from(big)])) as ReadableStream,
      duplex: "half",
    } as RequestInit).catch((e: Error) => e);
    if (chunked instanceof Response) expect(chunked.status).toBe(411);
    expect(await pipeline.queues.intake.count()).toBe(0);
    // The server is still up.
    expect(await (await fetch(`${pipeline.url}/ping`)).text()).toBe("PONG");
  });
});
