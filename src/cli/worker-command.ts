import type { Command } from "commander";

/** `casefile worker`: registered here; its implementation lands with its issue. */
export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description("(not available yet)")
    .action(() => {
      throw new Error("casefile worker is not available in this build yet");
    });
}
