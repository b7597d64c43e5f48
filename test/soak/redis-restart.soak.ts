import { afterAll, beforeAll, expect, it } from "vitest";
import type { AnalysisInput } from "../../src/workers/analysis-runner.js";
import { REPORT_MARKER } from "../../src/workers/issue-comments.js";
import { FakeRunner } from "../pipeline/fake-analysis.js";
import { FakeGitHub } from "../pipeline/fake-github.js";
import { OwnRedis } from "./own-redis.js";

/**
 * Redis dies (SIGKILL, append-only file fsynced always) while jobs are queued and active,
 * and comes back on the same port: no job is lost, bot and workers reconnect by themselves,
 * webhooks during the outage get a 5xx (GitHub redelivers them), and every issue ends with
 * exactly one report.
 */
let redis: OwnRedis;
let harness: typeof import("../pipeline/pipeline-harness.js");

beforeAll(async () => {
  redis = await OwnRedis.start();
  // The harness reads REDIS_URL when it is loaded.
  process.env.REDIS_URL = redis.url;
  harness = await import("../pipeline/pipeline-harness.js");
});
afterAll(async () => {
  await redis?.stop();
});

class SlowRunner extends FakeRunner {
  override async run(input: AnalysisInput) {
    await new Promise((r) => setTimeout(r, 800));
    return super.run(input);
  }
}

it("Redis killed and restarted with jobs queued and active: nothing lost, nothing twice, outage answered 5xx", async () => {
  const fake = new FakeGitHub("acme", "kernel");
  const pipeline = await harness.startPipeline(fake);
  try {
    const body = (n: number) => `Crash ${n}:\n\n\`\`\`\n[ 1.0] BUG: KASAN: use-after-free in f${n}+0x1/0x2\n\`\`\`\n`;
    for (let n = 1; n <= 16; n++) fake.addIssue(n, `crash ${n}`, body(n), ["crash"]);
    const runner = new SlowRunner();
    await pipeline.startWorkers(runner, { concurrency: { intake: 4, analyze: 2, publish: 2, record: 2 } });
    for (let n = 1; n <= 12; n++) expect((await pipeline.deliver("issues", harness.issuePayload(fake, "opened", n), `d-${n}`)).status).toBe(200);
    await harness.until(async () => (await pipeline.queues.analyze.getJobCounts("active")).active > 0);
    const before = await pipeline.queues.analyze.getJobCounts("active", "waiting", "completed");

    await redis.kill();
    const outage: number[] = [];
    for (let n = 13; n <= 16; n++) outage.push((await pipeline.deliver("issues", harness.issuePayload(fake, "opened", n), `d-${n}`)).status);
    await new Promise((r) => setTimeout(r, 1500));
    const restartedAt = Date.now();
    await redis.up();

    // GitHub redelivers what failed, with the same delivery ids.
    for (let n = 13; n <= 16; n++) {
      await harness.until(async () => (await pipeline.deliver("issues", harness.issuePayload(fake, "opened", n), `d-${n}`)).status === 200, 20_000);
    }
    await harness.until(() => [...fake.issues.values()].every((i) => i.comments.some((c) => c.body.includes(REPORT_MARKER))), 60_000);
    await pipeline.drained(30_000);
    const recovery = Date.now() - restartedAt;

    for (const code of outage) expect(code).toBeGreaterThanOrEqual(500);
    for (const issue of fake.issues.values()) expect(issue.comments.filter((c) => c.body.includes(REPORT_MARKER))).toHaveLength(1);
    expect(fake.count("POST", /\/issues\/\d+\/comments$/)).toBe(16);
    const analysed = new Set(runner.inputs.map((i) => i.input.name));
    expect(analysed.size).toBe(16);
    console.info(
      `redis restart: before kill ${JSON.stringify(before)}, outage answers ${outage.join(",")}, all 16 reported ${recovery} ms after restart, analyses run ${runner.inputs.length} (repeats ${runner.inputs.length - analysed.size}), comments posted ${fake.count("POST", /\/issues\/\d+\/comments$/)}`,
    );
  } finally {
    await pipeline.close();
  }
}, 120_000);
