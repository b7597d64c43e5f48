import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPORT_MARKER } from "../../src/workers/issue-comments.js";
import { fakeVerdict, FakeRunner } from "./fake-analysis.js";
import { FakeGitHub } from "./fake-github.js";
import { commentPayload, issuePayload, startPipeline, until, type Pipeline } from "./pipeline-harness.js";

/**
 * Webhook -> queue -> worker -> (fake) analysis -> publish -> record, with a real Redis and
 * nock for GitHub. The analysis is a fake here so failures point at the plumbing; the
 * end-to-end test with the real analysis is pipeline-end-to-end.test.ts.
 */
const CONSOLE = "[  1.0] BUG: KASAN: use-after-free in ext4_htree_fill_tree+0x1f/0x80\n[  1.1] Read of size 8 at addr ffff8880a1b2c3d4 by task syz-executor/42\n";
const ATTACHMENT = "https://github.com/user-attachments/files/123/console.log";

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

function reportComments(issue: number) {
  return fake.issues.get(issue)!.comments.filter((c) => c.body.includes(REPORT_MARKER));
}

describe("pipeline plumbing", () => {
  it("turns an opened crash issue with an attachment into exactly one report comment and its labels", async () => {
    fake.addIssue(1, "kernel crash", `The box died, log: ${ATTACHMENT}`, ["crash"]);
    const runner = new FakeRunner();
    await pipeline.startWorkers(runner);
    const res = await pipeline.deliver("issues", issuePayload(fake, "opened", 1));
    expect(res.status).toBe(200);
    await until(() => reportComments(1).length === 1);
    await pipeline.drained();
    expect(reportComments(1)).toHaveLength(1);
    expect(fake.issues.get(1)!.labels.sort()).toEqual(["crash", "crash:use-after-free"]);
    // The worker downloaded the attachment and handed its bytes to the analysis.
    expect(runner.inputs).toHaveLength(1);
    expect(runner.inputs[0].contents).toEqual([CONSOLE]);
    expect(runner.inputs[0].input.files[0].display).toBe("console.log");
    // And the verdict was recorded for the dashboard.
    const rec = await pipeline.store.get("acme/kernel", 1);
    expect(rec?.verdict).toBe("use-after-free");
    expect(rec?.issue_url).toBe("https://github.com/acme/kernel/issues/1");
  });

  it("answers duplicate deliveries and edits that change no artifact without a second analysis or comment", async () => {
    fake.addIssue(1, "kernel crash", `log: ${ATTACHMENT}`, ["crash"]);
    const runner = new FakeRunner();
    await pipeline.startWorkers(runner);
    const payload = issuePayload(fake, "opened", 1);
    expect((await pipeline.deliver("issues", payload, "delivery-1")).status).toBe(200);
    expect((await pipeline.deliver("issues", payload, "delivery-1")).status).toBe(200);
    await until(() => reportComments(1).length === 1);
    await pipeline.drained();
    fake.issues.get(1)!.body = `log: ${ATTACHMENT}\n\n(edited: the machine is a dual-socket box)`;
    await pipeline.deliver("issues", issuePayload(fake, "edited", 1, { changes: { body: { from: "x" } } }));
    await pipeline.drained();
    expect(runner.inputs).toHaveLength(1);
    expect(fake.count("POST", /\/issues\/1\/comments$/)).toBe(1);
  });

  it("edits the report in place on /casefile rerun", async () => {
    const issue = fake.addIssue(1, "kernel crash", `log: ${ATTACHMENT}`, ["crash"]);
    const runner = new FakeRunner();
    await pipeline.startWorkers(runner);
    await pipeline.deliver("issues", issuePayload(fake, "opened", 1));
    await until(() => reportComments(1).length === 1);
    await pipeline.drained();
    runner.verdict = { ...runner.verdict, confidence: 0.55, summary: "Second look: still a use-after-free." };
    issue.comments.push({ id: 77, body: "> /casefile rerun (quoted: ignored)\n/casefile rerun", user: { login: "bob", type: "User" } });
    await pipeline.deliver("issue_comment", commentPayload(fake, 1, { id: 77, body: issue.comments.at(-1)!.body, login: "bob" }));
    await until(() => runner.inputs.length === 2);
    await pipeline.drained();
    expect(reportComments(1)).toHaveLength(1);
    expect(fake.count("POST", /\/issues\/1\/comments$/)).toBe(1);
    expect(fake.count("PATCH", /\/issues\/comments\/\d+$/)).toBe(1);
    expect(reportComments(1)[0].body).toContain("Second look");
  });

  it("never puts back a label that a person removed", async () => {
    fake.addIssue(1, "kernel crash", `log: ${ATTACHMENT}`, ["crash"]);
    const runner = new FakeRunner();
    await pipeline.startWorkers(runner);
    await pipeline.deliver("issues", issuePayload(fake, "opened", 1));
    await until(() => fake.issues.get(1)!.labels.includes("crash:use-after-free"));
    await pipeline.drained();
    fake.personRemovesLabel(1, "crash:use-after-free");
    const issue = fake.issues.get(1)!;
    issue.comments.push({ id: 78, body: "/casefile rerun", user: { login: "bob", type: "User" } });
    await pipeline.deliver("issue_comment", commentPayload(fake, 1, { id: 78, body: "/casefile rerun", login: "bob" }));
    await until(() => runner.inputs.length === 2);
    await pipeline.drained();
    expect(fake.issues.get(1)!.labels).toEqual(["crash"]);
    expect(reportComments(1)).toHaveLength(1);
  });

  it("retries a GitHub 502 on posting and still posts once", async () => {
    fake.addIssue(1, "kernel crash", `log: ${ATTACHMENT}`, ["crash"]);
    fake.failNext("POST", /\/issues\/1\/comments$/, 502, 1);
    const runner = new FakeRunner();
    await pipeline.startWorkers(runner);
    await pipeline.deliver("issues", issuePayload(fake, "opened", 1));
    await until(() => reportComments(1).length === 1);
    await pipeline.drained();
    expect(reportComments(1)).toHaveLength(1);
    expect(fake.count("POST", /\/issues\/1\/comments$/)).toBe(2);
    // The analysis is a separate step: a publishing failure never repeats it.
    expect(runner.inputs).toHaveLength(1);
  });

  it("refuses links to loopback and to hosts nobody allowed, and says so in the report", async () => {
    fake.addIssue(1, "kernel crash", `logs: http://127.0.0.1:8080/console.log and https://evil.example.net/dump.txt and ${ATTACHMENT}`, ["crash"]);
    const runner = new FakeRunner();
    await pipeline.startWorkers(runner);
    await pipeline.deliver("issues", issuePayload(fake, "opened", 1));
    await until(() => reportComments(1).length === 1);
    await pipeline.drained();
    const body = reportComments(1)[0].body;
    expect(body).toContain("http://127.0.0.1:8080/console.log");
    expect(body).toMatch(/127\.0\.0\.1 is a loopback address/);
    expect(body).toMatch(/evil\.example\.net is not an allowed host/);
    // The allowed attachment was still analysed.
    expect(runner.inputs[0].contents).toEqual([CONSOLE]);
  });

  it("ignores issues without a trigger label or crash report, and comments by bots", async () => {
    fake.addIssue(2, "feature request", "please add dark mode");
    await pipeline.startWorkers(new FakeRunner());
    await pipeline.deliver("issues", issuePayload(fake, "opened", 2));
    const botComment = commentPayload(fake, 2, { id: 5, body: "/casefile rerun" }) as Record<string, unknown>;
    botComment.sender = { login: "other[bot]", type: "Bot" };
    await pipeline.deliver("issue_comment", botComment);
    await pipeline.drained();
    expect(await pipeline.queues.intake.getJobCounts("completed", "waiting")).toEqual({ completed: 0, waiting: 0 });
    expect(fake.issues.get(2)!.comments).toHaveLength(0);
  });

  it("answers 500 when the delivery cannot be queued, so GitHub redelivers it", async () => {
    fake.addIssue(1, "kernel crash", `log: ${ATTACHMENT}`, ["crash"]);
    pipeline.producer.disconnect();
    await until(() => pipeline.producer.status === "end");
    const res = await pipeline.deliver("issues", issuePayload(fake, "opened", 1));
    expect(res.status, await res.text()).toBeGreaterThanOrEqual(500);
    await pipeline.producer.connect();
    // Redelivered once Redis is back: queued.
    expect((await pipeline.deliver("issues", issuePayload(fake, "opened", 1))).status).toBe(200);
    expect(await pipeline.queues.intake.count()).toBe(1);
  });

  it("rejects a delivery with a wrong signature and queues nothing", async () => {
    fake.addIssue(1, "kernel crash", `log: ${ATTACHMENT}`, ["crash"]);
    const body = JSON.stringify(issuePayload(fake, "opened", 1));
    const res = await fetch(`${pipeline.url}/api/github/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "issues", "x-github-delivery": "d-bad", "x-hub-signature-256": "sha256=" + "0".repeat(64) },
      body,
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(await pipeline.queues.intake.count()).toBe(0);
  });

  it("re-analyses with every artifact when a comment adds an attachment, and edits the one report", async () => {
    const issue = fake.addIssue(1, "kernel crash", `log: ${ATTACHMENT}`, ["crash"]);
    nock("https://github.com").get("/user-attachments/files/124/trace.txt").reply(200, "trace bytes\n");
    const runner = new FakeRunner();
    await pipeline.startWorkers(runner);
    await pipeline.deliver("issues", issuePayload(fake, "opened", 1));
    await until(() => reportComments(1).length === 1);
    await pipeline.drained();
    const body = "and the trace: https://github.com/user-attachments/files/124/trace.txt";
    issue.comments.push({ id: 90, body, user: { login: "alice", type: "User" } });
    await pipeline.deliver("issue_comment", commentPayload(fake, 1, { id: 90, body }));
    await until(() => runner.inputs.length === 2);
    await pipeline.drained();
    expect(runner.inputs[1].contents).toEqual([CONSOLE, "trace bytes\n"]);
    expect(reportComments(1)).toHaveLength(1);
    expect(reportComments(1)[0].body).toContain("trace.txt");
  });

  it("drains on shutdown: a running analysis finishes and is published before the worker stops", async () => {
    fake.addIssue(1, "kernel crash", `log: ${ATTACHMENT}`, ["crash"]);
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const slow = new FakeRunner();
    const inner = slow.run.bind(slow);
    slow.run = async (input) => {
      started();
      await new Promise((r) => setTimeout(r, 1500));
      return inner(input);
    };
    const workers = await pipeline.startWorkers(slow);
    await pipeline.deliver("issues", issuePayload(fake, "opened", 1));
    await running;
    await workers.workers.find((w) => w.name === "analyze")!.close();
    expect(await pipeline.queues.analyze.getJobCounts("completed", "active", "failed")).toEqual({ completed: 1, active: 0, failed: 0 });
    await until(() => reportComments(1).length === 1);
  });

  it("never lets an older analysis that finishes late overwrite a newer report", async () => {
    fake.addIssue(1, "kernel crash", "x", ["crash"]);
    await pipeline.startWorkers(new FakeRunner());
    const job = (summary: string, requestedAt: number) => ({
      installationId: 1,
      owner: "acme",
      repo: "kernel",
      issue: 1,
      issueUrl: "https://github.com/acme/kernel/issues/1",
      explain: false,
      verdict: { ...fakeVerdict(), summary } as unknown as Record<string, unknown>,
      unreadable: [],
      config: {},
      receivedAt: new Date().toISOString(),
      requestedAt,
      analyzedAt: new Date().toISOString(),
      durationMs: 5,
      analysisId: `an_${requestedAt}`,
    });
    await pipeline.queues.publish.add("publish", job("Newer analysis.", 2000), { jobId: "pub_new" });
    await until(() => reportComments(1).length === 1);
    await pipeline.queues.publish.add("publish", job("Older analysis.", 1000), { jobId: "pub_old" });
    await pipeline.drained();
    expect(reportComments(1)[0].body).toContain("Newer analysis.");
    expect((await pipeline.queues.publish.getJob("pub_old"))?.returnvalue).toMatchObject({ comment: "superseded" });
  });

  it("answers /ping", async () => {
    const res = await fetch(`${pipeline.url}/ping`);
    expect(await res.text()).toBe("PONG");
  });
});
