/**
 * Benchmark (issue 3): locate and classify a corrupted region in a sparse 1 GiB kdump ELF core.
 * 1. With a crash report naming the frame: only headers, notes and that frame should be read,
 *    so the time beyond reading those pages must stay far below a second.
 * 2. Without one: the page-start sweep probes 64 bytes of every page for a packet header
 *    (ppc64le 64 KiB pages and x86_64 4 KiB pages).
 * Run once, niced:  nice npm run bench:memory
 * The cores are written to /tmp as sparse files and deleted afterwards.
 */
import { rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Readable } from "node:stream";
import { parseConsoleLog } from "../src/analysis/console/index.js";
import { findCorruptedRegion, loadMemory } from "../src/analysis/memory/index.js";
import type { Artifact } from "../src/analysis/model/artifact.js";
import { resolveMachine, type Arch, type MachineFacts, type MachineHints } from "../src/analysis/model/machine.js";
import type { CrashReport } from "../src/analysis/model/crash.js";
import { SymbolMap } from "../src/analysis/symbols/symbol-map.js";
import { writeElfCoreFile } from "../src/simulator/writers/elf-core-writer.js";
import { kernelPage, roceFrame, systemMap, PPC, X86 } from "../test/memory/bundle-builder.js";

const GiB = 1n << 30n;
const SEGMENTS = 8n;

async function buildCore(path: string, arch: Arch, machine: MachineFacts, phys: bigint): Promise<number> {
  const page = kernelPage(machine, machine.pageSize, phys, 7);
  page.set(roceFrame({ length: 2048, src: "10.20.1.7", dst: "10.20.1.9", opcode: 0x04, qp: 0x6e3312, seed: 3 }), 0);
  const segSize = GiB / SEGMENTS;
  const segments = Array.from({ length: Number(SEGMENTS) }, (_, i) => {
    const paddr = BigInt(i) * segSize;
    const contents = [] as { offset: bigint; bytes: Uint8Array }[];
    // A few live pages in every segment so the file is not all holes.
    for (let k = 0n; k < 4n; k++) contents.push({ offset: k * 0x100000n, bytes: kernelPage(machine, machine.pageSize, paddr + k * 0x100000n, Number(k) + i * 10) });
    if (phys >= paddr && phys < paddr + segSize) contents.push({ offset: phys - paddr, bytes: page });
    return { paddr, size: segSize, contents };
  });
  await writeElfCoreFile(path, { arch, endianness: "little", vmcoreinfo: `OSRELEASE=6.12.0.${arch}\nPAGESIZE=${machine.pageSize}\n`, segments });
  return statSync(path).blocks * 512;
}

const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(path: string, crash: CrashReport | null, hints: MachineHints[], symbols: SymbolMap, runs: number) {
  const art: Artifact = { name: "vmcore", kind: "elf-vmcore", bytes: null, head: Buffer.alloc(0), open: () => Readable.from([]), path, warnings: [] };
  const loadMs: number[] = [];
  const findMs: number[] = [];
  const readMs: number[] = [];
  let bytesRead = 0;
  let last: ReturnType<typeof findCorruptedRegion> | null = null;
  for (let r = 0; r < runs; r++) {
    let t = performance.now();
    const load = await loadMemory([art], resolveMachine(hints));
    loadMs.push(performance.now() - t);
    const machine = resolveMachine([...load.hints, ...hints]);
    load.memory.bytesReadFromCores = 0;
    t = performance.now();
    last = findCorruptedRegion({ memory: load.memory, crash, symbols, machine });
    findMs.push(performance.now() - t);
    bytesRead = load.memory.bytesReadFromCores;
    load.memory.close();
    if (crash) {
      // Reading the same bytes through the same reader, for the "beyond reading" figure.
      const again = await loadMemory([art], machine);
      const start = last.region?.start ?? 0n;
      t = performance.now();
      again.memory.read((start / BigInt(machine.pageSize)) * BigInt(machine.pageSize), bytesRead);
      readMs.push(performance.now() - t);
      again.memory.close();
    }
  }
  const region = last?.region;
  return {
    medianMs: {
      loadHeaders: +med(loadMs).toFixed(3),
      findAndClassify: +med(findMs).toFixed(3),
      ...(readMs.length ? { readPagesOnly: +med(readMs).toFixed(3), beyondReading: +(med(findMs) - med(readMs)).toFixed(3) } : {}),
    },
    bytesReadFromCore: bytesRead,
    region: region ? { start: "0x" + region.start.toString(16), end: "0x" + region.end.toString(16), alignment: region.alignment, granule: region.granule, content: region.content } : null,
    verdicts: last?.evidence.map((e) => `${e.verdict}/${e.facet}`),
  };
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = { node: process.version };
  for (const [arch, machine, frame] of [["ppc64le", PPC, 0x2b3cn], ["x86_64", X86, 0x2b3c7n]] as const) {
    const path = join(tmpdir(), `casefile-bench-vmcore-${arch}-${process.pid}`);
    const phys = frame * BigInt(machine.pageSize);
    try {
      let t = performance.now();
      const disk = await buildCore(path, arch, machine, phys);
      const writeMs = performance.now() - t;
      const banner = arch === "ppc64le" ? "LE PAGE_SIZE=64K MMU=Radix SMP NR_CPUS=2048 NUMA pSeries" : "RIP: 0010:free_unref_page+0x2a5/0x4f0";
      const facts = parseConsoleLog(`[    0.000000] ${banner}\n[  812.004512] BUG: Bad page state in process java  pfn:${frame.toString(16)}\n[  812.004530] page dumped because: nonzero mapcount\n`, "console.log");
      const symbols = SymbolMap.parse(systemMap(arch)).map;
      t = performance.now();
      results[arch] = {
        core: { logicalBytes: Number(GiB), diskBytes: disk, segments: Number(SEGMENTS), pageSize: machine.pageSize, writeMs: Math.round(writeMs) },
        withCrashReport: await measure(path, facts.crash, facts.machine, symbols, 30),
        sweepWithoutCrashReport: await measure(path, null, [{ arch }], symbols, 3),
      };
    } finally {
      rmSync(path, { force: true });
    }
  }
  console.log(JSON.stringify(results, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
