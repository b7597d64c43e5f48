import { cpus, loadavg } from "node:os";

/** The benches' command-line options and the machine facts every `BENCH` line ends with. */

/** The word after `name` on the command line (`--mb 100`), or undefined when it is not given. */
export function optionText(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

/** A numeric option, `fallback` when it is not given. */
export function optionNumber(name: string, fallback: number): number {
  return process.argv.includes(name) ? Number(optionText(name)) : fallback;
}

/** `cpus=N` and `load1=X`: how many cores and how busy they were, so a result can be judged. */
export function machineLoadFields(): string[] {
  return [`cpus=${cpus().length}`, `load1=${loadavg()[0].toFixed(1)}`];
}
