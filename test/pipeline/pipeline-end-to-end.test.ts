import { readFileSync } from "node:fs";
import nock from "nock";
import { afterEach, beforeEach, expect, it } from "vitest";
import { ForkAnalysisRunner } from "../../src/workers/analysis-runner.js";
import { REPORT_MARKER } from "../../src/workers/issue-comments.js";
import { FakeGitHub } from "./fake-github.js";
import { issuePayload, startPipeline, until, type Pipeline } from "./pipeline-harness.js";

/**
 * The whole product path with the real analysis in its production sandbox (a child
 * process): a signed issues.opened delivery linking an attachment -> intake -> download ->
 * analysis -> one report comment, the verdict's labels, the crash store, duplicate linking.
 */
const LOG = readFileSync(new URL("./fixtures/syzkaller-106-kasan-uaf-consume_skb.log", import.meta.url), "utf8");

let fake: FakeGitHub;
let pipeline: Pipeline;

beforeEach(async () => {
  fake = new FakeGitHub("acme", "kernel");
  pipeline = await startPipeline(fake);
  nock("https://github.com").persist().get(/^\/user-attachments\/files\/\d+\/console\.log$/).reply(200, LOG);
});
afterEach(async () => {
  await pipeline.close();
});

const reports = (issue: number) => fake.issues.get(issue)!.comments.filter((c) => c.body.includes(REPORT_MARKER));

it("analyses a linked attachment for real and posts one report with the verdict's labels, then links a duplicate by signature", async () => {
  await pipeline.startWorkers(new ForkAnalysisRunner({ timeoutMs: 120_000, maxHeapMb: 512 }));
  fake.addIssue(1, "syzbot: KASAN in consume_skb", "Crashed overnight.\n\nConsole: https://github.com/user-attachments/files/5001/console.log", ["crash"]);
  expect((await pipeline.deliver("issues", issuePayload(fake, "opened", 1))).status).toBe(200);
  await until(() => reports(1).length === 1, 60_000);
  await pipeline.drained(60_000);

  const report = reports(1)[0].body;
  expect(reports(1)).toHaveLength(1);
  expect(report).toContain("use-after-free");
  expect(report).toContain("consume_skb");
  expect(report).toContain("console.log");
  expect(fake.issues.get(1)!.labels.sort()).toEqual(["crash", "crash:use-after-free"]);
  const record = await pipeline.store.get("acme/kernel", 1);
  expect(record).toMatchObject({ verdict: "use-after-free", repository: "acme/kernel", issue: 1 });
  expect(record!.crash?.title).toBe("KASAN: use-after-free Read in consume_skb");

  // The same crash again, detected in the body (no label): linked to the first by signature.
  fake.addIssue(2, "another crash", "Same again: https://github.com/user-attachments/files/5002/console.log\n\n```\n" + LOG.split("\n").slice(0, 3).join("\n") + "\n```\n");
  await pipeline.deliver("issues", issuePayload(fake, "opened", 2));
  await until(() => reports(2).length === 1, 60_000);
  await pipeline.drained(60_000);
  const today = new Date().toISOString().slice(0, 10);
  expect(reports(2)[0].body).toContain(`Same signature as #1, 2 occurrences since ${today}`);
}, 120_000);
