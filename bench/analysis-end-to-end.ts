/**
 * `npm run bench:analysis`: a ~100 MB simulated stale-DMA bundle (POWER, 64K pages: console log,
 * ftrace text, hexdump of the frame, System.map, lspci) from files to JSON verdict, through
 * `ingestPaths` + `analyzeBundle` exactly as `casefile analyze --json` runs them. The bundle is
 * written to /tmp and deleted afterwards. Prints one `BENCH analysis-e2e key=value ...` line.
 * Options: --mb N (trace size, default 100), --seed N, --keep.
 */
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeBundle } from "../src/analysis/analyze.js";
import { parseConfig } from "../src/analysis/config/casefile-config.js";
import { ingestPaths } from "../src/analysis/ingest/index.js";
import { exampleConfigYaml } from "../src/simulator/bundle/example-owners.js";
import { simulate } from "../src/simulator/simulate.js";
import { machineLoadFields, optionNumber } from "./support/bench-options.js";

const targetMb = optionNumber("--mb", 100);
const seed = optionNumber("--seed", 1);
const dir = await mkdtemp(join(tmpdir(), "casefile-bench-e2e-"));
try {
  // ~150 bytes per ftrace line of the simulator's noise mix.
  const noise = Math.round((targetMb * 1e6) / 150);
  const t0 = performance.now();
  const truth = await simulate("stale-dma-power", { out: dir, seed, noise, gap: 0.35 });
  const genSeconds = (performance.now() - t0) / 1000;
  const files = (await readdir(dir)).filter((f) => f !== "truth.json").map((f) => join(dir, f));
  let bytes = 0;
  for (const f of files) bytes += (await stat(f)).size;

  const config = parseConfig(exampleConfigYaml(), "examples/casefile.yml");
  const rssBefore = process.memoryUsage().rss;
  const start = performance.now();
  const bundle = await ingestPaths(files, config.artifacts, dir);
  let verdict;
  try {
    verdict = await analyzeBundle(bundle, { config });
  } finally {
    await bundle.dispose();
  }
  const json = JSON.stringify(verdict);
  const seconds = (performance.now() - start) / 1000;
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const verdictOk = verdict.verdict === truth.verdict && verdict.suspect?.driver === truth.suspect?.driver;
  const regionOk = verdict.region?.start === truth.region?.start && verdict.region?.end === truth.region?.end;
  console.log(
    [
      "BENCH analysis-e2e",
      `bundle_mb=${(bytes / 1e6).toFixed(1)}`,
      `trace_events=${truth.trace_events}`,
      `seconds=${seconds.toFixed(2)}`,
      `mb_per_s=${(bytes / 1e6 / seconds).toFixed(1)}`,
      `rss_before_mb=${(rssBefore / 2 ** 20).toFixed(0)}`,
      `peak_rss_mb=${(peakRss / 2 ** 20).toFixed(0)}`,
      `verdict=${verdict.verdict}`,
      `confidence=${verdict.confidence.toFixed(2)}`,
      `verdict_ok=${verdictOk}`,
      `region_ok=${regionOk}`,
      `json_bytes=${json.length}`,
      `generate_seconds=${genSeconds.toFixed(1)}`,
      ...machineLoadFields(),
    ].join(" "),
  );
} finally {
  if (!process.argv.includes("--keep")) await rm(dir, { recursive: true, force: true });
}
