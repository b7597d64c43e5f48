import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeBundle } from "../../src/analysis/analyze.js";
import { DEFAULT_CONFIG } from "../../src/analysis/config/casefile-config.js";
import { ingestPaths } from "../../src/analysis/ingest/index.js";
import type { CasefileVerdict } from "../../src/analysis/model/casefile-verdict.js";
import { GOOD_CONSOLE, type NastyFile } from "./nasty-files.js";

export interface MeasuredRun {
  verdict: CasefileVerdict;
  /** Every warning of the bundle and its artifacts, one string. */
  warnings: string;
  ms: number;
  /** Peak resident set size above the level before the run, sampled every 10 ms. */
  peakRssDeltaMiB: number;
}

/**
 * Ingests the nasty file next to a good console log and analyses the bundle, as the worker's
 * analysis child does (ingestPaths + analyzeBundle), measuring time and peak RSS.
 */
export async function analyseBesideGoodLog(nasty: NastyFile): Promise<MeasuredRun> {
  const dir = await mkdtemp(join(tmpdir(), "casefile-nasty-"));
  try {
    const paths = await nasty.write(dir);
    const consolePath = join(dir, "console.log");
    await writeFile(consolePath, GOOD_CONSOLE);
    global.gc?.();
    const base = process.memoryUsage().rss;
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const t0 = performance.now();
    try {
      const bundle = await ingestPaths([...paths, consolePath], DEFAULT_CONFIG.artifacts, "nasty");
      try {
        const verdict = await analyzeBundle(bundle, { config: DEFAULT_CONFIG });
        const ms = performance.now() - t0;
        peak = Math.max(peak, process.memoryUsage().rss);
        const warnings = [...verdict.warnings, ...verdict.artifacts.flatMap((a) => a.warnings)].join("\n");
        return { verdict, warnings, ms, peakRssDeltaMiB: (peak - base) / 1024 / 1024 };
      } finally {
        await bundle.dispose();
      }
    } finally {
      clearInterval(sampler);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One row of the reliability table. */
export function row(nasty: NastyFile, run: MeasuredRun): string {
  return `| ${nasty.what} | ${run.ms.toFixed(0)} ms | ${run.peakRssDeltaMiB.toFixed(0)} MiB | ${run.warnings.split("\n").find((w) => nasty.warning.test(w))?.slice(0, 140).replace(/\|/g, "\\|") ?? ""} |`;
}
