/**
 * `casefile worker` for the pipeline benchmark: the real worker (queues, forked analysis,
 * publishing) from the same environment variables, except that GitHub is the loopback stub at
 * BENCH_GITHUB_URL (GHE_HOST would force https). Stops on SIGTERM.
 */
import { readAppEnv } from "../../src/bot/app-env.js";
import { runWorkers } from "../../src/workers/run-workers.js";
import { untilShutdownSignal } from "../../src/workers/shutdown.js";

const env = readAppEnv(process.env, "worker");
const workers = await runWorkers({ ...env, baseUrl: process.env.BENCH_GITHUB_URL });
process.stdout.write("WORKER READY\n");
await untilShutdownSignal();
await workers.stop();
