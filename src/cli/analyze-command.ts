import type { Command } from "commander";

/** `casefile analyze`: wired to the analysis library once the orchestrator lands. */
export function registerAnalyze(program: Command): void {
  program
    .command("analyze")
    .argument("<paths...>")
    .action(() => {
      throw new Error("casefile analyze is not available in this build yet");
    });
}
