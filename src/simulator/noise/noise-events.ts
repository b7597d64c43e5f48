import type { SimTraceEvent, SimTraceItem } from "../model/sim-trace-event.js";
import type { SeededRandom } from "../random/seeded-random.js";

/**
 * Background trace traffic: page allocations and frees, DMA mappings that are properly
 * unmapped, scheduler switches and kmalloc/kfree, spread over a time window. It never touches the
 * story's reserved frames and never leaves a freed frame mapped, so it cannot create a second
 * stale-DMA case; it only buries the real one. Generated lazily: a hundred million events cost
 * no memory.
 */
export interface NoiseOptions {
  count: number;
  window: { start: number; end: number };
  pageSize: number;
  /** Frames of RAM to draw from: [0, totalPages). */
  totalPages: number;
  reserved: ReadonlySet<number>;
  /** Devices that map and unmap noise buffers. */
  devices: readonly string[];
  cpus: number;
  /** Lost-events markers to scatter, on CPUs the story does not use. */
  lostMarkers: number;
  storyCpus: ReadonlySet<number>;
  rng: SeededRandom;
}

const TASKS: readonly [string, number][] = [
  ["kworker/u130:2", 1187],
  ["kworker/3:1H", 402],
  ["systemd-journal", 811],
  ["sshd", 2214],
  ["(sd-pam)", 1983],
  ["Web Content", 7301],
  ["irq/57-nvme0q3", 690],
  ["postgres", 5120],
  ["node-exporter", 3342],
  ["kswapd0", 118],
];

const CALL_SITES = ["__alloc_skb+0x8e/0x1d0", "kmalloc_reserve+0x6b/0x110", "alloc_inode+0x64/0xb0", "sock_alloc_inode+0x25/0x90", "xfs_buf_alloc+0x45/0x3c0", "bio_alloc_bioset+0x1a5/0x330"];

/** The pfn of a noise frame of one of two disjoint pools: even frames for pages, odd for DMA. */
function poolFrame(rng: SeededRandom, o: NoiseOptions, parity: 0 | 1): number {
  for (;;) {
    const pfn = ((rng.int(16, o.totalPages - 16) >>> 1) << 1) | parity;
    if (!o.reserved.has(pfn)) return pfn;
  }
}

export function* noiseEvents(o: NoiseOptions): Generator<SimTraceItem> {
  const { rng } = o;
  const span = o.window.end - o.window.start;
  const step = o.count > 0 ? span / o.count : 0;
  const allocated: number[] = [];
  const mapped: { device: string; dmaAddr: number; cpu: number }[] = [];
  let iovaCounter = 0;
  const lostAt = new Set<number>();
  const spareCpus: number[] = [];
  for (let c = 0; c < o.cpus; c++) if (!o.storyCpus.has(c)) spareCpus.push(c);
  if (spareCpus.length > 0) for (let i = 0; i < o.lostMarkers && o.count > 0; i++) lostAt.add(rng.int(0, o.count - 1));
  const hexPtr = (): string => "ffff8881" + (rng.u32() >>> 4).toString(16).padStart(7, "0") + "0";

  for (let i = 0; i < o.count; i++) {
    const ts = o.window.start + (i + rng.next() * 0.9) * step;
    const [task, pid] = TASKS[i % TASKS.length];
    const cpu = rng.int(0, o.cpus - 1);
    if (lostAt.has(i)) yield { lost: true, ts, cpu: rng.pick(spareCpus), count: rng.int(10, 5000) };
    const roll = rng.next();
    let e: SimTraceEvent;
    if (roll < 0.22) {
      const pfn = poolFrame(rng, o, 0);
      allocated.push(pfn);
      e = { ts, cpu, task, pid, name: "mm_page_alloc", pfn, order: 0, migratetype: 1, gfp: "GFP_HIGHUSER_MOVABLE|__GFP_ZERO", page: "00000000" + (pfn * 2654435761 >>> 0).toString(16).padStart(8, "0") };
    } else if (roll < 0.42 && allocated.length > 0) {
      const pfn = allocated.splice(rng.int(0, allocated.length - 1), 1)[0];
      e = { ts, cpu, task, pid, name: "mm_page_free", pfn, order: 0, page: "00000000" + (pfn * 2654435761 >>> 0).toString(16).padStart(8, "0") };
    } else if (roll < 0.52 && o.devices.length > 0) {
      const device = o.devices[i % o.devices.length];
      const dmaAddr = 0x80000000 + (iovaCounter++ % Math.floor(0x40000000 / o.pageSize)) * o.pageSize;
      mapped.push({ device, dmaAddr, cpu });
      e = { ts, cpu, task, pid, name: "dma_map_page", device, dir: "FROM_DEVICE", dmaAddr, size: o.pageSize, phys: poolFrame(rng, o, 1) * o.pageSize };
    } else if (roll < 0.62 && mapped.length > 0) {
      const m = mapped.shift()!;
      e = { ts, cpu, task, pid, name: "dma_unmap_page", device: m.device, dir: "FROM_DEVICE", dmaAddr: m.dmaAddr, size: o.pageSize };
    } else if (roll < 0.85) {
      const [next, nextPid] = TASKS[(i * 7 + 3) % TASKS.length];
      e = { ts, cpu, task, pid, name: "sched_switch", prevComm: task, prevPid: pid, nextComm: next, nextPid: nextPid };
    } else if (roll < 0.93) {
      const req = rng.int(8, 2048);
      e = { ts, cpu, task, pid, name: "kmalloc", callSite: CALL_SITES[i % CALL_SITES.length], ptr: hexPtr(), bytesReq: req, bytesAlloc: 1 << Math.ceil(Math.log2(req)), gfp: "GFP_KERNEL" };
    } else {
      e = { ts, cpu, task, pid, name: "kfree", callSite: CALL_SITES[(i + 1) % CALL_SITES.length], ptr: hexPtr() };
    }
    yield e;
  }
}

/** Merges the story's events (sorted here) into the noise stream by timestamp. */
export function* mergeByTime(story: readonly SimTraceEvent[], noise: Iterable<SimTraceItem>): Generator<SimTraceItem> {
  const sorted = [...story].sort((a, b) => a.ts - b.ts);
  let k = 0;
  for (const item of noise) {
    while (k < sorted.length && sorted[k].ts <= item.ts) yield sorted[k++];
    yield item;
  }
  while (k < sorted.length) yield sorted[k++];
}
