import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { CasefileVerdict } from "../analysis/model/casefile-verdict.js";
import type { AnalysisInput } from "./analyze-files.js";

export type { AnalysisInput } from "./analyze-files.js";

/** Runs one analysis. The worker takes one through its constructor, so tests can inject their own. */
export interface AnalysisRunner {
  run(input: AnalysisInput): Promise<CasefileVerdict>;
}

/** The analysis itself failed on this input (threw, ran out of time or memory): not worth retrying. */
export class AnalysisFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AnalysisFailed";
  }
}

/** In the calling process: for the CLI-sized cases and tests. */
export class InProcessAnalysisRunner implements AnalysisRunner {
  async run(input: AnalysisInput): Promise<CasefileVerdict> {
    // Loaded on first use: processes that only fork children never load the analysis library.
    const { analyzeFiles } = await import("./analyze-files.js");
    try {
      return await analyzeFiles(input);
    } catch (err) {
      throw new AnalysisFailed(err instanceof Error ? err.message : String(err));
    }
  }
}

/** Only what Node and the temp directory need; everything else (PRIVATE_KEY, *_SECRET, *_TOKEN) stays out. */
export function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const keep = ["PATH", "HOME", "TMPDIR", "TMP", "TEMP", "LANG", "LC_ALL", "TZ", "NODE_ENV", "SYSTEMROOT"];
  return Object.fromEntries(keep.filter((k) => env[k] !== undefined).map((k) => [k, env[k]]));
}

export interface ForkRunnerOptions {
  timeoutMs: number;
  /** Heap limit of the child (V8 --max-old-space-size). */
  maxHeapMb: number;
}

/**
 * A child process per analysis: the sandbox the architecture asks for. Its time and heap are
 * bounded; the worker's event loop stays free for lock renewal while it runs.
 */
export class ForkAnalysisRunner implements AnalysisRunner {
  private readonly entry: string;
  private readonly execArgv: string[];

  constructor(private readonly options: ForkRunnerOptions = { timeoutMs: 10 * 60_000, maxHeapMb: 2048 }) {
    const here = fileURLToPath(import.meta.url);
    const fromSource = here.endsWith(".ts");
    this.entry = here.replace(/analysis-runner\.(ts|js)$/, `analysis-child.${fromSource ? "ts" : "js"}`);
    // Running from the TypeScript sources (tests, tsx): the child needs the same loader.
    this.execArgv = [`--max-old-space-size=${options.maxHeapMb}`, ...(fromSource ? ["--import", "tsx"] : [])];
  }

  run(input: AnalysisInput): Promise<CasefileVerdict> {
    return new Promise<CasefileVerdict>((resolve, reject) => {
      const child = fork(this.entry, [], {
        execArgv: this.execArgv,
        // The child parses strangers' files: it gets no secret (app key, webhook secret, tokens).
        env: childEnv(process.env),
        stdio: ["ignore", "ignore", "pipe", "ipc"],
        serialization: "advanced",
      });
      let stderr = "";
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        settle(() => reject(new AnalysisFailed(`the analysis took longer than ${Math.round(this.options.timeoutMs / 1000)} s and was stopped`)));
      }, this.options.timeoutMs);
      child.stderr?.on("data", (d: Buffer) => {
        if (stderr.length < 4000) stderr += d.toString();
      });
      child.on("message", (msg: { ok: true; verdict: CasefileVerdict } | { ok: false; error: string }) => {
        settle(() => (msg.ok ? resolve(msg.verdict) : reject(new AnalysisFailed(msg.error))));
      });
      child.on("error", (err) => settle(() => reject(err)));
      child.on("exit", (code, signal) => {
        const heap = /heap out of memory|Allocation failed/i.test(stderr);
        settle(() =>
          reject(
            heap
              ? new AnalysisFailed(`the analysis needed more than ${this.options.maxHeapMb} MiB of memory and was stopped`)
              : // Killed from outside (the worker's own shutdown, OOM killer): a retry may succeed.
                new Error(`the analysis process ended without an answer (${signal ?? `exit code ${code}`})${stderr ? `: ${stderr.trim().split("\n").slice(-1)[0]}` : ""}`),
          ),
        );
      });
      child.send(input);
    });
  }
}
