/**
 * `npm run bench:simulate`: how fast `casefile simulate` streams a large trace and how little
 * memory it needs: the stale-DMA scenario with --noise N (default 5 M events, ~750 MB of ftrace
 * text) into /tmp, deleted afterwards. Prints one `BENCH simulate key=value ...` line.
 * Options: --events N, --gzip, --format ftrace|trace-cmd|jsonl.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simulate, type TraceFormat } from "../src/simulator/simulate.js";
import { machineLoadFields, optionNumber, optionText } from "./support/bench-options.js";

const events = optionNumber("--events", 5_000_000);
const format = (optionText("--format") ?? "ftrace") as TraceFormat;
const gzip = process.argv.includes("--gzip");
const dir = await mkdtemp(join(tmpdir(), "casefile-bench-sim-"));
try {
  const rssBefore = process.memoryUsage().rss;
  const start = performance.now();
  const truth = await simulate("stale-dma-power", { out: dir, seed: 1, noise: events, traceFormat: format, gzip });
  const seconds = (performance.now() - start) / 1000;
  const trace = truth.files.find((x) => ["ftrace", "trace-cmd", "jsonl-events"].includes(x.kind))!;
  console.log(
    [
      "BENCH simulate",
      `format=${format}${gzip ? ".gz" : ""}`,
      `events=${truth.trace_events}`,
      `trace_mb=${(trace.bytes / 1e6).toFixed(1)}`,
      `seconds=${seconds.toFixed(1)}`,
      `events_per_s=${Math.round(truth.trace_events / seconds)}`,
      `mb_per_s=${(trace.bytes / 1e6 / seconds).toFixed(1)}`,
      `rss_before_mb=${(rssBefore / 2 ** 20).toFixed(0)}`,
      `peak_rss_mb=${((process.resourceUsage().maxRSS * 1024) / 2 ** 20).toFixed(0)}`,
      ...machineLoadFields(),
    ].join(" "),
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
