/**
 * Benchmark (issue 3): locate and classify a corrupted region in a sparse 1 GiB kdump ELF core.
 * Only headers, notes and the pages the crash report points at should be read, so the time
 * beyond reading those pages must stay far below a second. Run once, niced:
 *   nice npm run bench:memory
 * The core is written to /tmp as a sparse file and deleted afterwards.
 */
import { rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseConsoleLog } from "../src/analysis/console/index.js";
import { findCorruptedRegion, loadMemory } from "../src/analysis/memory/index.js";
import type { Artifact } from "../src/analysis/model/artifact.js";
import { resolveMachine } from "../src/analysis/model/machine.js";
import { SymbolMap } from "../src/analysis/symbols/symbol-map.js";
import { writeElfCoreFile } from "../src/simulator/writers/elf-core-writer.js";
import { Readable } from "node:stream";
import { kernelPage, roceFrame, systemMap, PPC } from "../test/memory/bundle-builder.js";

const GiB = 1n << 30n;
const SEGMENTS = 8n;
const FRAME = 0x2b3cn; // 64 KiB frame holding the stale DMA (physical 0x2b3c0000)
const PAGE = 65536;
const RUNS = 30;

async function main(): Promise<void> {
  const path = join(tmpdir(), `casefile-bench-vmcore-${process.pid}`);
  const phys = FRAME * BigInt(PAGE);
  const page = kernelPage(PPC, PAGE, phys, 7);
  page.set(roceFrame({ length: 2048, src: "10.20.1.7", dst: "10.20.1.9", opcode: 0x04, qp: 0x6e3312, seed: 3 }), 0);
  const segSize = GiB / SEGMENTS;
  const segments = Array.from({ length: Number(SEGMENTS) }, (_, i) => {
    const paddr = BigInt(i) * segSize;
    const contents = [] as { offset: bigint; bytes: Uint8Array }[];
    // A few live pages in every segment so the file is not all holes.
    for (let k = 0n; k < 4n; k++) contents.push({ offset: k * 0x100000n, bytes: kernelPage(PPC, PAGE, paddr + k * 0x100000n, Number(k) + i * 10) });
    if (phys >= paddr && phys < paddr + segSize) contents.push({ offset: phys - paddr, bytes: page });
    return { paddr, size: segSize, contents };
  });
  let t = performance.now();
  await writeElfCoreFile(path, { arch: "ppc64le", endianness: "little", vmcoreinfo: "OSRELEASE=6.12.0-55.el10.ppc64le\nPAGESIZE=65536\n", segments });
  const writeMs = performance.now() - t;
  const st = statSync(path);

  const consoleText = `[    0.000000] LE PAGE_SIZE=64K MMU=Radix SMP NR_CPUS=2048 NUMA pSeries
[  812.004512] BUG: Bad page state in process java  pfn:${FRAME.toString(16)}
[  812.004530] page dumped because: nonzero mapcount
`;
  const facts = parseConsoleLog(consoleText, "console.log");
  const symbols = SymbolMap.parse(systemMap("ppc64le")).map;
  const art: Artifact = { name: "vmcore", kind: "elf-vmcore", bytes: st.size, head: Buffer.alloc(0), open: () => Readable.from([]), path, warnings: [] };

  const loadMs: number[] = [];
  const findMs: number[] = [];
  const readMs: number[] = [];
  let bytesRead = 0;
  let last: ReturnType<typeof findCorruptedRegion> | null = null;
  for (let r = 0; r < RUNS; r++) {
    t = performance.now();
    const load = await loadMemory([art], resolveMachine(facts.machine));
    loadMs.push(performance.now() - t);
    const machine = resolveMachine([...load.hints, ...facts.machine]);
    load.memory.bytesReadFromCores = 0;
    t = performance.now();
    last = findCorruptedRegion({ memory: load.memory, crash: facts.crash, symbols, machine });
    findMs.push(performance.now() - t);
    bytesRead = load.memory.bytesReadFromCores;
    load.memory.close();
    // The cost of only reading the same bytes through the same reader, for the "beyond reading" figure.
    const again = await loadMemory([art], machine);
    t = performance.now();
    again.memory.read(phys, bytesRead);
    readMs.push(performance.now() - t);
    again.memory.close();
  }
  rmSync(path, { force: true });
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const region = last?.region;
  console.log(
    JSON.stringify(
      {
        node: process.version,
        core: { logicalBytes: Number(GiB) + 4096, diskBytes: st.blocks * 512, segments: Number(SEGMENTS), writeMs: Math.round(writeMs) },
        runs: RUNS,
        medianMs: { loadHeaders: +med(loadMs).toFixed(3), findAndClassify: +med(findMs).toFixed(3), readPagesOnly: +med(readMs).toFixed(3), beyondReading: +(med(findMs) - med(readMs)).toFixed(3) },
        bytesReadFromCore: bytesRead,
        region: region ? { start: "0x" + region.start.toString(16), end: "0x" + region.end.toString(16), alignment: region.alignment, granule: region.granule, content: region.content } : null,
        verdicts: last?.evidence.map((e) => `${e.verdict}/${e.facet}`),
      },
      null,
      2,
    ),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
