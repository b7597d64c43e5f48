import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, expect, it } from "vitest";
import { REPORT_MARKER } from "../../src/workers/issue-comments.js";
import { FakeRunner } from "./fake-analysis.js";
import { FakeGitHub } from "./fake-github.js";
import { issuePayload, REDIS_URL, startPipeline, until, type Pipeline } from "./pipeline-harness.js";

let fake: FakeGitHub;
let pipeline: Pipeline;
let child: ChildProcess | null = null;

beforeEach(async () => {
  fake = new FakeGitHub("acme", "kernel");
  pipeline = await startPipeline(fake);
});
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child!.once("exit", r));
    child.kill("SIGKILL");
    await exited;
  }
  await pipeline.close();
});

/** Generous: on a loaded machine the child compiles the sources with tsx before it is ready. */
function waitForLine(proc: ChildProcess, line: string, timeoutMs = 90_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`worker did not print ${line} within ${timeoutMs} ms`)), timeoutMs);
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes(line)) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code}) before printing ${line}`));
    });
  });
}

it("completes a job once when the worker analysing it is killed (SIGKILL) midway", async () => {
  const body = "Crash:\n\n```\n[ 1.0] BUG: KASAN: use-after-free in ext4_htree_fill_tree+0x1f/0x80\n```\n";
  fake.addIssue(1, "kernel crash", body, ["crash"]);
  // This process runs intake, publish and record; the analysis happens in the doomed child.
  await pipeline.startWorkers(new FakeRunner(), { queues: ["intake", "publish", "record"] });
  const fixture = fileURLToPath(new URL("./fixtures/hanging-analyze-worker.ts", import.meta.url));
  child = spawn(process.execPath, ["--import", "tsx", fixture], {
    env: { ...process.env, REDIS_URL, CASEFILE_TEST_PREFIX: pipeline.prefix },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await waitForLine(child, "READY");
  const started = waitForLine(child, "ANALYSIS_STARTED");
  await pipeline.deliver("issues", issuePayload(fake, "opened", 1));
  await started;
  child.kill("SIGKILL");

  // Another worker takes the stalled job over once the dead worker's lock expires.
  const survivor = new FakeRunner();
  await pipeline.startWorkers(survivor, { queues: ["analyze"] });
  await until(() => fake.issues.get(1)!.comments.some((c) => c.body.includes(REPORT_MARKER)), 60_000);
  await pipeline.drained(60_000);
  expect(survivor.inputs).toHaveLength(1);
  expect(survivor.inputs[0].contents[0]).toContain("BUG: KASAN: use-after-free");
  expect(fake.issues.get(1)!.comments.filter((c) => c.body.includes(REPORT_MARKER))).toHaveLength(1);
  expect(await pipeline.queues.analyze.getJobCounts("completed", "failed")).toEqual({ completed: 1, failed: 0 });
}, 240_000);
