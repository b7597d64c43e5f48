import { Command, CommanderError } from "commander";
import { ConfigError } from "../analysis/config/casefile-config.js";
import { registerAnalyze } from "./analyze-command.js";
import { registerBot } from "./bot-command.js";
import { registerSimulate } from "./simulate-command.js";
import { registerWorker } from "./worker-command.js";

/** Builds the `casefile` program; each command lives in its own file. */
export function buildProgram(): Command {
  const program = new Command("casefile")
    .description("Triage kernel memory-corruption crashes: find the corrupted region, prove the cause, name the owner.")
    .showSuggestionAfterError()
    .exitOverride();
  registerAnalyze(program);
  registerSimulate(program);
  registerBot(program);
  registerWorker(program);
  return program;
}

/**
 * Runs the CLI and resolves to the process exit code: 0 done, 2 bad usage or input (one line on
 * stderr), 1 an internal error.
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    const message = err instanceof Error ? err.message : String(err);
    const line = message.split("\n")[0];
    // Messages that already name their command ("casefile bot: ...") are not prefixed twice.
    process.stderr.write(line.startsWith("casefile ") ? `${line}\n` : `casefile: ${line}\n`);
    return err instanceof ConfigError || (err instanceof Error && err.name !== "TypeError" && err.name !== "RangeError" && err.name !== "ReferenceError") ? 2 : 1;
  }
}
