import { pageTablePage } from "../content/kernel-memory-bytes.js";
import { randomMac, rocev2Packet } from "../content/packet-bytes.js";
import type { ScenarioContext, ScenarioDefinition, ScenarioPlan } from "../model/scenario-plan.js";
import type { SimTraceEvent } from "../model/sim-trace-event.js";
import {
  badPageMap,
  migratingPfnFailed,
  offliningFailed,
  pseriesHotRemoveAttempt,
  pseriesHotRemoveFailed,
  taskCaller,
} from "../writers/console-log-writer.js";
import {
  bootedConsole,
  asDecoys,
  cleanDmaLife,
  defaultModules,
  evAlloc,
  evFree,
  frameAndNeighbours,
  evMap,
  MLX5_PPC,
  MLX5_X86,
  neighbourDmaLives,
  pfnHex,
  pickFrame,
  pickIova,
  reportContext,
  truthRegion,
} from "./scenario-kit.js";

/**
 * Stale DMA after a memory hot-remove. An mlx5 RDMA adapter has a receive buffer mapped. A
 * memory remove (pseries DLPAR on POWER, an offline of a memory block elsewhere) migrates the
 * buffer off its block and frees the old frame, but the driver never unmaps it; the remove then
 * fails and the block stays online. The frame goes to java's page-fault handler as a page table,
 * and the adapter's next RoCEv2 packet lands on it. java dies with "Bad page map" on exit: its
 * PTEs are now packet bytes.
 */
function staleDmaAfterHotRemove(platform: "pseries" | "generic") {
  return (ctx: ScenarioContext): ScenarioPlan => {
    const { machine: m, rng, gap } = ctx;
    const pseries = platform === "pseries";
    const dev = pseries ? MLX5_PPC : MLX5_X86;
    const page = m.pageSize;
    const pfn = pickFrame(ctx);
    const phys = pfn * page;
    const iova = pickIova(ctx);
    // POWER removes 256 MiB LMBs; x86 offlines 128 MiB memory blocks.
    const lmbPages = ((pseries ? 256 : 128) * 2 ** 20) / page;
    const lmbStart = pfn - (pfn % lmbPages);
    const drc = 0x80000000 + lmbStart / lmbPages;

    const napi: { cpu: number; task: string; pid: number } = { cpu: 5, task: "ksoftirqd/5", pid: 43 };
    const drmgr = { cpu: 2, task: pseries ? "drmgr" : "bash", pid: rng.int(20000, 30000) };
    const java = { cpu: 3, task: "java", pid: rng.int(4000, 9000) };

    const t0 = 700 + rng.int(0, 200) + rng.next();
    const t1 = t0 + gap;
    const t2 = t1 + gap;
    const tCrash = t2 + gap + 0.0004;

    const events: SimTraceEvent[] = [];
    // Decoys: the frame's earlier clean lives, and its neighbours mapped and unmapped properly.
    events.push(...asDecoys(cleanDmaLife(t0 - 3 * gap - 41.2, napi, dev.address, pfn, page, iova + 7 * page)));
    events.push(...asDecoys(cleanDmaLife(t0 - 2 * gap - 3.7, napi, dev.address, pfn, page, iova + 3 * page)));
    events.push(...neighbourDmaLives({ pfn, pageSize: page, device: dev.address, iova, mapper: napi, gfp: "GFP_ATOMIC|__GFP_NOWARN", allocAt: t0 - 0.0002, mapAt: t0 - 0.00015, unmapper: drmgr, unmapAt: t1 - 0.0004, freeAt: t1 - 0.0003 }));
    // The story.
    events.push(evAlloc(t0 - 0.00021, napi, pfn, "GFP_ATOMIC|__GFP_NOWARN"));
    events[events.length - 1].key = false;
    events.push(evMap(t0, napi, dev.address, phys, page, iova));
    events.push({ ts: t1, ...drmgr, key: true, name: "mm_migrate_pages_start", mode: "MIGRATE_SYNC", reason: "memory_hotplug" });
    // With the stacktrace trace option (a seed's choice) the story's free and allocation carry their kernel stacks.
    const stacks = rng.chance(0.5);
    events.push({ ...evFree(t1 + 0.00031, drmgr, pfn), stack: stacks ? ["free_unref_page", "migrate_pages", "do_migrate_range", "offline_pages", "memory_subsys_offline", "device_offline", "dlpar_remove_lmb", "dlpar_memory", "handle_dlpar_errorlog", "dlpar_store"] : undefined });
    events.push({ ts: t1 + 0.0009, ...drmgr, key: false, name: "mm_migrate_pages", succeeded: 2311, failed: 1, mode: "MIGRATE_SYNC", reason: "memory_hotplug" });
    events.push({ ts: t1 + 0.011, ...drmgr, key: true, name: "test_pages_isolated", startPfn: lmbStart, endPfn: lmbStart + lmbPages, finPfn: lmbStart + rng.int(100, lmbPages - 1), ok: false });
    const userAddr = (pseries ? 0x7fff9c000000 : 0x7f3a00000000) + rng.int(0, 0xff) * 0x1000000;
    if (pseries) events.push({ ts: t2, ...java, key: true, name: "hash_fault", address: userAddr, access: 0x4, trap: 0x300 });
    else events.push({ ts: t2, ...java, key: true, name: "page_fault_user", address: userAddr + 0x7a8, ip: 0x7f3a1c2b4d10, errorCode: 0x6 });
    const allocStack = pseries
      ? ["__alloc_pages_noprof", "pte_fragment_alloc", "__pte_alloc", "__handle_mm_fault", "handle_mm_fault", "___do_page_fault", "hash__do_page_fault", "data_access_common_virt"]
      : ["__alloc_pages_noprof", "pte_alloc_one", "__pte_alloc", "__handle_mm_fault", "handle_mm_fault", "do_user_addr_fault", "exc_page_fault", "asm_exc_page_fault"];
    events.push({ ...evAlloc(t2 + 0.000012, java, pfn, "GFP_KERNEL_ACCOUNT|__GFP_ZERO"), stack: stacks ? allocStack : undefined });

    // Memory: the page table, its first PTEs overwritten by one RoCEv2 packet (length a multiple of 8).
    const packet = rocev2Packet(
      {
        srcMac: randomMac(rng, [0x0c, 0x42, 0xa1]),
        dstMac: randomMac(rng, [0xb8, 0xce, 0xf6]),
        srcIp: [10, 20, 1, rng.int(2, 250)],
        dstIp: [10, 20, 1, rng.int(2, 250)],
        payloadLength: 8 * rng.int(100, 500) + 6,
      },
      rng,
    );
    // powerpc stores PTEs big-endian whatever the kernel's byte order; x86 little-endian.
    const pteOrder = pseries ? "big" : "little";
    const frame = pageTablePage(page, Math.min(page / 8, packet.length / 8 + rng.int(40, 300)), { endianness: pteOrder, pageShift: m.pageShift }, rng);
    frame.set(packet, 0);
    const regionStart = BigInt(phys);
    const regionEnd = regionStart + BigInt(packet.length);

    const log = bootedConsole(ctx, [dev]);
    const netdev = pseries ? "enP1p1s0f0np0" : "ens1f0np0";
    log.add(t0 - 30, "T812", [`mlx5_core ${dev.address} ${netdev}: Link up`, `IPv4: ADDRCONF(NETDEV_CHANGE): ${netdev}: link becomes ready`], 0.2);
    const blockStart = BigInt(lmbStart * page);
    const blockEnd = BigInt((lmbStart + lmbPages) * page);
    if (pseries) {
      log.add(t1 - 0.002, taskCaller(drmgr.pid), [pseriesHotRemoveAttempt(1, drc)]);
      log.add(t1 + 0.0115, taskCaller(drmgr.pid), [offliningFailed(blockStart, blockEnd, "failure to isolate range"), pseriesHotRemoveFailed()]);
    } else {
      const stuck = BigInt(lmbStart + rng.int(1, lmbPages - 2));
      log.add(t1 + 0.0008, taskCaller(drmgr.pid), [migratingPfnFailed(stuck === BigInt(pfn) ? stuck + 1n : stuck, -16)]);
      log.add(t1 + 0.0115, taskCaller(drmgr.pid), [offliningFailed(blockStart, blockEnd, "migration failure")]);
    }
    const firstWord = packet.subarray(0, 8);
    const pte = (pteOrder === "big" ? firstWord : firstWord.slice().reverse()).reduce((v, b) => (v << 8n) | BigInt(b), 0n);
    const rc = reportContext(ctx, { ...java, comm: "java", uid: 1000 }, defaultModules(m, ["mlx5_ib", "ib_uverbs", "ib_core", "mlx5_core", "mlxfw", "tls", "psample"]));
    log.add(tCrash, taskCaller(java.pid), badPageMap(rc, {
      pte,
      // book3s64 pmds hold the PTE fragment's virtual address; x86 pmds the table's physical address and flags.
      pmd: pseries ? m.linearMapBase + regionStart : regionStart | 0x67n,
      addr: BigInt(userAddr),
      stack: pseries
        ? ["vm_normal_page", "zap_pte_range", "unmap_page_range", "unmap_vmas", "exit_mmap", "__mmput", "mmput", "do_exit", "do_group_exit", "get_signal", "do_notify_resume", "interrupt_exit_user_prepare_main", "syscall_exit_prepare", "system_call_vectored_common"]
        : ["vm_normal_page", "zap_pte_range", "unmap_page_range", "unmap_vmas", "exit_mmap", "__mmput", "mmput", "do_exit", "do_group_exit", "get_signal", "arch_do_signal_or_restart", "syscall_exit_to_user_mode", "do_syscall_64", "entry_SYSCALL_64_after_hwframe"],
    }));

    return {
      console: log.render(),
      events,
      trace: true,
      reserved: frameAndNeighbours(pfn),
      devices: [dev],
      window: { start: t0 - 3 * gap - 60, end: tCrash },
      memory: [{ phys: regionStart, bytes: frame }],
      systemMap: true,
      lspci: true,
      truth: {
        story:
          `${dev.driver} ${dev.address} mapped frame ${pfnHex(pfn)} for receive DMA; a memory hot-remove migrated and freed the frame with no unmap; ` +
          `the remove failed and java's page-fault handler took the frame as a page table; the adapter then wrote a ${packet.length}-byte RoCEv2 packet over its first PTEs.`,
        verdict: "stale-dma",
        region: truthRegion(regionStart, regionEnd, m),
        frames: [pfnHex(pfn)],
        suspect: { device: dev.address, driver: dev.driver, function: null },
        crash: { kind: "bad-page-map", frame: null },
        missing: [],
      },
    };
  };
}

export const staleDmaPower: ScenarioDefinition = {
  name: "stale-dma-power",
  summary: "POWER, 64K pages: mlx5_core keeps DMA-writing RoCEv2 packets into a frame that a failed hot-remove handed to java as a page table",
  defaultArch: "ppc64le",
  arches: ["ppc64le", "ppc64"],
  run: staleDmaAfterHotRemove("pseries"),
};

export const staleDmaX86Offline: ScenarioDefinition = {
  name: "stale-dma-x86-offline",
  summary: "x86_64: a failed memory-block offline frees an mlx5 receive buffer still mapped; java's page table takes the frame, a RoCEv2 packet lands on it",
  defaultArch: "x86_64",
  arches: ["x86_64"],
  run: staleDmaAfterHotRemove("generic"),
};
