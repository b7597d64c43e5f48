import type { Command } from "commander";
import { readAppEnv } from "../bot/app-env.js";
import { QUEUE_NAMES, type QueueName } from "../workers/queues.js";
import { runWorkers } from "../workers/run-workers.js";
import { untilShutdownSignal } from "../workers/shutdown.js";

/** `casefile worker [--queues analyze,publish]`: BullMQ workers; run as many as you like against one Redis. */
export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description("Run analysis workers (env: APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, REDIS_URL, CASEFILE_CONCURRENCY_*); SIGTERM drains running jobs")
    .option("--queues <names>", `comma-separated subset of ${Object.values(QUEUE_NAMES).join(",")}`)
    .action(async (opts: { queues?: string }) => {
      const env = readAppEnv(process.env, "worker");
      const queues = opts.queues ? parseQueues(opts.queues) : undefined;
      const running = await runWorkers(env, { queues });
      await untilShutdownSignal();
      await running.stop();
    });
}

function parseQueues(text: string): QueueName[] {
  const known = Object.values(QUEUE_NAMES) as string[];
  const names = text.split(",").map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new Error(`unknown queue ${unknown.join(", ")}; known: ${known.join(", ")}`);
  return names as QueueName[];
}
