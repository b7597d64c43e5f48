import type { Command } from "commander";
import { readAppEnv } from "../bot/app-env.js";
import { runBot } from "../bot/run-bot.js";
import { untilShutdownSignal } from "../workers/shutdown.js";

/** `casefile bot [--with-worker]`: the GitHub App's webhook server (configured by environment, see docs/deploy.md). */
export function registerBot(program: Command): void {
  program
    .command("bot")
    .description("Run the GitHub App: webhooks at /api/github/webhooks, /ping, dashboard and metrics (env: APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT, HOST, LOG_LEVEL, REDIS_URL)")
    .option("--with-worker", "also run the analysis workers in this process (small installs)")
    .action(async (opts: { withWorker?: boolean }) => {
      const env = readAppEnv(process.env, "bot");
      const bot = await runBot(env, { withWorker: !!opts.withWorker });
      await untilShutdownSignal();
      await bot.stop();
    });
}
