import { PAGE_POISON, POISON_FREE } from "../content/kernel-memory-bytes.js";
import type { ScenarioDefinition } from "../model/scenario-plan.js";
import type { SimTraceEvent } from "../model/sim-trace-event.js";
import { pagePoisonReport, slubReport, taskCaller } from "../writers/console-log-writer.js";
import { bootedConsole, defaultModules, evAlloc, evFree, frameAndNeighbours, pfnHex, pickFrame, reportContext, truthRegion } from "./scenario-kit.js";
import { slabPage, SLAB_USERS, slubAllocCheckStack, slubObjectShown } from "./slab-kit.js";

/**
 * A single-bit flip in memory nobody should have touched: a free page's poison (page
 * poisoning, "pagealloc: single bit error") or a free slab object's poison (SLUB, "First byte
 * 0x6f instead of 0x6b"), chosen by the seed. Failing memory.
 */
export const bitFlip: ScenarioDefinition = {
  name: "bit-flip",
  summary: "one bit of a free page's or free slab object's poison is flipped: failing memory",
  defaultArch: "x86_64",
  arches: ["x86_64", "ppc64le", "ppc64"],
  run(ctx) {
    const { machine: m, rng, gap } = ctx;
    const bit = 1 << rng.int(0, 7);
    const t0 = 2000 + rng.int(0, 20000) + rng.next();
    const tCrash = t0 + 2 * gap;
    const freer = { cpu: rng.int(0, 7), task: "kworker/u64:1", pid: rng.int(200, 900) };
    const taker = { cpu: rng.int(8, 15), task: rng.pick(["python3", "java", "dnf"]), pid: rng.int(3000, 9000) };
    const log = bootedConsole(ctx, []);
    const rc = reportContext(ctx, { ...taker, comm: taker.task }, defaultModules(m, []));

    if (rng.chance(0.5)) {
      // Page poisoning.
      const pfn = pickFrame(ctx);
      const phys = BigInt(pfn) * BigInt(m.pageSize);
      const bytes = new Uint8Array(m.pageSize).fill(PAGE_POISON);
      const off = rng.int(0, m.pageSize - 1);
      bytes[off] = PAGE_POISON ^ bit;
      const events: SimTraceEvent[] = [evFree(t0, freer, pfn), evAlloc(tCrash, taker, pfn, "GFP_HIGHUSER_MOVABLE|__GFP_ZERO", 0, 1)];
      log.add(tCrash + 0.00001, taskCaller(taker.pid), pagePoisonReport(rc, { differing: bytes.subarray(off, off + 1), single: true, pfn: BigInt(pfn), stack: ["alloc_pages_mpol_noprof", "vma_alloc_folio_noprof", "do_anonymous_page", "__handle_mm_fault", "handle_mm_fault", "do_user_addr_fault", "exc_page_fault", "asm_exc_page_fault"] }));
      const start = phys + BigInt(off);
      return {
        console: log.render(),
        events,
        trace: true,
        reserved: frameAndNeighbours(pfn),
        devices: [],
        window: { start: t0 - 20, end: tCrash },
        memory: [{ phys, bytes }],
        systemMap: true,
        lspci: false,
        truth: {
          story: `free frame ${pfnHex(pfn)} kept its 0xaa poison except one byte, 0x${(PAGE_POISON ^ bit).toString(16)}: a single flipped bit.`,
          verdict: "bit-flip",
          region: truthRegion(start, start + 1n, m),
          frames: [pfnHex(pfn)],
          suspect: null,
          crash: { kind: "page-poison", frame: null },
          missing: [],
        },
      };
    }
    // SLUB poison.
    const user = rng.pick(SLAB_USERS);
    const slab = slabPage(ctx, user.cacheSize);
    const victim = rng.int(0, slab.objects - 1);
    slab.setFree(victim, true);
    const objAt = victim * slab.stride;
    const off = rng.int(0, user.cacheSize - 2);
    slab.bytes[objAt + off] = POISON_FREE ^ bit;
    const start = slab.phys + BigInt(objAt + off);
    const events: SimTraceEvent[] = [evAlloc(t0 - 40 * gap, freer, slab.pfn, "GFP_KERNEL|__GFP_COMP")];
    log.add(tCrash, taskCaller(taker.pid), slubReport(rc, {
      ...slubObjectShown(slab, victim, 32),
      what: "Poison overwritten",
      range: { start: m.linearMapBase + start, end: m.linearMapBase + start + 1n, first: POISON_FREE ^ bit, expected: POISON_FREE },
      allocatedIn: user.alloc,
      freedIn: user.free,
      stack: slubAllocCheckStack(user),
    }));
    return {
      console: log.render(),
      events,
      trace: true,
      reserved: frameAndNeighbours(slab.pfn),
      devices: [],
      window: { start: t0 - 40 * gap - 5, end: tCrash },
      memory: [{ phys: slab.phys, bytes: slab.bytes }],
      systemMap: true,
      lspci: false,
      truth: {
        story: `a free ${slab.cache} object in frame ${pfnHex(slab.pfn)} holds 0x${(POISON_FREE ^ bit).toString(16)} instead of its 0x6b poison in one byte: a single flipped bit.`,
        verdict: "bit-flip",
        region: truthRegion(start, start + 1n, m),
        frames: [pfnHex(slab.pfn)],
        suspect: null,
        crash: { kind: "slub-poison", frame: null },
        missing: [],
      },
    };
  },
};
