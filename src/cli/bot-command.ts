import type { Command } from "commander";

/** `casefile bot`: registered here; its implementation lands with its issue. */
export function registerBot(program: Command): void {
  program
    .command("bot")
    .description("(not available yet)")
    .action(() => {
      throw new Error("casefile bot is not available in this build yet");
    });
}
