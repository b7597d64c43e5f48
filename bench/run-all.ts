/**
 * `npm run bench`: every whole-system benchmark in turn, each in its own process under `nice`
 * (so one's memory does not colour the next), relaying their one-line `BENCH ...` summaries.
 * Options: --only name,name (trace, memory, simulate, analysis, ingress, pipeline).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ALL: [string, string][] = [
  ["trace", "trace-scan.ts"],
  ["memory", "memory-vmcore.ts"],
  ["simulate", "simulate-trace.ts"],
  ["analysis", "analysis-end-to-end.ts"],
  ["ingress", "webhook-ingress.ts"],
  ["pipeline", "pipeline.ts"],
];
const i = process.argv.indexOf("--only");
const only = i === -1 ? null : new Set(process.argv[i + 1].split(","));
let failed = 0;
for (const [name, file] of ALL) {
  if (only && !only.has(name)) continue;
  const path = fileURLToPath(new URL(file, import.meta.url));
  if (!existsSync(path)) {
    console.log(`BENCH ${name} skipped=not-present`);
    continue;
  }
  const r = spawnSync("nice", [process.execPath, "--import", "tsx", path], { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const lines = (r.stdout ?? "").split("\n").filter((l) => l.startsWith("BENCH "));
  if (r.status !== 0 || lines.length === 0) {
    failed++;
    console.log(`BENCH ${name} failed=exit-${r.status ?? r.signal}`);
  } else for (const l of lines) console.log(l);
}
process.exitCode = failed ? 1 : 0;
