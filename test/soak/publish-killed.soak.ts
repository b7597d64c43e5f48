import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, expect, it } from "vitest";
import { REPORT_MARKER } from "../../src/workers/issue-comments.js";
import { FakeRunner } from "../pipeline/fake-analysis.js";
import { FakeGitHub } from "../pipeline/fake-github.js";
import { issuePayload, REDIS_URL, startPipeline, until, type Pipeline } from "../pipeline/pipeline-harness.js";

/**
 * The worst moment to die while publishing: the report comment exists on GitHub, the
 * publisher never heard back. The publisher runs in a child process that reaches the fake
 * GitHub through a forwarding server here, which SIGKILLs it as the comment is created.
 * Another worker takes the stalled publish job over: still exactly one comment.
 */
let fake: FakeGitHub;
let pipeline: Pipeline;
let child: ChildProcess | null = null;
let forwarder: Server;

beforeEach(async () => {
  fake = new FakeGitHub("acme", "kernel");
  pipeline = await startPipeline(fake);
});
afterEach(async () => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  await new Promise<void>((r) => forwarder?.close(() => r()));
  await pipeline.close();
});

/** Serves the fake GitHub over real HTTP; `onComment` runs once a report comment was created. */
function forward(onComment: () => void): Promise<string> {
  forwarder = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString();
      const url = req.url ?? "/";
      const [status, body, headers] = fake.route(req.method ?? "GET", decodeURIComponent(url.split("?")[0]!), url, text ? (JSON.parse(text) as Record<string, unknown>) : {});
      const isText = typeof body === "string";
      if (req.method === "POST" && /\/issues\/\d+\/comments$/.test(url) && status === 201) {
        // Killed before the answer leaves: the comment exists, the publisher never learns it.
        onComment();
        return;
      }
      res.writeHead(status, { "content-type": isText ? "text/plain" : "application/json", ...(headers ?? {}) }).end(isText ? body : JSON.stringify(body));
    });
  });
  return new Promise((resolve) => forwarder.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(forwarder.address() as { port: number }).port}`)));
}

it("completes a publish once when its worker is killed (SIGKILL) after creating the comment", async () => {
  const body = "Crash:\n\n```\n[ 1.0] BUG: KASAN: use-after-free in ext4_htree_fill_tree+0x1f/0x80\n```\n";
  fake.addIssue(1, "kernel crash", body, ["crash"]);
  let killedAt = 0;
  const baseUrl = await forward(() => {
    killedAt = Date.now();
    child?.kill("SIGKILL");
  });
  // This process runs intake, analysis and record; publishing happens in the doomed child.
  await pipeline.startWorkers(new FakeRunner(), { queues: ["intake", "analyze", "record"] });
  const fixture = fileURLToPath(new URL("./fixtures/publish-worker.ts", import.meta.url));
  child = spawn(process.execPath, ["--import", "tsx", fixture], {
    env: { ...process.env, REDIS_URL, CASEFILE_TEST_PREFIX: pipeline.prefix, GITHUB_BASE_URL: baseUrl },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    child!.stdout!.on("data", (d: Buffer) => d.toString().includes("READY") && resolve());
    child!.once("exit", (code) => reject(new Error(`publisher exited (${code}) before it was ready`)));
  });
  await pipeline.deliver("issues", issuePayload(fake, "opened", 1));
  await until(() => killedAt > 0, 30_000);
  expect(fake.issues.get(1)!.comments.filter((c) => c.body.includes(REPORT_MARKER))).toHaveLength(1);

  // Another worker takes the stalled publish job over once the dead worker's locks expire.
  await pipeline.startWorkers(new FakeRunner(), { queues: ["publish"] });
  await until(async () => (await pipeline.queues.publish.getJobCounts("completed")).completed === 1, 120_000);
  await pipeline.drained(30_000);
  const recovered = Date.now() - killedAt;
  expect(fake.issues.get(1)!.comments.filter((c) => c.body.includes(REPORT_MARKER))).toHaveLength(1);
  expect(fake.count("POST", /\/issues\/1\/comments$/)).toBe(1);
  expect(await pipeline.queues.publish.getJobCounts("completed", "failed")).toEqual({ completed: 1, failed: 0 });
  expect((await pipeline.store.get("acme/kernel", 1))?.verdict).toBe("use-after-free");
  console.info(`publish killed after creating its comment: taken over and completed ${recovered} ms later, comments 1`);
}, 180_000);
