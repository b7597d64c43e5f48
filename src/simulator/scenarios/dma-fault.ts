import type { ScenarioDefinition } from "../model/scenario-plan.js";
import type { SimTraceEvent } from "../model/sim-trace-event.js";
import { amdViFault, devPrintk, dmaApiWarning, dmarFault, smmuContextFault, taskCaller } from "../writers/console-log-writer.js";
import { bootedConsole, defaultModules, evAlloc, evFree, evMap, evUnmap, frameAndNeighbours, IXGBE_X86, pickFrame, pickIova, reportContext } from "./scenario-kit.js";

/**
 * A DMA fault caught before memory was corrupted. The ixgbe driver unmaps a receive buffer
 * during a reset while the device still owns it; the device's next write hits the IOMMU (Intel
 * DMAR or AMD-Vi, chosen by the seed; the ARM SMMU on arm64, whose line names only the stream, so
 * the trace's mapping of that IOVA names the device), or the DMA-API debug code catches the
 * driver unmapping with the wrong size. Nothing is corrupted, so there is no region.
 */
export const dmaFault: ScenarioDefinition = {
  name: "dma-fault",
  summary: "the IOMMU (DMAR, AMD-Vi, ARM SMMU) or DMA-API debug catches ixgbe's device writing through an unmapped address",
  defaultArch: "x86_64",
  arches: ["x86_64", "arm64"],
  run(ctx) {
    const { machine: m, rng, gap } = ctx;
    const dev = IXGBE_X86;
    const page = m.pageSize;
    const pfn = pickFrame(ctx);
    const iova = pickIova(ctx);
    const variant = m.arch === "arm64" ? "smmu" : rng.pick(["dmar", "dmar-legacy", "amd-vi", "dma-api"] as const);
    const napi = { cpu: 7, task: "ksoftirqd/7", pid: 55 };
    const reset = { cpu: 2, task: "kworker/2:2", pid: rng.int(300, 900) };
    const t0 = 300 + rng.int(0, 2000) + rng.next();
    const t1 = t0 + gap;
    const tFault = t1 + gap;

    const events: SimTraceEvent[] = [
      evAlloc(t0 - 0.0001, napi, pfn, "GFP_ATOMIC|__GFP_NOWARN"),
      evMap(t0, napi, dev.address, pfn * page, page, iova),
      { ts: t0 + 0.000002, ...napi, key: false, name: "iommu_map", iova, paddr: pfn * page, size: page },
    ];
    if (variant === "dma-api") {
      events.push(evUnmap(t1, reset, dev.address, page / 2, iova));
    } else {
      events.push(evUnmap(t1, reset, dev.address, page, iova), { ts: t1 + 0.000003, ...reset, key: true, name: "iommu_unmap", iova, size: page });
      events.push(evFree(t1 + 0.00001, reset, pfn));
      if (variant === "amd-vi") events.push({ ts: tFault, cpu: 0, task: "<idle>", pid: 0, key: true, name: "io_page_fault", driver: dev.driver, device: dev.address, iova, flags: 0x20 });
    }

    const log = bootedConsole(ctx, [dev]);
    log.add(t1 - 0.001, taskCaller(reset.pid), [devPrintk(dev.driver, dev.address, "Detected Tx Unit Hang"), devPrintk(dev.driver, dev.address, "initiating reset due to tx timeout"), devPrintk(dev.driver, dev.address, "Reset adapter")]);
    // A DMA-API report is a WARNING splat around the DMA-API line: either family name is fair, so it is not asserted.
    let kind: string | null = "iommu-fault";
    if (variant === "dmar" || variant === "dmar-legacy") log.add(tFault, "C0", dmarFault(dev.address, BigInt(iova), true, variant === "dmar-legacy"));
    else if (variant === "amd-vi") log.add(tFault, "C0", amdViFault(dev.driver, dev.address, BigInt(iova), rng.int(1, 0x40)));
    else if (variant === "smmu") log.add(tFault, "C0", smmuContextFault("15000000.iommu", BigInt(iova), 0x4a0, 3));
    else {
      kind = null;
      const rc = reportContext(ctx, { ...reset, comm: reset.task }, defaultModules(m, ["ixgbe", "mdio", "libphy"]));
      log.add(t1 + 0.000004, taskCaller(reset.pid), dmaApiWarning(rc, {
        driver: dev.driver,
        device: dev.address,
        dmaAddress: BigInt(iova),
        kind: "different-size",
        size: page,
        unmapSize: page / 2,
        stack: ["ixgbe_clean_rx_ring", "ixgbe_down", "ixgbe_reinit_locked", "ixgbe_reset_subtask", "ixgbe_service_task", "process_one_work", "worker_thread", "kthread", "ret_from_fork", "ret_from_fork_asm"],
      }));
    }

    return {
      console: log.render(),
      events,
      trace: true,
      reserved: frameAndNeighbours(pfn),
      devices: [dev],
      window: { start: t0 - 30, end: tFault + 0.01 },
      memory: null,
      systemMap: true,
      lspci: true,
      truth: {
        story:
          variant === "dma-api"
            ? `${dev.driver} mapped ${page} bytes at DMA address 0x${iova.toString(16)} and unmapped ${page / 2} during a reset: DMA-API debug caught the size mismatch.`
            : `${dev.driver} unmapped its receive buffer at IOVA 0x${iova.toString(16)} during a reset while the device still owned it; the device's next write faulted in the IOMMU (${variant}).`,
        verdict: "dma-fault",
        region: null,
        frames: [],
        suspect: { device: dev.address, driver: dev.driver, function: null },
        crash: { kind, frame: null },
        missing: [],
      },
    };
  },
};
