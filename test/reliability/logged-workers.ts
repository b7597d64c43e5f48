import { pino } from "pino";
import type { Probot } from "probot";
import { createCasefileProbot } from "../../src/bot/probot-factory.js";
import { CrashStore } from "../../src/store/crash-store.js";
import type { AnalysisRunner } from "../../src/workers/analysis-runner.js";
import { CasefileWorkers, type WorkerSettings } from "../../src/workers/casefile-workers.js";
import { ProbotGitHubAccess } from "../../src/workers/github-access.js";
import { CasefileQueues } from "../../src/workers/queues.js";
import { TEST_WORKER_SETTINGS, testPrivateKey, WEBHOOK_SECRET, type Pipeline } from "../pipeline/pipeline-harness.js";

/** Log lines as parsed JSON objects (pino), kept for assertions and secret greps. */
export class LogCapture {
  readonly lines: string[] = [];
  readonly logger = pino({ level: "debug" }, { write: (s: string) => void this.lines.push(s) });
  entries(): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
  find(msg: string | RegExp): Record<string, unknown>[] {
    return this.entries().filter((e) => (typeof msg === "string" ? e.msg === msg : msg.test(String(e.msg))));
  }
}

/**
 * Workers on the harness's pipeline whose log is captured: the harness's own workers log to
 * a silent logger, and these tests assert on what the log says. Added to `pipeline.workers`,
 * so `pipeline.close()` stops them; `close` here closes their queues.
 */
export async function startLoggedWorkers(
  pipeline: Pipeline,
  runner: AnalysisRunner,
  log: LogCapture,
  settings: Partial<WorkerSettings> = {},
  probot: Probot = createCasefileProbot({ appId: 1, privateKey: testPrivateKey(), secret: WEBHOOK_SECRET, log: log.logger }),
): Promise<{ workers: CasefileWorkers; close(): Promise<void> }> {
  const queues = new CasefileQueues(pipeline.workerConnection, { prefix: pipeline.prefix, attempts: 4, backoffMs: 100 });
  const workers = new CasefileWorkers(
    { connection: pipeline.workerConnection, queues, github: new ProbotGitHubAccess(probot), store: new CrashStore(pipeline.workerConnection, pipeline.prefix), runner, log: log.logger },
    { ...TEST_WORKER_SETTINGS, ...settings },
  ).start();
  await workers.ready();
  pipeline.workers.push(workers);
  return { workers, close: () => queues.close() };
}
