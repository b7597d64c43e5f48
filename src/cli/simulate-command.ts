import { join } from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { isArch, type Arch } from "../analysis/model/machine.js";
import { SCENARIOS } from "../simulator/scenarios/scenario-registry.js";
import { simulate, type MemoryFormat, type SimulateOptions, type TraceFormat } from "../simulator/simulate.js";

interface SimulateFlags {
  out?: string;
  seed: number;
  arch?: Arch;
  pageSize?: number;
  traceFormat: TraceFormat;
  gzip?: boolean;
  noise: number;
  gap: number;
  lost: number;
  memory: MemoryFormat;
  kernel: "current" | "legacy";
  list?: boolean;
  all?: boolean;
}

/** "5000", "2e6", "100M", "3k": a count of events. */
export function parseCount(text: string): number {
  const m = /^(\d+(?:\.\d+)?(?:e\d+)?)\s*([kKmMgG]?)$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError("a count such as 5000, 2e6, 300k or 100M");
  const scale = { "": 1, k: 1e3, m: 1e6, g: 1e9 }[m[2].toLowerCase() as "" | "k" | "m" | "g"];
  const n = Math.round(Number(m[1]) * scale);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError("a count such as 5000, 2e6, 300k or 100M");
  return n;
}

/** "250us", "0.4ms", "2s", "3m", "1h" or plain seconds: the time between key events. */
export function parseGap(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(us|ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError("a duration such as 250us, 0.5ms, 2s or 3m");
  const seconds = Number(m[1]) * { us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 }[(m[2] ?? "s") as "us" | "ms" | "s" | "m" | "h"];
  if (!(seconds > 0)) throw new InvalidArgumentError("the gap must be more than zero");
  return seconds;
}

function oneOf<T extends string>(values: readonly T[]) {
  return (v: string): T => {
    if (!(values as readonly string[]).includes(v)) throw new InvalidArgumentError(`use ${values.join(", ")}`);
    return v as T;
  };
}

/** `casefile simulate`: writes realistic crash bundles with a truth.json of what a correct analysis concludes. */
export function registerSimulate(program: Command): void {
  program
    .command("simulate")
    .description("Write a simulated crash bundle (console log, trace, memory dump, System.map) and its truth.json")
    .argument("[scenario]", "which story to simulate (see --list)")
    .option("--list", "list the scenarios and exit")
    .option("--all", "write every scenario, each into OUT/<scenario>")
    .option("--out <dir>", "directory to write the bundle into (created)")
    .option("--seed <n>", "random seed: the same seed writes the same bundle", (v: string) => {
      const n = Number(v);
      if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError("a non-negative integer");
      return n;
    }, 1)
    .option("--arch <arch>", "x86_64, ppc64le, ppc64 or arm64 (default: the scenario's own)", (v: string) => {
      if (!isArch(v)) throw new InvalidArgumentError("use x86_64, ppc64le, ppc64 or arm64");
      return v;
    })
    .option("--page-size <bytes>", "page size in bytes (default: the arch's)", (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 4096 || (n & (n - 1)) !== 0) throw new InvalidArgumentError("a power of two of at least 4096");
      return n;
    })
    .option("--trace-format <format>", "ftrace, trace-cmd or jsonl", oneOf(["ftrace", "trace-cmd", "jsonl"] as const), "ftrace")
    .option("--gzip", "gzip the trace and console log")
    .option("--noise <count>", "background trace events around the story (5000, 2e6, 100M); streamed", parseCount, 5000)
    .option("--gap <duration>", "time between the story's key events: 250us, 0.5ms, 2s, 3m", parseGap, 2)
    .option("--lost <count>", "lost-events markers to scatter in the trace (on CPUs the story does not use)", parseCount, 0)
    .option("--memory <format>", "hexdump, xxd, rd (crash utility) or vmcore (ELF core)", oneOf(["hexdump", "xxd", "rd", "vmcore"] as const), "hexdump")
    .option("--kernel <era>", "current (6.12 formats) or legacy (4.18, as RHEL 8: decimal pfns, older report lines)", oneOf(["current", "legacy"] as const), "current")
    .action(async (scenario: string | undefined, flags: SimulateFlags) => {
      if (flags.list) {
        for (const s of SCENARIOS) process.stdout.write(`${s.name.padEnd(26)} ${s.defaultArch.padEnd(8)} ${s.summary}\n`);
        return;
      }
      if (!flags.out) throw new InvalidArgumentError("--out DIR is required");
      const names = flags.all ? SCENARIOS.map((s) => s.name) : scenario ? [scenario] : [];
      if (names.length === 0) {
        process.stderr.write("casefile simulate: name a scenario (see --list) or pass --all\n");
        process.exitCode = 2;
        return;
      }
      for (const name of names) {
        const progress = process.stderr.isTTY && flags.noise >= 1e6;
        const options: SimulateOptions = {
          out: flags.all ? join(flags.out, name) : flags.out,
          seed: flags.seed,
          arch: flags.arch,
          pageSize: flags.pageSize,
          traceFormat: flags.traceFormat,
          gzip: flags.gzip,
          noise: flags.noise,
          gap: flags.gap,
          lost: flags.lost,
          memory: flags.memory,
          kernel: flags.kernel,
          onProgress: progress ? (n) => process.stderr.write(`\r${name}: ${(n / 1e6).toFixed(1)}M of ${(flags.noise / 1e6).toFixed(1)}M events`) : undefined,
        };
        try {
          const truth = await simulate(name, options);
          if (progress) process.stderr.write("\n");
          const bytes = truth.files.reduce((a, f) => a + f.bytes, 0);
          process.stdout.write(`${options.out}: ${truth.scenario} seed ${truth.seed} (${truth.machine.arch}, ${truth.machine.page_size} B pages) -> ${truth.verdict}; ${truth.files.length} files, ${bytes} bytes, ${truth.trace_events} trace events\n`);
        } catch (err) {
          process.stderr.write(`casefile simulate: ${err instanceof Error ? err.message : String(err)}\n`);
          process.exitCode = 2;
          return;
        }
      }
    });
}
