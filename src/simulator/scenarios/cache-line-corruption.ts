import { POISON_FREE, slabObjects } from "../content/kernel-memory-bytes.js";
import type { ScenarioDefinition } from "../model/scenario-plan.js";
import type { SimTraceEvent } from "../model/sim-trace-event.js";
import { slubReport, taskCaller } from "../writers/console-log-writer.js";
import { asDecoys, bootedConsole, cleanDmaLife, defaultModules, evAlloc, frameAndNeighbours, ICE_X86, MLX5_PPC, pfnHex, pickIova, reportContext, truthRegion } from "./scenario-kit.js";
import { slabPage, SLAB_USERS, slubAllocCheckStack, slubObjectShown } from "./slab-kit.js";

/**
 * Cache-line corruption: whole cache lines of a free SLUB object hold stale, plausible data
 * (pointers and counters of an older version of some structure), starting on a line boundary.
 * No device ever mapped the frame: a CPU, cache or coherency bug wrote back old lines.
 */
export const cacheLineCorruption: ScenarioDefinition = {
  name: "cache-line-corruption",
  summary: "whole cache lines of a free slab object hold stale pointers; no DMA ever touched the frame",
  defaultArch: "x86_64",
  arches: ["x86_64", "ppc64le", "ppc64"],
  run(ctx) {
    const { machine: m, rng, gap } = ctx;
    const user = rng.pick(SLAB_USERS.filter((u) => u.cacheSize >= 256));
    const slab = slabPage(ctx, 512);
    const victim = rng.int(0, slab.objects - 1);
    slab.setFree(victim, true);
    const line = m.cacheLine;
    const lines = m.cacheLine === 128 ? rng.int(1, 2) : rng.int(2, 4);
    const firstLine = rng.int(0, 512 / line - lines - 1); // never the object's last line (0xa5 end marker)
    const objAt = victim * slab.stride;
    const at = objAt + firstLine * line;
    const stale = slabObjects(lines * line, { objectSize: 64, endianness: m.endianness, linearMapBase: m.linearMapBase, physBase: slab.phys + BigInt(at), heapStart: slab.phys - 2n ** 28n, heapEnd: slab.phys + 2n ** 28n }, rng);
    // The edges must differ from the poison, as they do in a real report's range.
    if (stale[0] === POISON_FREE) stale[0] ^= 0x10;
    if (stale[stale.length - 1] === POISON_FREE) stale[stale.length - 1] ^= 0x10;
    slab.bytes.set(stale, at);
    const start = slab.phys + BigInt(at);
    const end = start + BigInt(stale.length);

    const t0 = 5000 + rng.int(0, 40000) + rng.next();
    const tCrash = t0 + 3 * gap;
    const cpu = rng.int(0, 7);
    const alloc = { cpu, task: "kworker/u64:3", pid: rng.int(200, 900) };
    const checker = { cpu: rng.int(8, 15), task: rng.pick(["postgres", "java", "nginx"]), pid: rng.int(3000, 9000) };
    const dev = m.arch === "x86_64" ? ICE_X86 : MLX5_PPC;
    const events: SimTraceEvent[] = [evAlloc(t0, alloc, slab.pfn, "GFP_KERNEL|__GFP_COMP", 0, 0)];
    // Decoys: the neighbouring frames had clean DMA lives.
    events.push(...asDecoys(cleanDmaLife(t0 + gap, alloc, dev.address, slab.pfn + 1, m.pageSize, pickIova(ctx))));
    events.push(...asDecoys(cleanDmaLife(t0 + 2 * gap, alloc, dev.address, slab.pfn - 1, m.pageSize, pickIova(ctx))));

    const virt = (p: bigint): bigint => p + m.linearMapBase;
    const log = bootedConsole(ctx, [dev]);
    const rc = reportContext(ctx, { ...checker, comm: checker.task }, defaultModules(m, []));
    log.add(tCrash, taskCaller(checker.pid), slubReport(rc, {
      ...slubObjectShown(slab, victim, 64),
      what: "Poison overwritten",
      range: { start: virt(start), end: virt(end), first: stale[0], expected: POISON_FREE },
      allocatedIn: user.alloc,
      freedIn: user.free,
      stack: slubAllocCheckStack(user),
    }));

    return {
      console: log.render(),
      events,
      trace: true,
      reserved: frameAndNeighbours(slab.pfn),
      devices: [dev],
      window: { start: t0 - 10, end: tCrash },
      memory: [{ phys: slab.phys, bytes: slab.bytes }],
      systemMap: true,
      lspci: false,
      truth: {
        story: `${lines} whole ${line}-byte cache line(s) of a free ${slab.cache} object in frame ${pfnHex(slab.pfn)} hold stale pointers instead of poison; the frame has no DMA history.`,
        verdict: "cache-line-corruption",
        region: truthRegion(start, end, m),
        frames: [pfnHex(slab.pfn)],
        suspect: null,
        crash: { kind: "slub-poison", frame: null },
        missing: [],
      },
    };
  },
};
