import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CONFIG_ERROR_MARKER, REPORT_MARKER } from "../../src/workers/issue-comments.js";
import { fakeVerdict, FakeRunner } from "./fake-analysis.js";
import { FakeGitHub } from "./fake-github.js";
import { commentPayload, issuePayload, startPipeline, until, type Pipeline } from "./pipeline-harness.js";

/** Configuration, commands and GitHub's rate limits, through the whole pipeline. */
const ATTACHMENT = "https://github.com/user-attachments/files/9/console.log";

let fake: FakeGitHub;
let pipeline: Pipeline;

beforeEach(async () => {
  fake = new FakeGitHub("acme", "kernel");
  pipeline = await startPipeline(fake);
  nock("https://github.com").persist().get("/user-attachments/files/9/console.log").reply(200, "BUG: KASAN: use-after-free in f+0x1/0x2\n");
});
afterEach(async () => {
  await pipeline.close();
});

const comments = (issue: number, marker: string) => fake.issues.get(issue)!.comments.filter((c) => c.body.includes(marker));

async function triageIssue1(runner: FakeRunner): Promise<void> {
  fake.addIssue(1, "crash", `log: ${ATTACHMENT}`, ["crash"]);
  await pipeline.startWorkers(runner);
  await pipeline.deliver("issues", issuePayload(fake, "opened", 1));
  await until(() => comments(1, REPORT_MARKER).length === 1);
  await pipeline.drained();
}

async function comment(issue: number, id: number, body: string, login: string): Promise<void> {
  fake.issues.get(issue)!.comments.push({ id, body, user: { login, type: "User" } });
  await pipeline.deliver("issue_comment", commentPayload(fake, issue, { id, body, login }));
  await pipeline.drained();
}

describe("repository configuration", () => {
  it("answers an invalid .github/casefile.yml with one comment naming the key, and triages nothing", async () => {
    fake.files.set("acme/kernel/.github/casefile.yml", "labels:\n  verdict_prefx: 'crash:'\n");
    fake.addIssue(1, "crash", `log: ${ATTACHMENT}`, ["crash"]);
    const runner = new FakeRunner();
    await pipeline.startWorkers(runner);
    await pipeline.deliver("issues", issuePayload(fake, "opened", 1));
    await until(() => comments(1, CONFIG_ERROR_MARKER).length === 1);
    await pipeline.drained();
    // An edit re-delivers: still one config comment.
    fake.issues.get(1)!.body += "\n\nmore details";
    await pipeline.deliver("issues", issuePayload(fake, "edited", 1, { changes: { body: { from: "" } } }));
    await pipeline.drained();
    expect(comments(1, CONFIG_ERROR_MARKER)).toHaveLength(1);
    expect(comments(1, CONFIG_ERROR_MARKER)[0].body).toMatch(/labels.*`verdict_prefx`/);
    expect(runner.inputs).toHaveLength(0);
  });

  it("answers a .github/casefile.yml that is not YAML with a comment saying so", async () => {
    fake.files.set("acme/kernel/.github/casefile.yml", "labels: [unclosed\n  owners: {\n");
    fake.addIssue(1, "crash", `log: ${ATTACHMENT}`, ["crash"]);
    await pipeline.startWorkers(new FakeRunner());
    await pipeline.deliver("issues", issuePayload(fake, "opened", 1));
    await until(() => comments(1, CONFIG_ERROR_MARKER).length === 1);
    expect(comments(1, CONFIG_ERROR_MARKER)[0].body).toMatch(/casefile\.yml/);
    expect(comments(1, REPORT_MARKER)).toHaveLength(0);
  });

  it("uses the repository's trigger labels, label prefix and allowed hosts", async () => {
    fake.files.set("acme/kernel/.github/casefile.yml", "trigger: { labels: [kernel-oops], detect_in_body: false }\nlabels: { verdict_prefix: 'oops/' }\nartifacts: { allowed_hosts: [logs.example.org] }\n");
    nock("https://logs.example.org").get("/run/7").reply(200, "BUG: KASAN: use-after-free in g+0x1/0x2\n");
    fake.addIssue(1, "crash", "BUG: KASAN: use-after-free in g+0x1/0x2 — see https://logs.example.org/run/7", ["crash"]);
    const runner = new FakeRunner(fakeVerdict({ labels: ["oops/use-after-free"] }));
    await pipeline.startWorkers(runner);
    await pipeline.deliver("issues", issuePayload(fake, "opened", 1));
    await pipeline.drained();
    // "crash" is not this repository's trigger label and body detection is off: ignored.
    expect(runner.inputs).toHaveLength(0);
    fake.issues.get(1)!.labels.push("kernel-oops");
    await pipeline.deliver("issues", issuePayload(fake, "labeled", 1, { label: { name: "kernel-oops" } }));
    await until(() => comments(1, REPORT_MARKER).length === 1);
    await pipeline.drained();
    expect(runner.inputs[0].contents).toEqual(["BUG: KASAN: use-after-free in g+0x1/0x2\n"]);
    expect(fake.issues.get(1)!.labels).toContain("oops/use-after-free");
  });
});

describe("owners", () => {
  it("assigns the primary owner when its rule says assign, and adds its label", async () => {
    fake.files.set("acme/kernel/.github/casefile.yml", "owners:\n  - match: { function: 'ext4_*' }\n    owner: '@alice'\n    label: 'owner:fs'\n    assign: true\n");
    const runner = new FakeRunner(fakeVerdict({ owners: [{ owner: "@alice", label: "owner:fs", reason: "function ext4_htree_fill_tree matches ext4_*" }], labels: ["crash:use-after-free", "owner:fs"] }));
    await triageIssue1(runner);
    expect(fake.issues.get(1)!.assignees).toEqual(["alice"]);
    expect(fake.issues.get(1)!.labels).toContain("owner:fs");
  });
});

describe("commands", () => {
  it("records /casefile wrong from someone with write access and relabels the issue", async () => {
    await triageIssue1(new FakeRunner());
    fake.permissions.set("maintainer", "write");
    await comment(1, 501, "That is not it.\n/casefile wrong stale-dma", "maintainer");
    const corrections = await pipeline.store.correctionsOf("acme/kernel", 1);
    expect(corrections.verdict).toMatchObject({ kind: "verdict", from: "use-after-free", to: "stale-dma", by: "maintainer" });
    expect(fake.issues.get(1)!.labels.sort()).toEqual(["crash", "crash:stale-dma"]);
    // A rerun that concludes use-after-free again keeps the people's verdict label, and says so.
    await comment(1, 504, "/casefile rerun", "maintainer");
    await until(() => comments(1, REPORT_MARKER)[0].body.includes("Corrected by people"));
    await pipeline.drained();
    expect(fake.issues.get(1)!.labels.sort()).toEqual(["crash", "crash:stale-dma"]);
    expect(comments(1, REPORT_MARKER)[0].body).toContain("verdict `stale-dma` (by maintainer)");
  });

  it("refuses corrections from people without write access, and records nothing", async () => {
    await triageIssue1(new FakeRunner());
    fake.permissions.set("drive-by", "read");
    await comment(1, 502, "/casefile owner owner:rdma", "drive-by");
    expect(await pipeline.store.correctionsOf("acme/kernel", 1)).toEqual({});
    expect(fake.issues.get(1)!.labels).not.toContain("owner:rdma");
    expect(fake.issues.get(1)!.comments.at(-1)!.body).toMatch(/only people with write access/);
  });

  it("/casefile explain re-renders the one report with the full evidence", async () => {
    // With scores, the explained report shows the weighing of every verdict.
    const runner = new FakeRunner(fakeVerdict({ scores: [{ verdict: "use-after-free", score: 0.9 }, { verdict: "double-free", score: 0.2 }] }));
    await triageIssue1(runner);
    const before = comments(1, REPORT_MARKER)[0].body;
    await comment(1, 503, "/casefile explain", "bob");
    await until(() => comments(1, REPORT_MARKER)[0].body !== before);
    expect(comments(1, REPORT_MARKER)).toHaveLength(1);
    expect(comments(1, REPORT_MARKER)[0].body).toContain("double-free");
  });
});

describe("GitHub rate limits", () => {
  it("pause the queue on a secondary rate limit instead of failing the job, then post once", async () => {
    fake.failNext("POST", /\/issues\/1\/comments$/, 403, 1, { "retry-after": "1" });
    await triageIssue1(new FakeRunner());
    expect(comments(1, REPORT_MARKER)).toHaveLength(1);
    expect(fake.count("POST", /\/issues\/1\/comments$/)).toBe(2);
    const failed = await pipeline.queues.publish.getFailed();
    expect(failed).toHaveLength(0);
    const [done] = await pipeline.queues.publish.getCompleted();
    // A rate-limit wait does not spend the job's attempts.
    expect(done.attemptsMade).toBeLessThanOrEqual(1);
  });
});
