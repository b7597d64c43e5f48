import type { Command } from "commander";

/** `casefile simulate`: registered here; its implementation lands with its issue. */
export function registerSimulate(program: Command): void {
  program
    .command("simulate")
    .description("(not available yet)")
    .action(() => {
      throw new Error("casefile simulate is not available in this build yet");
    });
}
