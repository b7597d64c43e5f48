import { getU64, slabObjects } from "../content/kernel-memory-bytes.js";
import { fileDataText } from "../content/kernel-memory-bytes.js";
import { randomMac, tcpPacket } from "../content/packet-bytes.js";
import type { ScenarioContext, ScenarioDefinition, ScenarioPlan, SimDevice } from "../model/scenario-plan.js";
import type { SimTraceEvent } from "../model/sim-trace-event.js";
import { devPrintk, taskCaller, x86GeneralProtection } from "../writers/console-log-writer.js";
import {
  bootedConsole,
  asDecoys,
  cleanDmaLife,
  defaultModules,
  evAlloc,
  evFree,
  frameAndNeighbours,
  evMap,
  ICE_X86,
  neighbourDmaLives,
  NVME_X86,
  pfnHex,
  pickFrame,
  pickIova,
  reportContext,
  truthRegion,
} from "./scenario-kit.js";

/**
 * Stale DMA after free on x86_64. A device's buffer is freed while its mapping is still live
 * (an NVMe read that timed out and was completed by the abort path; a NIC ring page recycled by
 * a buggy page pool). The allocator hands the frame to the dentry slab; the device then writes
 * into it, and the first dentry lookup through the overwritten hash chain dies on a pointer
 * made of the foreign bytes.
 */
function staleDmaX86(kind: "nvme" | "nic") {
  return (ctx: ScenarioContext): ScenarioPlan => {
    const { machine: m, rng, gap } = ctx;
    const dev: SimDevice = kind === "nvme" ? NVME_X86 : ICE_X86;
    const page = m.pageSize;
    const pfn = pickFrame(ctx);
    const phys = pfn * page;
    const iova = pickIova(ctx);
    const submitter = kind === "nvme" ? { cpu: 12, task: "postgres", pid: rng.int(5000, 9000) } : { cpu: 9, task: "ksoftirqd/9", pid: 67 };
    const completer = kind === "nvme" ? { cpu: 12, task: "kworker/12:1H", pid: 523 } : { cpu: 9, task: "ksoftirqd/9", pid: 67 };
    const slabber = { cpu: 4, task: "find", pid: rng.int(10000, 30000) };

    const t0 = 1200 + rng.int(0, 3000) + rng.next();
    const t1 = t0 + gap;
    const t2 = t1 + gap;
    const tCrash = t2 + gap + 0.0007;

    const events: SimTraceEvent[] = [];
    events.push(...asDecoys(cleanDmaLife(t0 - 2 * gap - 17.4, submitter, dev.address, pfn, page, iova + 5 * page)));
    events.push(...neighbourDmaLives({ pfn, pageSize: page, device: dev.address, iova, mapper: submitter, gfp: "GFP_NOIO", allocAt: t0 - 0.0003, mapAt: t0 - 0.00025, unmapper: completer, unmapAt: t1 - 0.0002, freeAt: t1 - 0.00015 }));
    events.push(...asDecoys([evAlloc(t0 - 0.00031, submitter, pfn, kind === "nvme" ? "GFP_NOIO" : "GFP_ATOMIC|__GFP_NOWARN")]));
    events.push(evMap(t0, submitter, dev.address, phys, page, iova));
    // With the stacktrace trace option (a seed's choice) the story's free and allocation carry their kernel stacks.
    const stacks = rng.chance(0.5);
    const freeStack = kind === "nvme" ? ["free_unref_page", "bio_free_pages", "blk_mq_end_request", "nvme_timeout", "blk_mq_handle_expired", "bt_iter", "blk_mq_timeout_work", "process_one_work"] : ["free_unref_page", "page_pool_return_page", "ice_clean_rx_irq", "ice_napi_poll", "__napi_poll", "net_rx_action", "handle_softirqs"];
    events.push({ ...evFree(t1, completer, pfn), stack: stacks ? freeStack : undefined });
    events.push({ ...evAlloc(t2, slabber, pfn, "GFP_KERNEL|__GFP_RECLAIMABLE", 0, 2), stack: stacks ? ["__alloc_pages_noprof", "allocate_slab", "___slab_alloc", "kmem_cache_alloc_lru_noprof", "__d_alloc", "d_alloc_parallel", "__lookup_slow"] : undefined });

    // Memory: three frames, the middle one all foreign bytes.
    const heap = { heapStart: BigInt(phys) - 2n ** 30n, heapEnd: BigInt(phys) + 2n ** 30n };
    const before = slabObjects(page, { objectSize: 192, endianness: "little", linearMapBase: m.linearMapBase, physBase: BigInt(phys - page), ...heap }, rng);
    const after = slabObjects(page, { objectSize: 192, endianness: "little", linearMapBase: m.linearMapBase, physBase: BigInt(phys + page), ...heap }, rng);
    let foreign: Uint8Array;
    let regionLength: number;
    let what: string;
    if (kind === "nvme") {
      foreign = fileDataText(page, rng);
      foreign[page - 1] = 0x0a;
      regionLength = page;
      what = `${page} bytes of file data (application log text)`;
    } else {
      const packet = tcpPacket(
        { srcMac: randomMac(rng, [0x3c, 0xfd, 0xfe]), dstMac: randomMac(rng, [0xb4, 0x96, 0x91]), srcIp: [192, 168, 40, rng.int(2, 250)], dstIp: [192, 168, 40, rng.int(2, 250)], payloadLength: 1460 },
        rng,
      );
      // The rest of the frame keeps its dentry objects: only the packet's bytes are foreign.
      foreign = slabObjects(page, { objectSize: 192, endianness: "little", linearMapBase: m.linearMapBase, physBase: BigInt(phys), ...heap }, rng);
      foreign.set(packet, 0);
      if (foreign[packet.length] === 0) foreign[packet.length] = 0x40; // keep the region's end visible
      regionLength = packet.length;
      what = `a ${packet.length}-byte TCP/IPv4 frame`;
    }
    const bytes = new Uint8Array(3 * page);
    bytes.set(before, 0);
    bytes.set(foreign, page);
    bytes.set(after, 2 * page);
    // The dentry hash-chain pointer the lookup followed: a word of the foreign bytes.
    const wordAt = 8 * rng.int(8, Math.floor(Math.min(regionLength, page) / 8) - 2);
    let bad = getU64(foreign, wordAt, "little");
    if (bad >> 47n === 0n || bad >> 47n === 0x1ffffn) bad |= 0x4000000000000000n; // must be non-canonical
    if (kind === "nic") for (let i = 0; i < 8; i++) bytes[page + wordAt + i] = Number((bad >> BigInt(8 * i)) & 0xffn);

    const log = bootedConsole(ctx, [dev]);
    if (kind === "nvme") {
      log.add(t1 - 0.00002, "C12", [`nvme nvme0: I/O tag ${rng.int(1, 1023)} (${rng.int(0x1000, 0x1fff).toString(16)}) opcode 0x2 (I/O Cmd) QID ${rng.int(1, 31)} timeout, aborting req_op:READ(0) size:${page}`]);
      log.add(t1 + 0.03, "C12", ["nvme nvme0: Abort status: 0x0"]);
    } else {
      log.add(t1 - 0.00002, "C9", [devPrintk("ice", dev.address, "Tx hang detected on queue 17, resetting adapter"), devPrintk("ice", dev.address, "PFR: resetting queues")]);
    }
    const rc = reportContext(ctx, { ...slabber, comm: "find" }, defaultModules(m, kind === "nvme" ? ["nvme", "nvme_core", "nvme_auth"] : ["ice", "gnss", "irdma", "ib_uverbs", "ib_core"]));
    log.add(tCrash, taskCaller(slabber.pid), x86GeneralProtection(rc, {
      address: bad,
      func: "__d_lookup_rcu",
      stack: ["lookup_fast", "walk_component", "path_lookupat", "filename_lookup", "vfs_statx", "vfs_fstatat", "__do_sys_newfstatat", "do_syscall_64", "entry_SYSCALL_64_after_hwframe"],
    }));

    const start = BigInt(phys);
    return {
      console: log.render(),
      events,
      trace: true,
      reserved: frameAndNeighbours(pfn),
      devices: [dev],
      window: { start: t0 - 2 * gap - 40, end: tCrash },
      memory: [{ phys: BigInt(phys - page), bytes }],
      systemMap: true,
      lspci: true,
      truth: {
        story: `${dev.driver} ${dev.address} mapped frame ${pfnHex(pfn)} for a device write; the frame was freed with the mapping still live and went to the dentry slab; the device then wrote ${what} into it, and a dentry lookup followed a pointer made of those bytes.`,
        verdict: "stale-dma",
        region: truthRegion(start, start + BigInt(regionLength), m),
        frames: [pfnHex(pfn)],
        suspect: { device: dev.address, driver: dev.driver, function: null },
        crash: { kind: "gpf", frame: "__d_lookup_rcu" },
        missing: [],
      },
    };
  };
}

export const staleDmaX86Nvme: ScenarioDefinition = {
  name: "stale-dma-x86-nvme",
  summary: "x86_64: an NVMe read completes into a frame freed after an I/O timeout, now a dentry slab page: 4 KiB of file data",
  defaultArch: "x86_64",
  arches: ["x86_64"],
  run: staleDmaX86("nvme"),
};

export const staleDmaX86Nic: ScenarioDefinition = {
  name: "stale-dma-x86-nic",
  summary: "x86_64: an E810 NIC writes a received TCP frame into a recycled ring page that is now a dentry slab page",
  defaultArch: "x86_64",
  arches: ["x86_64"],
  run: staleDmaX86("nic"),
};
