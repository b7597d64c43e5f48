import { getU64 } from "../content/kernel-memory-bytes.js";
import type { ScenarioDefinition } from "../model/scenario-plan.js";
import type { SimTraceEvent } from "../model/sim-trace-event.js";
import { taskCaller, x86GeneralProtection } from "../writers/console-log-writer.js";
import { bootedConsole, defaultModules, evAlloc, frameAndNeighbours, isPrintable, pfnHex, reportContext, truthRegion } from "./scenario-kit.js";
import { slabPage } from "./slab-kit.js";

/**
 * An unaligned software overrun: a text buffer copied to a miscomputed destination lands at an
 * odd offset inside a live object, over its pointers. No debug option catches it; the next
 * user of the object dereferences a pointer made of the text and takes a general protection
 * fault. No DMA or free history explains the bytes.
 */
export const softwareOverrun: ScenarioDefinition = {
  name: "software-overrun",
  summary: "x86_64: text copied to an unaligned offset inside a live object; a pointer made of the text faults",
  defaultArch: "x86_64",
  arches: ["x86_64"],
  run(ctx) {
    const { machine: m, rng, gap } = ctx;
    const slab = slabPage(ctx, 256);
    const victim = rng.int(0, slab.objects - 1);
    slab.setFree(victim, false);
    const objAt = victim * slab.stride;
    let off = rng.int(9, 96);
    if (off % 8 === 0) off += rng.int(1, 7);
    const text = new TextEncoder().encode(`mlx5_ib_dev:port${rng.int(1, 2)}:gid_tbl[${rng.int(0, 255)}]=fe80::${rng.int(0x1000, 0xffff).toString(16)}:${rng.int(0x1000, 0xffff).toString(16)}`);
    const at = objAt + off;
    slab.bytes.set(text, at);
    // Crisp edges: the bytes either side are not text (a pointer's high byte, a zero).
    if (isPrintable(slab.bytes[at - 1])) slab.bytes[at - 1] = 0x00;
    if (isPrintable(slab.bytes[at + text.length])) slab.bytes[at + text.length] = 0x00;
    const firstWord = Math.ceil(at / 8) * 8;
    const bad = getU64(slab.bytes, firstWord, "little");
    const start = slab.phys + BigInt(at);
    const end = start + BigInt(text.length);

    const t0 = 3000 + rng.int(0, 9000) + rng.next();
    const tCrash = t0 + 4 * gap;
    const who = { cpu: rng.int(0, 15), task: rng.pick(["ibv_devinfo", "rdma", "kworker/3:0"]), pid: rng.int(1000, 9000) };
    const events: SimTraceEvent[] = [evAlloc(t0, { cpu: 1, task: "kworker/u64:0", pid: 411 }, slab.pfn, "GFP_KERNEL|__GFP_COMP")];
    const log = bootedConsole(ctx, []);
    const rc = reportContext(ctx, { ...who, comm: who.task }, defaultModules(m, ["mlx5_ib", "ib_uverbs", "ib_core"]));
    log.add(tCrash, taskCaller(who.pid), x86GeneralProtection(rc, {
      address: bad,
      func: "rdma_query_gid",
      stack: ["ib_query_gid_table", "ib_uverbs_query_port", "ib_uverbs_handler_UVERBS_METHOD_QUERY_PORT", "ib_uverbs_cmd_verbs", "ib_uverbs_ioctl", "__x64_sys_ioctl", "do_syscall_64", "entry_SYSCALL_64_after_hwframe"],
    }));
    return {
      console: log.render(),
      events,
      trace: true,
      reserved: frameAndNeighbours(slab.pfn),
      devices: [],
      window: { start: t0 - 10, end: tCrash },
      memory: [{ phys: slab.phys, bytes: slab.bytes }],
      systemMap: true,
      lspci: false,
      truth: {
        story: `${text.length} bytes of text were copied to offset ${off} of a live ${slab.cache} object in frame ${pfnHex(slab.pfn)} (an unaligned destination); a pointer made of that text faulted.`,
        verdict: "software-corruption",
        region: truthRegion(start, end, m),
        frames: [pfnHex(slab.pfn)],
        suspect: null,
        crash: { kind: "gpf", frame: "rdma_query_gid" },
        missing: [],
      },
    };
  },
};
