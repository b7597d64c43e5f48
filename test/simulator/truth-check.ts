import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { analyzeBundle } from "../../src/analysis/analyze.js";
import { parseConfig } from "../../src/analysis/config/casefile-config.js";
import { ingestPaths } from "../../src/analysis/ingest/index.js";
import type { CasefileVerdict } from "../../src/analysis/model/casefile-verdict.js";
import { exampleConfigYaml } from "../../src/simulator/bundle/example-owners.js";
import type { Truth } from "../../src/simulator/model/truth.js";

/** Analyses a simulated bundle directory (every file but truth.json) with the example config. */
export async function analyzeSimulated(dir: string): Promise<CasefileVerdict> {
  const config = parseConfig(exampleConfigYaml(), "examples/casefile.yml");
  const files = (await readdir(dir)).filter((f) => f !== "truth.json").map((f) => join(dir, f));
  const bundle = await ingestPaths(files, config.artifacts, dir);
  try {
    return await analyzeBundle(bundle, { config });
  } finally {
    await bundle.dispose();
  }
}

/** Every way the verdict departs from the truth, in plain words; empty when it agrees. */
export function mismatches(v: CasefileVerdict, t: Truth): string[] {
  const out: string[] = [];
  if (v.verdict !== t.verdict) out.push(`verdict ${v.verdict}, expected ${t.verdict}`);
  if (t.region) {
    if (!v.region) out.push(`no region, expected ${t.region.start}-${t.region.end}`);
    else if (v.region.start !== t.region.start || v.region.end !== t.region.end) out.push(`region ${v.region.start}-${v.region.end}, expected ${t.region.start}-${t.region.end}`);
  }
  for (const f of t.frames) if (!v.frames.includes(f)) out.push(`frame ${f} missing from [${v.frames.join(", ")}]`);
  if (t.suspect) {
    for (const key of ["device", "driver", "function"] as const) {
      const want = t.suspect[key];
      if (want !== null && v.suspect?.[key] !== want) out.push(`suspect ${key} ${v.suspect?.[key] ?? "null"}, expected ${want}`);
    }
  }
  if (t.owner && v.owners[0]?.owner !== t.owner) out.push(`owner ${v.owners[0]?.owner ?? "none"}, expected ${t.owner}`);
  if (t.crash) {
    if (!v.crash) out.push(`no crash report found, expected a ${t.crash.kind ?? "crash"} report`);
    else {
      if (t.crash.kind !== null && v.crash.kind !== t.crash.kind) out.push(`crash kind ${v.crash.kind}, expected ${t.crash.kind}`);
      if (t.crash.frame !== null && v.crash.frame !== t.crash.frame) out.push(`crash frame ${v.crash.frame ?? "null"}, expected ${t.crash.frame}`);
    }
  }
  return out;
}
