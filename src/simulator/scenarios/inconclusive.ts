import type { ScenarioDefinition } from "../model/scenario-plan.js";
import type { SimTraceEvent } from "../model/sim-trace-event.js";
import { ppcDataAccess, taskCaller, x86PageFault } from "../writers/console-log-writer.js";
import { bootedConsole, defaultModules, evAlloc, frameAndNeighbours, MLX5_PPC, NVME_X86, pickFrame, reportContext } from "./scenario-kit.js";

/**
 * Bundles that cannot be decided: an oops on a bad kernel pointer with nothing else attached,
 * or with a trace whose frame history is unremarkable and no dump of the memory. The right
 * answer is inconclusive, naming what to attach next.
 */
export const inconclusiveConsoleOnly: ScenarioDefinition = {
  name: "inconclusive-console-only",
  summary: "x86_64: only a console log with a page-fault oops; no trace, no memory dump",
  defaultArch: "x86_64",
  arches: ["x86_64"],
  run(ctx) {
    const { machine: m, rng } = ctx;
    const pfn = pickFrame(ctx);
    const address = m.linearMapBase + BigInt(pfn) * BigInt(m.pageSize) + BigInt(8 * rng.int(0, m.pageSize / 8 - 1));
    const who = { cpu: rng.int(0, 31), task: rng.pick(["kworker/u66:7", "jbd2/dm-0-8", "xfsaild/dm-2"]), pid: rng.int(100, 9000) };
    const log = bootedConsole(ctx, [NVME_X86]);
    const rc = reportContext(ctx, { ...who, comm: who.task }, defaultModules(m, ["nvme", "nvme_core"]));
    log.add(4000 + rng.int(0, 5000) + rng.next(), taskCaller(who.pid), x86PageFault(rc, {
      address,
      write: rng.chance(0.5),
      func: "blk_mq_free_request",
      stack: ["blk_mq_end_request", "nvme_pci_complete_batch", "nvme_irq", "__handle_irq_event_percpu", "handle_irq_event", "handle_edge_irq", "__common_interrupt", "common_interrupt"],
    }));
    return {
      console: log.render(),
      events: [],
      trace: false,
      reserved: new Set(),
      devices: [NVME_X86],
      window: { start: 0, end: 1 },
      memory: null,
      systemMap: false,
      lspci: false,
      truth: {
        story: "a page fault on a kernel address in blk_mq_free_request, and nothing else: no trace of the frame's history, no dump of its bytes.",
        verdict: "inconclusive",
        region: null,
        frames: [],
        suspect: null,
        crash: { kind: "page-fault", frame: "blk_mq_free_request" },
        missing: ["trace", "memory"],
      },
    };
  },
};

export const inconclusiveNoDump: ScenarioDefinition = {
  name: "inconclusive-no-dump",
  summary: "POWER: a data-access oops in a frame whose trace history is unremarkable; no memory dump",
  defaultArch: "ppc64le",
  arches: ["ppc64le", "ppc64"],
  run(ctx) {
    const { machine: m, rng, gap } = ctx;
    const pfn = pickFrame(ctx);
    const phys = BigInt(pfn) * BigInt(m.pageSize);
    const address = m.linearMapBase + phys + BigInt(8 * rng.int(0, m.pageSize / 8 - 1));
    const who = { cpu: rng.int(0, 15), task: "java", pid: rng.int(3000, 9000) };
    const t0 = 600 + rng.int(0, 3000) + rng.next();
    const tCrash = t0 + 5 * gap;
    const events: SimTraceEvent[] = [evAlloc(t0, who, pfn, "GFP_KERNEL")];
    const log = bootedConsole(ctx, [MLX5_PPC]);
    const rc = reportContext(ctx, { ...who, comm: who.task }, defaultModules(m, ["mlx5_ib", "ib_core", "mlx5_core"]));
    log.add(tCrash, taskCaller(who.pid), ppcDataAccess(rc, {
      address,
      write: false,
      func: "__list_del_entry_valid_or_report",
      caller: "list_del",
      stack: ["list_del", "free_pcppages_bulk", "free_unref_page", "__free_pages", "do_exit", "do_group_exit", "system_call_exception", "system_call_vectored_common"],
    }));
    return {
      console: log.render(),
      events,
      trace: true,
      reserved: frameAndNeighbours(pfn),
      devices: [MLX5_PPC],
      window: { start: t0 - 60, end: tCrash },
      memory: null,
      systemMap: true,
      lspci: false,
      truth: {
        story: "java faulted reading a list entry in a frame it allocated once; the trace shows nothing else on the frame, and without a dump of the frame its bytes cannot be judged.",
        verdict: "inconclusive",
        region: null,
        frames: [],
        suspect: null,
        // syzbot titles skip list-debug helpers: the title names list_del's caller.
        crash: { kind: "page-fault", frame: "free_pcppages_bulk" },
        missing: ["memory"],
      },
    };
  },
};
