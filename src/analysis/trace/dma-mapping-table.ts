import type { FrameEvent } from "./frame-event.js";

/** One DMA (or IOMMU) mapping seen in the trace, with the frames it covers. */
export interface DmaMapping {
  /** Join key: `device|dma_addr|size` for pages and coherent buffers, `device|sg|first phys` for sg lists. */
  key: string;
  device: string | null;
  /** Bus / IO virtual address where known (for IOMMU faults). */
  iova: number | null;
  size: number;
  /** Frames [start, end); -1 when the mapping's frames are unknown (coherent buffer without IOMMU line). */
  start: number;
  end: number;
  ts: number;
  map: FrameEvent;
  unmap: FrameEvent | null;
  /** When the unmap was not made an event (nobody kept the frame): where and when it happened. */
  unmapAt?: { ts: number; cpu: number; pid: number; source: string };
  unmapLine?: number;
}

/** Mappings larger than this are kept out of the per-frame index and checked by range. */
const MAX_INDEXED_FRAMES = 4096;
/** Unmapped mappings remembered for IOMMU faults that arrive after the unmap. */
const RECENT_UNMAPPED = 8192;
/** Live mappings beyond this are a trace that never unmaps; stop tracking rather than grow. */
export const MAX_LIVE_MAPPINGS = 300_000;

/**
 * The live DMA mappings, joined map-to-unmap by key (unmaps carry no physical address), with an
 * optional per-frame index for the sweep ("is this frame still mapped by some device?").
 */
export class DmaMappingTable {
  private readonly live = new Map<string, DmaMapping>();
  private readonly byFrame = new Map<number, DmaMapping[]>();
  private readonly big = new Set<DmaMapping>();
  private readonly recent: DmaMapping[] = [];
  private recentNext = 0;
  /** Live mappings per IO address: lets an unmap line be dismissed before its key is built. */
  private readonly iovas = new Map<number, number>();
  /** True once MAX_LIVE_MAPPINGS was reached. */
  overflowed = false;

  constructor(private readonly indexFrames: boolean) {}

  get size(): number {
    return this.live.size;
  }

  add(m: DmaMapping): void {
    const old = this.live.get(m.key);
    if (old) this.drop(old); // remapped without an unmap we saw: the newer mapping wins the key
    if (this.live.size >= MAX_LIVE_MAPPINGS) {
      this.overflowed = true;
      return;
    }
    this.live.set(m.key, m);
    if (m.iova !== null) this.iovas.set(m.iova, (this.iovas.get(m.iova) ?? 0) + 1);
    if (!this.indexFrames || m.start < 0) return;
    if (m.end - m.start > MAX_INDEXED_FRAMES) {
      this.big.add(m);
      return;
    }
    for (let f = m.start; f < m.end; f++) {
      const list = this.byFrame.get(f);
      if (list) list.push(m);
      else this.byFrame.set(f, [m]);
    }
  }

  /** Removes and returns the live mapping of `key`, remembering it for late IOMMU faults. */
  remove(key: string): DmaMapping | undefined {
    const m = this.live.get(key);
    if (!m) return undefined;
    this.drop(m);
    if (this.recent.length < RECENT_UNMAPPED) this.recent.push(m);
    else this.recent[this.recentNext] = m;
    this.recentNext = (this.recentNext + 1) % RECENT_UNMAPPED;
    return m;
  }

  get(key: string): DmaMapping | undefined {
    return this.live.get(key);
  }

  /** Whether some live mapping has this IO address (a cheap test before building a join key). */
  hasIova(iova: number): boolean {
    return this.iovas.has(iova);
  }

  private drop(m: DmaMapping): void {
    this.live.delete(m.key);
    if (m.iova !== null) {
      const n = (this.iovas.get(m.iova) ?? 1) - 1;
      if (n <= 0) this.iovas.delete(m.iova);
      else this.iovas.set(m.iova, n);
    }
    if (!this.indexFrames || m.start < 0) return;
    if (this.big.delete(m)) return;
    for (let f = m.start; f < m.end; f++) {
      const list = this.byFrame.get(f);
      if (!list) continue;
      const i = list.indexOf(m);
      if (i !== -1) list.splice(i, 1);
      if (list.length === 0) this.byFrame.delete(f);
    }
  }

  /** Live mappings on frame `pfn` (needs the frame index). */
  liveOn(pfn: number): DmaMapping[] {
    const list = this.byFrame.get(pfn);
    if (this.big.size === 0) return list ?? [];
    const out = list ? [...list] : [];
    for (const m of this.big) if (m.start <= pfn && pfn < m.end) out.push(m);
    return out;
  }

  /** Whether any live mapping covers a frame in [start, end) (needs the frame index). */
  anyLive(start: number, end: number): boolean {
    if (end - start <= 64) {
      for (let f = start; f < end; f++) if (this.byFrame.has(f)) return true;
    } else {
      for (const f of this.byFrame.keys()) if (f >= start && f < end) return true;
    }
    for (const m of this.big) if (m.start < end && start < m.end) return true;
    return false;
  }

  /** The live or recently unmapped mapping of `device` whose IO range holds `iova` (IOMMU faults). */
  findByIova(device: string | null, iova: number): DmaMapping | undefined {
    const hit = (m: DmaMapping): boolean =>
      m.iova !== null && (device === null || m.device === null || m.device === device) && m.iova <= iova && iova < m.iova + Math.max(m.size, 1);
    for (const m of this.live.values()) if (hit(m)) return m;
    // Most recent first.
    for (let k = 1; k <= this.recent.length; k++) {
      const m = this.recent[(this.recentNext - k + this.recent.length * 2) % this.recent.length];
      if (hit(m)) return m;
    }
    return undefined;
  }

  liveMappings(): IterableIterator<DmaMapping> {
    return this.live.values();
  }
}
