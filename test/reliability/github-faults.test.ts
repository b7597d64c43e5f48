import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPORT_MARKER } from "../../src/workers/issue-comments.js";
import { FakeRunner } from "../pipeline/fake-analysis.js";
import { FakeGitHub } from "../pipeline/fake-github.js";
import { issuePayload, startPipeline, until, type Pipeline } from "../pipeline/pipeline-harness.js";
import { LogCapture, startLoggedWorkers } from "./logged-workers.js";

/** GitHub failing: retried with backoff, paused for a rate limit, dropped for good on a 404; each said in the log. */
const ATTACHMENT = "https://github.com/user-attachments/files/123/console.log";
let fake: FakeGitHub;
let pipeline: Pipeline;
let log: LogCapture;
let closeQueues: () => Promise<void> = async () => undefined;

beforeEach(async () => {
  fake = new FakeGitHub("acme", "kernel");
  pipeline = await startPipeline(fake);
  log = new LogCapture();
  nock("https://github.com").persist().get("/user-attachments/files/123/console.log").reply(200, "[ 1.0] BUG: KASAN: use-after-free in f+0x1/0x2\n");
});
afterEach(async () => {
  await pipeline.close();
  await closeQueues();
});

const reports = (n: number) => fake.issues.get(n)!.comments.filter((c) => c.body.includes(REPORT_MARKER));

describe("GitHub answering errors", () => {
  it("500 and 502 on posting: retried with backoff, one comment, the analysis not repeated", async () => {
    fake.addIssue(1, "kernel crash", `log: ${ATTACHMENT}`, ["crash"]);
    fake.failNext("POST", /\/issues\/1\/comments$/, 500, 1);
    fake.failNext("POST", /\/issues\/1\/comments$/, 502, 1);
    const runner = new FakeRunner();
    closeQueues = (await startLoggedWorkers(pipeline, runner, log)).close;
    await pipeline.deliver("issues", issuePayload(fake, "opened", 1));
    await until(() => reports(1).length === 1);
    await pipeline.drained();
    expect(reports(1)).toHaveLength(1);
    expect(fake.count("POST", /\/issues\/1\/comments$/)).toBe(3);
    expect(runner.inputs).toHaveLength(1);
    const retries = log.find("failed; will retry with backoff");
    expect(retries.map((e) => e.queue)).toEqual(["publish", "publish"]);
    expect(retries.map((e) => e.attempt)).toEqual([1, 2]);
  });

  it("403 secondary rate limit with retry-after: the queue pauses that long, then posts once", async () => {
    fake.addIssue(1, "kernel crash", `log: ${ATTACHMENT}`, ["crash"]);
    fake.failNext("POST", /\/issues\/1\/comments$/, 403, 1, { "retry-after": "2" });
    closeQueues = (await startLoggedWorkers(pipeline, new FakeRunner(), log)).close;
    const t0 = Date.now();
    await pipeline.deliver("issues", issuePayload(fake, "opened", 1));
    await until(() => reports(1).length === 1);
    await pipeline.drained();
    expect(reports(1)).toHaveLength(1);
    const paused = log.find("GitHub rate limit: pausing the queue");
    expect(paused).toHaveLength(1);
    expect(paused[0]).toMatchObject({ queue: "publish", waitMs: 2000 });
    // A rate limit spends no attempt: nothing was logged as a failure.
    expect(log.find("failed; will retry with backoff")).toEqual([]);
    expect(log.find("dropped: cannot succeed")).toEqual([]);
    console.info(`403 retry-after 2: report posted ${Date.now() - t0} ms after the delivery`);
  });

  it("404 for a deleted issue: dropped at once with a log line, never retried, no comment anywhere", async () => {
    fake.addIssue(1, "kernel crash", `log: ${ATTACHMENT}`, ["crash"]);
    const payload = issuePayload(fake, "opened", 1);
    fake.issues.delete(1);
    closeQueues = (await startLoggedWorkers(pipeline, new FakeRunner(), log)).close;
    await pipeline.deliver("issues", payload);
    await until(async () => (await pipeline.queues.intake.getJobCounts("failed")).failed === 1);
    await pipeline.drained();
    expect(fake.count("GET", /\/issues\/1$/)).toBe(1);
    const dropped = log.find("dropped: cannot succeed");
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toMatchObject({ queue: "intake" });
    expect(fake.count("POST", /\/comments$/)).toBe(0);
  });
});
