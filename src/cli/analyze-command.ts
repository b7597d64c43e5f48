import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { analyzeBundle, type AnalyzeOptions } from "../analysis/analyze.js";
import { DEFAULT_CONFIG, parseConfig, type CasefileConfig } from "../analysis/config/casefile-config.js";
import { ingestPaths } from "../analysis/ingest/index.js";
import type { Bundle } from "../analysis/model/artifact.js";
import { isArch, type Arch } from "../analysis/model/machine.js";
import { renderMarkdownReport } from "../analysis/report/markdown-report.js";
import { colorizeReport } from "./terminal-report.js";
import { ProgressLine } from "./progress-line.js";

interface AnalyzeFlags {
  json?: boolean;
  each?: boolean;
  config?: string;
  arch?: Arch;
  pageSize?: number;
  explain?: boolean;
}

/** A bundle is usable when at least one artifact is something casefile can read. */
export function unusableReason(bundle: Bundle): string | null {
  if (bundle.artifacts.some((a) => a.kind !== "unknown")) return null;
  const why = [...bundle.warnings, ...bundle.artifacts.flatMap((a) => a.warnings.map((w) => `${a.name}: ${w}`))];
  if (bundle.artifacts.length === 0) return why.length ? why[0] : `nothing to analyse in ${bundle.name}`;
  // Paths that could not be read at all are the whole story: say that, not what kind they are.
  const unreadable = bundle.artifacts.filter((a) => a.bytes === 0 && a.warnings.some((w) => /cannot be read|no such file/i.test(w)));
  if (unreadable.length === bundle.artifacts.length) return `${unreadable[0].name}: ${unreadable[0].warnings[0]}`;
  return `none of the ${bundle.artifacts.length} file(s) in ${bundle.name} is a console log, trace, memory dump or symbol map${why.length ? ` (${why[0]})` : ""}`;
}

/**
 * The config's `maintainers:` path is relative to the repository: the folder that holds
 * `.github/` when the config lives there, else the config's own folder.
 */
async function loadMaintainers(config: CasefileConfig, configPath: string | undefined): Promise<AnalyzeOptions["maintainers"]> {
  if (!config.maintainers || !configPath) return null;
  const dir = dirname(resolve(configPath));
  const root = dir.endsWith(`${"/"}.github`) ? dirname(dir) : dir;
  const path = join(root, config.maintainers);
  try {
    return { name: config.maintainers, text: await readFile(path, "utf8") };
  } catch {
    throw new Error(`the config names maintainers: ${config.maintainers}, but ${path} cannot be read`);
  }
}

async function analyzeOne(paths: string[], name: string, config: CasefileConfig, options: AnalyzeOptions) {
  const bundle = await ingestPaths(paths, config.artifacts, name);
  try {
    const reason = unusableReason(bundle);
    const verdict = await analyzeBundle(bundle, options);
    return { verdict, reason };
  } finally {
    await bundle.dispose();
  }
}

export function registerAnalyze(program: Command): void {
  program
    .command("analyze")
    .description("Analyse a crash bundle (files, directories, archives) and print the case report")
    .argument("<paths...>", "files, directories, .gz/.zip/.tar/.tgz archives: together one bundle (or each its own with --each)")
    .option("--json", "print the JSON verdict (casefile/v1) instead of the Markdown report")
    .option("--each", "treat each PATH as its own bundle (with --json: one JSON object per line)")
    .option("--config <file>", "a .github/casefile.yml (YAML or JSON)")
    .option("--arch <arch>", "x86_64, ppc64le, ppc64 or arm64 (wins over what the bundle says)", (v: string) => {
      if (!isArch(v)) throw new InvalidArgumentError("use x86_64, ppc64le, ppc64 or arm64");
      return v;
    })
    .option("--page-size <bytes>", "page size in bytes (wins over the bundle and the arch default)", (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0 || (n & (n - 1)) !== 0) throw new InvalidArgumentError("a power of two, e.g. 4096 or 65536");
      return n;
    })
    .option("--explain", "the full evidence: every item, every timeline row, the weighing")
    .action(async (paths: string[], flags: AnalyzeFlags) => {
      let config = DEFAULT_CONFIG;
      if (flags.config) {
        let text: string;
        try {
          text = await readFile(flags.config, "utf8");
        } catch {
          throw new Error(`cannot read the config file ${flags.config}`);
        }
        config = parseConfig(text, flags.config);
      }
      const progress = process.stderr.isTTY ? new ProgressLine(process.stderr) : null;
      const options: AnalyzeOptions = {
        config,
        arch: flags.arch,
        pageSize: flags.pageSize,
        maintainers: await loadMaintainers(config, flags.config),
        onProgress: progress ? (p) => progress.update(p) : undefined,
      };
      const bundles = flags.each ? paths.map((p) => ({ paths: [p], name: p })) : [{ paths, name: paths.join(" ") }];
      let usable = 0;
      let lastReason = "";
      for (const b of bundles) {
        const { verdict, reason } = await analyzeOne(b.paths, b.name, config, options);
        progress?.clear();
        if (reason) {
          lastReason = reason;
          // One bundle alone: nothing usable is an error. With --each the others still get their line.
          if (!flags.each) break;
        } else usable++;
        if (flags.json) process.stdout.write(JSON.stringify(verdict) + "\n");
        else {
          const report = renderMarkdownReport(verdict, { explain: flags.explain });
          process.stdout.write((process.stdout.isTTY ? colorizeReport(report) : report) + (flags.each ? "\n---\n\n" : ""));
        }
      }
      if (usable === 0) {
        process.stderr.write(`casefile: ${lastReason}\n`);
        process.exitCode = 2;
      }
    });
}
