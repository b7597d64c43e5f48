/**
 * `nice npx tsx bench/console-parse.ts`: throughput of the console parser on the syzkaller corpus
 * (every file, median of 5 passes), on a 64 MiB boot-and-run log with the crash at its end, and on
 * the worst inputs the robustness tests use (a 50 MiB single line, 1 MiB of binary garbage,
 * 200k crash headers). Prints one `BENCH console-parse key=value ...` line per case.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseConsoleLog } from "../src/analysis/console/index.js";

const CORPUS = fileURLToPath(new URL("../../shared/corpus/syzkaller/linux-report", import.meta.url));

function time(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function report(name: string, bytes: number, ms: number, extra = ""): void {
  const mib = bytes / (1 << 20);
  console.log(`BENCH console-parse case=${name} MiB=${mib.toFixed(1)} ms=${ms.toFixed(1)} MiB/s=${(mib / (ms / 1000)).toFixed(1)} rssMiB=${(process.memoryUsage().rss / (1 << 20)).toFixed(0)}${extra}`);
}

const logs = readdirSync(CORPUS).map((f) => {
  const text = readFileSync(`${CORPUS}/${f}`, "latin1");
  return text.slice(text.indexOf("\n\n") + 2);
});
const corpusBytes = logs.reduce((n, l) => n + l.length, 0);
const passes = Array.from({ length: 5 }, () => time(() => logs.forEach((l, i) => parseConsoleLog(l, String(i)))));
report("corpus", corpusBytes, median(passes), ` files=${logs.length} msPerFile=${(median(passes) / logs.length).toFixed(2)}`);

// A long-running machine's console: dev_printk chatter, audit lines, a crash at the end.
const chatter = [
  "[%] mlx5_core 0000:01:00.0: mlx5e_rx_cqe_err: CQE error, syndrome 0x4",
  "[%] audit: type=1400 audit(1700000000.000:42): avc:  denied  { read } for  pid=4242 comm=\"java\"",
  "[%] EXT4-fs (nvme0n1p2): re-mounted. Opts: errors=remount-ro",
  "[%] pseries-hotplug-mem: Memory at 20000000 (drc index 80000011) was hot-removed",
];
const parts: string[] = [];
let size = 0;
for (let i = 0; size < 64 << 20; i++) {
  const line = chatter[i % chatter.length].replace("%", `${(i / 1000).toFixed(6).padStart(12)}`);
  parts.push(line);
  size += line.length + 1;
}
parts.push("[99999.000000] BUG: KASAN: use-after-free in mlx5e_xmit+0x1c/0x80", "[99999.000001] Read of size 8 at addr ffff888012345678 by task java/4242", "[99999.000002] Call Trace:", "[99999.000003]  mlx5e_xmit+0x1c/0x80");
const big = parts.join("\n");
parts.length = 0;
let crash = "";
report("64MiB-log", big.length, time(() => {
  crash = parseConsoleLog(big, "big.log").crash?.title ?? "none";
}), ` title="${crash}"`);

const single = "a".repeat(50 << 20);
report("50MiB-single-line", single.length, time(() => parseConsoleLog(single, "line.log")));
const garbage = Array.from({ length: 1 << 20 }, (_, i) => String.fromCharCode((i * 7919) % 256)).join("");
report("1MiB-garbage", garbage.length, time(() => parseConsoleLog(garbage, "garbage.log")));
const headers = "BUG: soft lockup - CPU#0 stuck for 22s!\n".repeat(200000);
report("200k-headers", headers.length, time(() => parseConsoleLog(headers, "headers.log")));
