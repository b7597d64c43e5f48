import { PAGE_POISON, putU64 } from "../content/kernel-memory-bytes.js";
import type { ScenarioDefinition } from "../model/scenario-plan.js";
import type { SimTraceEvent } from "../model/sim-trace-event.js";
import { pagePoisonReport, taskCaller } from "../writers/console-log-writer.js";
import { asDecoys, bootedConsole, cleanDmaLife, defaultModules, evAlloc, evFree, evMap, evUnmap, frameAndNeighbours, ICE_X86, MLX5_PPC, pfnHex, pickFrame, pickIova, reportContext, truthRegion } from "./scenario-kit.js";

/**
 * A decoy for stale-DMA reasoning: the corrupted frame WAS mapped for DMA by a NIC, but the
 * mapping was properly unmapped before the frame was freed. After the free, its previous owner
 * stored a pointer into it (8 bytes at a word offset), which page poisoning finds at the next
 * allocation. The right verdict is use-after-free, not stale DMA.
 */
export const decoyUnmapped: ScenarioDefinition = {
  name: "decoy-unmapped-dma",
  summary: "the frame was DMA-mapped and properly unmapped before its free; its previous owner then wrote a pointer into it",
  defaultArch: "x86_64",
  arches: ["x86_64", "ppc64le", "ppc64"],
  run(ctx) {
    const { machine: m, rng, gap } = ctx;
    const dev = m.arch === "x86_64" ? ICE_X86 : MLX5_PPC;
    const page = m.pageSize;
    const pfn = pickFrame(ctx);
    const phys = BigInt(pfn) * BigInt(page);
    const iova = pickIova(ctx);
    const ownerTask = { cpu: 6, task: "kworker/6:2", pid: rng.int(200, 900) };
    const taker = { cpu: 11, task: rng.pick(["java", "python3", "containerd"]), pid: rng.int(3000, 9000) };
    const t0 = 1500 + rng.int(0, 5000) + rng.next();
    const t1 = t0 + gap;
    const t2 = t1 + gap;
    const tCrash = t2 + gap;

    const events: SimTraceEvent[] = [
      ...asDecoys(cleanDmaLife(t0 - 5 * gap - 11, ownerTask, dev.address, pfn, page, iova + 2 * page)),
      evAlloc(t0, ownerTask, pfn, "GFP_ATOMIC|__GFP_NOWARN"),
      evMap(t0 + 0.00002, ownerTask, dev.address, Number(phys), page, iova),
      evUnmap(t1, ownerTask, dev.address, page, iova),
      evFree(t1 + 0.00004, ownerTask, pfn),
      evAlloc(tCrash, taker, pfn, "GFP_HIGHUSER_MOVABLE|__GFP_ZERO", 0, 1),
    ];
    const bytes = new Uint8Array(page).fill(PAGE_POISON);
    const off = 8 * rng.int(2, page / 8 - 2);
    putU64(bytes, off, m.linearMapBase + phys + BigInt(64 * rng.int(1, 60)), m.endianness);
    for (const edge of [off, off + 7]) if (bytes[edge] === PAGE_POISON) bytes[edge] = 0x40;

    const log = bootedConsole(ctx, [dev]);
    const rc = reportContext(ctx, { ...taker, comm: taker.task }, defaultModules(m, []));
    log.add(tCrash + 0.00001, taskCaller(taker.pid), pagePoisonReport(rc, { differing: bytes.subarray(off, off + 8), single: false, pfn: BigInt(pfn), stack: ["alloc_pages_mpol_noprof", "vma_alloc_folio_noprof", "do_anonymous_page", "__handle_mm_fault", "handle_mm_fault"] }));
    const start = phys + BigInt(off);
    return {
      console: log.render(),
      events,
      trace: true,
      reserved: frameAndNeighbours(pfn),
      devices: [dev],
      window: { start: t0 - 5 * gap - 30, end: tCrash },
      memory: [{ phys, bytes }],
      systemMap: true,
      lspci: true,
      truth: {
        story: `frame ${pfnHex(pfn)} was mapped by ${dev.driver} and properly unmapped before ${ownerTask.task} freed it; after the free, 8 bytes at offset ${off} were overwritten with a kernel pointer.`,
        verdict: "use-after-free",
        region: truthRegion(start, start + 8n, m),
        frames: [pfnHex(pfn)],
        suspect: null,
        crash: { kind: "page-poison", frame: null },
        missing: [],
      },
    };
  },
};
