import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { InProcessAnalysisRunner, type AnalysisInput } from "../../src/workers/analysis-runner.js";
import { REPORT_MARKER } from "../../src/workers/issue-comments.js";
import { issuePayload, startPipeline, until, type Pipeline } from "../pipeline/pipeline-harness.js";
import { ManyReposGitHub } from "./many-repos-github.js";

/**
 * A burst of 1,000 crash issues in under a minute across 50 repositories, each with a tiny
 * bundle (a KASAN report pasted in the body), through the real analysis: every issue gets
 * exactly one report, no analysis runs twice, the queues drain, and the memory of the
 * process running the workers is sampled throughout.
 *
 * Each repository is its own installation: Octokit paces content-creating requests 3 s
 * apart per installation (GitHub's secondary limits), so 1,000 reports in one installation
 * take 50 minutes by design (measured, see docs/reliability.md).
 */
const REPOS = 50;
const PER_REPO = 20;

class CountingRunner extends InProcessAnalysisRunner {
  readonly runs = new Map<string, number>();
  override async run(input: AnalysisInput) {
    this.runs.set(input.name, (this.runs.get(input.name) ?? 0) + 1);
    return super.run(input);
  }
}

let github: ManyReposGitHub;
let pipeline: Pipeline;
beforeAll(async () => {
  github = new ManyReposGitHub(Array.from({ length: REPOS }, (_, i) => `org${i}/kernel`));
  pipeline = await startPipeline(github);
});
afterAll(async () => {
  await pipeline?.close();
});

it("1,000 crash issues across 50 repositories: all processed, none twice, queue drains, memory bounded", async () => {
  const body = (r: number, n: number) =>
    `Crash:\n\n\`\`\`\n[  812.000456] BUG: KASAN: slab-use-after-free in drv${r}_poll+0x1f/0x80\n[  812.000460] Write of size 8 at addr ffff888012acfc20 by task kworker/${n}\n\`\`\`\n`;
  for (const [r, fake] of github.all().entries()) for (let n = 1; n <= PER_REPO; n++) fake.addIssue(n, `crash ${n}`, body(r, n), ["crash"]);
  const runner = new CountingRunner();
  global.gc?.();
  const mem = { startRss: process.memoryUsage().rss, startHeap: process.memoryUsage().heapUsed, peakRss: 0, peakHeap: 0 };
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    mem.peakRss = Math.max(mem.peakRss, m.rss);
    mem.peakHeap = Math.max(mem.peakHeap, m.heapUsed);
  }, 250);
  await pipeline.startWorkers(runner, { concurrency: { intake: 8, analyze: 4, publish: 8, record: 4 } });

  const t0 = Date.now();
  const statuses: number[] = [];
  // Round-robin over repositories, 10 deliveries in flight at a time.
  const jobs: [ReturnType<ManyReposGitHub["all"]>[number], number, number][] = [];
  for (let n = 1; n <= PER_REPO; n++) for (const [r, fake] of github.all().entries()) jobs.push([fake, n, r + 1]);
  for (let i = 0; i < jobs.length; i += 10) {
    const batch = jobs
      .slice(i, i + 10)
      .map(([fake, n, installation]) => pipeline.deliver("issues", issuePayload(fake, "opened", n, { installation: { id: installation } }), randomUUID()).then((r) => statuses.push(r.status)));
    await Promise.all(batch);
  }
  const delivered = Date.now() - t0;
  const reported = () => github.all().reduce((sum, f) => sum + [...f.issues.values()].filter((i) => i.comments.some((c) => c.body.includes(REPORT_MARKER))).length, 0);
  await until(() => reported() === REPOS * PER_REPO, 600_000);
  await pipeline.drained(120_000);
  const drained = Date.now() - t0;
  clearInterval(sampler);
  global.gc?.();
  const endHeap = process.memoryUsage().heapUsed;

  expect(statuses.filter((s) => s !== 200)).toEqual([]);
  for (const fake of github.all()) {
    for (const issue of fake.issues.values()) expect(issue.comments.filter((c) => c.body.includes(REPORT_MARKER))).toHaveLength(1);
  }
  expect(runner.runs.size).toBe(REPOS * PER_REPO);
  expect([...runner.runs.values()].every((n) => n === 1)).toBe(true);
  const counts = await pipeline.queues.analyze.getJobCounts("completed", "failed");
  expect(counts).toEqual({ completed: REPOS * PER_REPO, failed: 0 });
  // Bounded: a leak of a verdict or bundle per job would show hundreds of MiB here.
  const MiB = 1024 * 1024;
  expect((mem.peakHeap - mem.startHeap) / MiB).toBeLessThan(512);
  console.info(
    `burst: ${REPOS * PER_REPO} webhooks delivered in ${delivered} ms, all reported and drained in ${drained} ms; ` +
      `RSS start ${(mem.startRss / MiB).toFixed(0)} MiB peak ${(mem.peakRss / MiB).toFixed(0)} MiB; heap start ${(mem.startHeap / MiB).toFixed(0)} peak ${(mem.peakHeap / MiB).toFixed(0)} end ${(endHeap / MiB).toFixed(0)} MiB; ` +
      `duplicate analyses ${[...runner.runs.values()].filter((n) => n > 1).length}, duplicate comments 0`,
  );
}, 900_000);
