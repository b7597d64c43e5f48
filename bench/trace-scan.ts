/**
 * `npm run bench:trace`: generates a 1 GiB ftrace text file in /tmp with the project's writer,
 * then measures, each scan in its own child process (so that peak RSS is the scan's own):
 * `LC_ALL=C grep -c pfn=` on the file, the targeted scan (frame known), the sweep (no frame known),
 * and the gzip path (decompressed MB/s). Prints one `BENCH trace-scan key=value ...` line.
 * Options: --gib N (file size, default 1), --keep (do not delete the files),
 * --generate-only PATH (write the trace and stop).
 */
import { spawnSync } from "node:child_process";
import { createReadStream, createWriteStream, openSync, readSync, closeSync, statSync, unlinkSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import type { Artifact } from "../src/analysis/model/artifact.js";
import { ARCH_DEFAULTS } from "../src/analysis/model/machine.js";
import { scanTraces } from "../src/analysis/trace/scan-traces.js";
import { FtraceWriter } from "../src/simulator/writers/ftrace-writer.js";
import { optionText } from "./support/bench-options.js";

const TARGET_PFN = 0x54d7;
const DEV = "0000:01:00.0";

/** Noise in the mix a busy production trace has: page churn, DMA traffic, faults, scheduler. */
async function generate(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  const w = new FtraceWriter(out, { flagColumns: 5 });
  let seed = 12345;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const tasks = ["java", "kworker/u16:3", "Web Content", "(sd-pam)", "systemd-journal", "ib-comp-wq-2", "python3"];
  const perEvent = 140; // average line length of this mix, so the file comes out at the size asked
  const total = Math.floor(bytes / perEvent);
  const storyAt = Math.floor(total * 0.9);
  let ts = 100;
  let dma = 0xf0000000;
  const outstanding: [number, number][] = [];
  for (let i = 0; i < total; i++) {
    ts += 0.000013;
    const cpu = (rnd() * 16) | 0;
    const task = tasks[(rnd() * tasks.length) | 0];
    const pid = 100 + ((rnd() * 30000) | 0);
    const pfn = 0x100000 + ((rnd() * 0x400000) | 0);
    const x = rnd();
    let ok: boolean;
    if (i === storyAt) {
      ok = w.event({ ts, cpu: 2, task: "kworker/2:1", pid: 88, event: "dma_map_page", fields: `${DEV} dir=FROM_DEVICE dma_addr=fffff000 size=4096 phys_addr=${(TARGET_PFN * 4096).toString(16)} attrs=` });
    } else if (i === storyAt + 1000) {
      ok = w.event({ ts, cpu: 2, task: "kworker/2:1", pid: 88, event: "mm_page_free", fields: `page=00000000deadbeef pfn=0x${TARGET_PFN.toString(16)} order=0` });
    } else if (i === storyAt + 2000) {
      ok = w.event({ ts, cpu: 3, task: "java", pid: 4242, event: "page_fault_user", fields: "address=0x55bc6c5557d0 ip=0x7ff74f7aa84c error_code=0x7" });
      ok = w.event({ ts: ts + 0.000001, cpu: 3, task: "java", pid: 4242, event: "mm_page_alloc", fields: `page=00000000deadbeef pfn=0x${TARGET_PFN.toString(16)} order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_ZERO` });
    } else if (x < 0.38) {
      ok = w.event({ ts, cpu, task, pid, event: "mm_page_alloc", fields: `page=0000000${(pfn * 7).toString(16).padStart(9, "0")} pfn=0x${pfn.toString(16)} order=${x < 0.36 ? 0 : 3} migratetype=1 gfp_flags=GFP_KERNEL_ACCOUNT|__GFP_ZERO` });
    } else if (x < 0.74) {
      ok = w.event({ ts, cpu, task, pid, event: "mm_page_free", fields: `page=0000000${(pfn * 7).toString(16).padStart(9, "0")} pfn=0x${pfn.toString(16)} order=0` });
    } else if (x < 0.86 && (x < 0.8 ? outstanding.length < 4096 : outstanding.length > 0)) {
      // Device traffic: up to 4096 mappings in flight (a NIC ring), unmapped in order when done.
      if (x < 0.8) {
        dma = (dma + 0x1000) % 0x100000000;
        // The NIC's buffers come from their own pool: page churn never hands out a mapped frame.
        const buffer = 0x80000 + ((rnd() * 0x10000) | 0);
        outstanding.push([dma, buffer]);
        ok = w.event({ ts, cpu, task, pid, event: "dma_map_page", fields: `0000:03:00.0 dir=TO_DEVICE dma_addr=${dma.toString(16)} size=4096 phys_addr=${(buffer * 4096).toString(16)} attrs=` });
      } else {
        const [addr] = outstanding.shift()!;
        ok = w.event({ ts, cpu, task, pid, event: "dma_unmap_page", fields: `0000:03:00.0 dir=TO_DEVICE dma_addr=${addr.toString(16)} size=4096 attrs=` });
      }
    } else if (x < 0.9) {
      ok = w.event({ ts, cpu, task, pid, event: "page_fault_user", fields: `address=0x7f${pfn.toString(16)}000 ip=0x7ff74f7aa84c error_code=0x6` });
    } else if (x < 0.97) {
      ok = w.event({ ts, cpu, task, pid, event: "sched_switch", fields: `prev_comm=${task} prev_pid=${pid} prev_prio=120 prev_state=S ==> next_comm=swapper/${cpu} next_pid=0 next_prio=120` });
    } else {
      ok = w.event({ ts, cpu, task, pid, event: "kmalloc", fields: `call_site=__alloc_skb+0x8e/0x1d0 ptr=00000000${(pfn * 13).toString(16).slice(-8)} bytes_req=640 bytes_alloc=1024 gfp_flags=GFP_ATOMIC node=-1 accounted=false` });
    }
    if (!ok) await w.drained();
  }
  await w.end();
}

function fileArtifact(path: string, gzip: boolean): Artifact {
  const fd = openSync(path, "r");
  const head = Buffer.alloc(65536);
  const n = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  return { name: path, kind: "ftrace", bytes: gzip ? null : statSync(path).size, head: head.subarray(0, n), open: () => createReadStream(path, { highWaterMark: 1 << 20 }), warnings: [] };
}

/** Child mode: one scan, then a JSON line with its time, events and peak RSS. */
async function child(mode: string, path: string): Promise<void> {
  const gzip = mode === "gzip";
  const art = fileArtifact(path, gzip);
  let decompressed = 0;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const f = await scanTraces([art], {
    frames: mode === "sweep" ? null : [BigInt(TARGET_PFN)],
    machine: ARCH_DEFAULTS.x86_64,
    rules: [],
    devices: [{ device: DEV, driver: "mlx5_core", source: "bench" }],
    layoutEvents: [],
    region: null,
    crashTs: null,
    onProgress: (read) => (decompressed = read),
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const a = f.artifacts.get(path)!;
  process.stdout.write(
    JSON.stringify({ seconds, cpuSeconds, events: a.events, bytes: decompressed, rssMb: process.resourceUsage().maxRSS / 1024, verdict: f.evidence.find((e) => e.facet === "trace")?.verdict ?? null, top: f.staleMappings[0]?.pfn ?? null }) + "\n",
  );
}

function runChild(mode: string, path: string): { seconds: number; cpuSeconds: number; events: number; bytes: number; rssMb: number; verdict: string | null; top: string | null } {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ["--import", "tsx", self, "--child", mode, path], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`child ${mode} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

async function main(): Promise<void> {
  const mode = optionText("--child");
  if (mode) return child(mode, process.argv[process.argv.indexOf("--child") + 2]);
  const gib = Number(optionText("--gib") ?? "1");
  const only = optionText("--generate-only");
  if (only) return generate(only, gib * 1024 ** 3);
  const path = `/tmp/casefile-bench-trace-${process.pid}.txt`;
  const gzPath = path + ".gz";
  const tg = Date.now();
  await generate(path, gib * 1024 ** 3);
  const size = statSync(path).size;
  const genSeconds = (Date.now() - tg) / 1000;
  try {
    // grep's wall and CPU time, from bash's `time` (the machine may be shared: CPU time is the fair comparison).
    const g = spawnSync("bash", ["-c", `TIMEFORMAT='%R %U %S'; time LC_ALL=C grep -c pfn= '${path}'`], { encoding: "utf8" });
    const grepCount = Number(g.stdout.trim());
    const [gReal, gUser, gSys] = g.stderr.trim().split("\n").pop()!.split(" ").map(Number);
    const grepSeconds = gReal;
    const grepCpu = gUser + gSys;
    const targeted = runChild("targeted", path);
    const sweep = runChild("sweep", path);
    // gzip: the first quarter of the file, compressed at the default level, as bundles ship.
    spawnSync("sh", ["-c", `head -c ${Math.floor(size / 4)} '${path}' | gzip -6 > '${gzPath}'`]);
    const gz = runChild("gzip", gzPath);
    // Reference: how fast gzip itself decompresses the same file on this machine.
    const z = spawnSync("bash", ["-c", `TIMEFORMAT='%R %U %S'; time gzip -dc '${gzPath}' > /dev/null`], { encoding: "utf8" });
    const [zReal, zUser, zSys] = z.stderr.trim().split("\n").pop()!.split(" ").map(Number);
    const mb = size / 1e6;
    const line = [
      "BENCH trace-scan",
      `bytes=${size}`,
      `events=${targeted.events}`,
      `grep_s=${grepSeconds.toFixed(2)}`,
      `grep_count=${grepCount}`,
      `grep_cpu_s=${grepCpu.toFixed(2)}`,
      `scan_s=${targeted.seconds.toFixed(2)}`,
      `scan_cpu_s=${targeted.cpuSeconds.toFixed(2)}`,
      `scan_mbps=${(mb / targeted.seconds).toFixed(0)}`,
      `ratio_to_grep=${(targeted.seconds / grepSeconds).toFixed(2)}`,
      `cpu_ratio_to_grep=${(targeted.cpuSeconds / grepCpu).toFixed(2)}`,
      `scan_rss_mb=${targeted.rssMb.toFixed(0)}`,
      `verdict=${targeted.verdict}`,
      `sweep_s=${sweep.seconds.toFixed(2)}`,
      `sweep_cpu_s=${sweep.cpuSeconds.toFixed(2)}`,
      `sweep_rss_mb=${sweep.rssMb.toFixed(0)}`,
      `sweep_top=${sweep.top}`,
      `gzip_mbps=${(gz.bytes / 1e6 / gz.seconds).toFixed(0)}`,
      `gzip_cpu_mbps=${(gz.bytes / 1e6 / gz.cpuSeconds).toFixed(0)}`,
      `gzip_rss_mb=${gz.rssMb.toFixed(0)}`,
      `gunzip_tool_mbps=${(gz.bytes / 1e6 / zReal).toFixed(0)}`,
      `gunzip_tool_cpu_mbps=${(gz.bytes / 1e6 / (zUser + zSys)).toFixed(0)}`,
      `gen_s=${genSeconds.toFixed(0)}`,
      `machine="${cpus()[0]?.model.trim()} x${cpus().length}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, node ${process.version}"`,
    ].join(" ");
    console.log(line);
  } finally {
    if (!process.argv.includes("--keep")) {
      for (const p of [path, gzPath]) {
        try {
          unlinkSync(p);
        } catch {
          /* already gone */
        }
      }
    }
  }
}

await main();
