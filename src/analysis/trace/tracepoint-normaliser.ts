import { DmaMappingTable, type DmaMapping } from "./dma-mapping-table.js";
import type { FrameEvent } from "./frame-event.js";
import type { FrameSink } from "./frame-sink.js";
import { fieldAt, type FtraceLineCursor, numberEnd, parseNumberAt, tokenEnd } from "./ftrace-line-parser.js";

/** What the normaliser does with a tracepoint; looked up once per line by name. */
export enum Tp {
  MapPage = 1,
  UnmapPage,
  MapSg,
  UnmapSg,
  DmaAlloc,
  DmaFree,
  IommuMap,
  IommuUnmap,
  IoFault,
  PageAlloc,
  PageFree,
  PageOther,
  Isolate,
  Migrate,
  Fault,
  /** A tracepoint a repository rule names: kept when it carries `pfn=` or `phys_addr=`. */
  Named,
}

export const TRACEPOINTS: ReadonlyMap<string, Tp> = new Map([
  ["dma_map_page", Tp.MapPage],
  ["dma_map_phys", Tp.MapPage],
  ["dma_map_resource", Tp.MapPage],
  ["dma_unmap_page", Tp.UnmapPage],
  ["dma_unmap_phys", Tp.UnmapPage],
  ["dma_unmap_resource", Tp.UnmapPage],
  ["dma_map_sg", Tp.MapSg],
  ["dma_unmap_sg", Tp.UnmapSg],
  ["dma_alloc", Tp.DmaAlloc],
  ["dma_alloc_pages", Tp.DmaAlloc],
  ["dma_free", Tp.DmaFree],
  ["dma_free_pages", Tp.DmaFree],
  ["map", Tp.IommuMap],
  ["unmap", Tp.IommuUnmap],
  ["io_page_fault", Tp.IoFault],
  ["mm_page_alloc", Tp.PageAlloc],
  ["mm_page_free", Tp.PageFree],
  ["mm_page_free_batched", Tp.PageFree],
  ["mm_page_alloc_zone_locked", Tp.PageOther],
  ["mm_page_pcpu_drain", Tp.PageOther],
  ["test_pages_isolated", Tp.Isolate],
  ["mm_migrate_pages", Tp.Migrate],
  ["mm_migrate_pages_start", Tp.Migrate],
  ["page_fault_user", Tp.Fault],
  ["page_fault_kernel", Tp.Fault],
  ["hash_fault", Tp.Fault],
]);

/** The largest buddy order any kernel uses is well below this; beyond it the line is nonsense. */
export const MAX_SANE_ORDER = 20;
/** An allocation this soon after a fault on the same CPU and pid is the fault handler's. */
const FAULT_TO_ALLOC_SECONDS = 0.002;
/** Stack frames that say an allocation was made by the page-fault handler. */
const FAULT_FRAMES = ["handle_mm_fault", "do_page_fault", "exc_page_fault", "do_anonymous_page", "__do_fault", "do_hash_fault", "hash_page_mm"];

interface PendingFault {
  pid: number;
  ts: number;
  /** Filled for JSONL faults; ftrace faults keep numbers only and are described when linked. */
  task: string;
  address: string;
  source: string;
  origin: string;
  addressNum?: number;
  lineNo?: number;
  hash?: boolean;
}

interface IommuEntry {
  iova: number;
  paddr: number;
  size: number;
}

/** Shared across the artifacts of one scan: the reading order and the warning channel. */
export interface NormaliserContext {
  pageShift: number;
  sink: FrameSink;
  table: DmaMappingTable;
  seq: number;
  warn(message: string): void;
}

/**
 * Turns tracepoints into frame events (formats.md §2): joins unmaps to their maps, resolves
 * coherent buffers and IOMMU faults to frames, links an allocation to the page fault right before
 * it on the same CPU and pid, and gives frame-less migrations the range isolated next.
 */
export class TracepointNormaliser {
  private readonly pageSize: number;
  private readonly faults = new Map<number, PendingFault>();
  private readonly iommu = new Map<number, IommuEntry>();
  private pendingMigrations: FrameEvent[] = [];
  private absurdOrders = 0;
  private truncatedSg = 0;
  /** The event whose ` => func` stack lines may follow. */
  last: FrameEvent | null = null;

  constructor(
    private readonly ctx: NormaliserContext,
    private readonly artifact: string,
  ) {
    this.pageSize = 2 ** ctx.pageShift;
  }

  private frameOf(phys: number): number {
    return Math.floor(phys / this.pageSize);
  }

  private make(c: FtraceLineCursor, lineNo: number, event: string, start: number, end: number, fields: Record<string, string>, detail: string): FrameEvent {
    fields.tracepoint = c.name();
    fields.pid = String(c.pid);
    fields.task = c.task;
    fields.cpu = String(c.cpu);
    return {
      ts: c.ts,
      event,
      start,
      end,
      cpu: c.cpu,
      task: c.task,
      pid: c.pid,
      device: fields.device ?? null,
      driver: fields.driver ?? null,
      fields,
      detail,
      source: `${this.artifact}:${lineNo}`,
      seq: this.ctx.seq++,
      origin: fields.tracepoint,
    };
  }

  /** Page alloc/free: most lines of a trace. Kept small so that it optimises on its own. */
  private pageEvent(tp: Tp, c: FtraceLineCursor, lineNo: number): boolean {
    let s = c.line;
    let f = c.fieldsStart;
    const sink = this.ctx.sink;
    this.last = null;
    // `page=<hash> pfn=<n> order=<n>`: look where the fields usually are before searching.
    // (char checks rather than startsWith: this runs for most lines of a trace)
    const sp = s.indexOf(" ", f);
    const p = sp !== -1 && s.charCodeAt(sp + 1) === 112 && s.charCodeAt(sp + 4) === 61 && s.charCodeAt(sp + 2) === 102 ? sp + 5 : fieldAt(s, "pfn=", f, c.end);
    if (p === -1) return true;
    const pfn = parseNumberAt(s, p);
    if (Number.isNaN(pfn)) return true;
    const ne = numberEnd.at;
    const o = s.charCodeAt(ne + 1) === 111 && s.charCodeAt(ne + 6) === 61 && s.charCodeAt(ne) === 32 ? ne + 7 : fieldAt(s, "order=", p, c.end);
    let order = o === -1 ? 0 : parseNumberAt(s, o);
    if (Number.isNaN(order) || order < 0) order = 0;
    if (order > MAX_SANE_ORDER) {
      if (this.absurdOrders++ === 0) this.ctx.warn(`${this.artifact}:${lineNo}: page order ${order} is impossible; such lines are ignored`);
      return true;
    }
    const end = pfn + (1 << order);
    if (!sink.wants(pfn, end)) return true;
    c.materialize();
    s = c.line;
    f = c.fieldsStart;
    if (!c.header()) return false;
    const name = tp === Tp.PageAlloc ? "page_alloc" : tp === Tp.PageFree ? "page_free" : c.name();
    const fields: Record<string, string> = { order: String(order) };
    const g = fieldAt(s, "gfp_flags=", f);
    if (g !== -1) fields.gfp_flags = s.slice(g, tokenEnd(s, g));
    const m = fieldAt(s, "migratetype=", f);
    if (m !== -1) fields.migratetype = s.slice(m, tokenEnd(s, m));
    const ev = this.make(c, lineNo, name, pfn, end, fields, `pfn=0x${pfn.toString(16)} order=${order}${fields.gfp_flags ? " gfp_flags=" + fields.gfp_flags : ""}`);
    if (tp === Tp.PageAlloc) this.linkFault(ev);
    sink.add(ev);
    this.last = ev;
    return true;
  }

  /**
   * Handles one located ftrace/trace-cmd line. Returns false when the line's header could not be
   * read although it was needed (the caller counts it as unreadable).
   */
  handle(tp: Tp, c: FtraceLineCursor, lineNo: number): boolean {
    if (tp === Tp.PageAlloc || tp === Tp.PageFree || tp === Tp.PageOther) return this.pageEvent(tp, c, lineNo);
    const inPlace = tp === Tp.MapPage || tp === Tp.UnmapPage || tp === Tp.Fault;
    // The frequent events are read in place in the chunk and only kept ones get a string of their own.
    if (!inPlace) c.materialize();
    let s = c.line;
    let f = c.fieldsStart;
    const sink = this.ctx.sink;
    this.last = null;
    switch (tp) {
      case Tp.MapPage: {
        {
          const pa = fieldAt(s, "phys_addr=", f, c.end);
          const sz = fieldAt(s, "size=", f, c.end);
          if (pa === -1 || sz === -1) return true;
          const phys = parseNumberAt(s, pa, true);
          const size = parseNumberAt(s, sz);
          if (Number.isNaN(phys) || Number.isNaN(size)) return true;
          if (!sink.tracksMapping(this.frameOf(phys), this.frameOf(phys + Math.max(size, 1) - 1) + 1)) return true;
        }
        c.materialize();
        s = c.line;
        f = c.fieldsStart;
        const device = s.slice(f, tokenEnd(s, f));
        const pa = fieldAt(s, "phys_addr=", f);
        const sz = fieldAt(s, "size=", f);
        const da = fieldAt(s, "dma_addr=", f);
        if (da === -1) return true;
        const phys = parseNumberAt(s, pa, true);
        const size = parseNumberAt(s, sz);
        const start = this.frameOf(phys);
        const end = this.frameOf(phys + Math.max(size, 1) - 1) + 1;
        if (!c.header()) return false;
        const dmaAddr = s.slice(da, tokenEnd(s, da));
        const dir = fieldValue(s, "dir=", f);
        const ev = this.make(c, lineNo, "dma_map", start, end, { device, dir, dma_addr: dmaAddr, size: String(size), phys_addr: s.slice(pa, tokenEnd(s, pa)) }, `dir=${dir} dma_addr=${dmaAddr} size=${size} phys_addr=${s.slice(pa, tokenEnd(s, pa))}`);
        ev.phys = phys;
        this.mapped(`${device}|${dmaAddr}|${size}`, device, parseNumberAt(s, da, true), size, ev);
        return true;
      }
      case Tp.UnmapPage: {
        {
          const da = fieldAt(s, "dma_addr=", f, c.end);
          if (da === -1 || !this.ctx.table.hasIova(parseNumberAt(s, da, true))) return true;
        }
        c.materialize();
        s = c.line;
        f = c.fieldsStart;
        const device = s.slice(f, tokenEnd(s, f));
        const sz = fieldAt(s, "size=", f);
        const da = fieldAt(s, "dma_addr=", f);
        if (sz === -1 || da === -1) return true;
        const key = `${device}|${s.slice(da, tokenEnd(s, da))}|${s.slice(sz, tokenEnd(s, sz))}`;
        return this.unmapped(key, c, lineNo, "dma_unmap");
      }
      case Tp.MapSg: {
        const device = s.slice(f, tokenEnd(s, f));
        const physList = listAt(s, fieldAt(s, "phys_addrs=", f));
        if (physList.length === 0) return true;
        const sizes = listAt(s, fieldAt(s, "sizes=", f));
        const dmas = listAt(s, fieldAt(s, "dma_addrs=", f));
        const truncated = s.endsWith("[TRUNCATED]");
        if (truncated && this.truncatedSg++ === 0) this.ctx.warn(`${this.artifact}:${lineNo}: a scatter-gather list was truncated by the tracer; only the addresses shown are known`);
        const total = sizes.reduce((a, b) => a + b, 0);
        const per = sizes.length === physList.length ? null : Math.max(1, Math.ceil(total / physList.length) || this.pageSize);
        const dir = fieldValue(s, "dir=", f);
        let headerRead = false;
        for (let i = 0; i < physList.length; i++) {
          const phys = physList[i];
          const len = per ?? Math.max(1, sizes[i]);
          const start = this.frameOf(phys);
          const end = this.frameOf(phys + len - 1) + 1;
          if (!sink.tracksMapping(start, end)) continue;
          if (!headerRead) {
            if (!c.header()) return false;
            headerRead = true;
          }
          const physText = phys.toString(16);
          const ev = this.make(c, lineNo, "dma_map", start, end, { device, dir, phys_addr: physText, size: String(len), sg: String(i) }, `dir=${dir} sg entry ${i + 1}/${physList.length} phys_addr=${physText}${truncated ? " (list truncated)" : ""}`);
          ev.phys = phys;
          this.mapped(`${device}|sg|${physText}`, device, i === 0 && dmas.length > 0 ? dmas[0] : null, len, ev);
        }
        return true;
      }
      case Tp.UnmapSg: {
        const device = s.slice(f, tokenEnd(s, f));
        for (const phys of listAt(s, fieldAt(s, "phys_addrs=", f))) {
          if (!this.unmapped(`${device}|sg|${phys.toString(16)}`, c, lineNo, "dma_unmap")) return false;
        }
        return true;
      }
      case Tp.DmaAlloc:
      case Tp.DmaFree: {
        const device = s.slice(f, tokenEnd(s, f));
        const sz = fieldAt(s, "size=", f);
        const da = fieldAt(s, "dma_addr=", f);
        if (sz === -1 || da === -1) return true;
        const key = `c|${device}|${s.slice(da, tokenEnd(s, da))}|${s.slice(sz, tokenEnd(s, sz))}`;
        if (tp === Tp.DmaFree) return this.unmapped(key, c, lineNo, "dma_free");
        const iova = parseNumberAt(s, da, true);
        const size = parseNumberAt(s, sz);
        const io = this.iommu.get(iova);
        if (!io || Number.isNaN(size)) return true; // frames unknown without the IOMMU line
        const start = this.frameOf(io.paddr);
        const end = this.frameOf(io.paddr + Math.max(size, 1) - 1) + 1;
        if (!sink.tracksMapping(start, end)) return true;
        if (!c.header()) return false;
        const ev = this.make(c, lineNo, "dma_alloc", start, end, { device, dma_addr: s.slice(da, tokenEnd(s, da)), size: String(size) }, `coherent buffer dma_addr=${s.slice(da, tokenEnd(s, da))} size=${size} paddr=0x${io.paddr.toString(16)}`);
        ev.phys = io.paddr;
        this.mapped(key, device, iova, size, ev);
        return true;
      }
      case Tp.IommuMap:
      case Tp.IommuUnmap: {
        const i = fieldAt(s, "iova=", f);
        const sz = fieldAt(s, "size=", f);
        if (i === -1 || sz === -1) return true;
        const iova = parseNumberAt(s, i);
        const size = parseNumberAt(s, sz);
        if (Number.isNaN(iova) || Number.isNaN(size)) return true;
        let paddr: number;
        if (tp === Tp.IommuMap) {
          const p = fieldAt(s, "paddr=", f);
          if (p === -1) return true;
          paddr = parseNumberAt(s, p);
          if (Number.isNaN(paddr)) return true;
          const start = this.frameOf(paddr);
          const end = this.frameOf(paddr + Math.max(size, 1) - 1) + 1;
          if (!sink.tracksMapping(start, end)) return true;
          if (this.iommu.size < 1_000_000) this.iommu.set(iova, { iova, paddr, size });
          if (!sink.wants(start, end)) return true;
          if (!c.header()) return false;
          const ev = this.make(c, lineNo, "iommu_map", start, end, { iova: "0x" + iova.toString(16), size: String(size) }, `iova=0x${iova.toString(16)} paddr=0x${paddr.toString(16)} size=${size}`);
          ev.phys = paddr;
          sink.add(ev);
          this.last = ev;
        } else {
          const io = this.iommu.get(iova);
          if (!io) return true;
          this.iommu.delete(iova);
          const start = this.frameOf(io.paddr);
          const end = this.frameOf(io.paddr + Math.max(io.size, 1) - 1) + 1;
          if (!sink.wants(start, end)) return true;
          if (!c.header()) return false;
          const ev = this.make(c, lineNo, "iommu_unmap", start, end, { iova: "0x" + iova.toString(16), size: String(size) }, `iova=0x${iova.toString(16)} size=${size}`);
          sink.add(ev);
          this.last = ev;
        }
        return true;
      }
      case Tp.IoFault: {
        // `IOMMU:ath12k_pci 0000:c2:00.0 iova=0x00000000fe980000 flags=0x0001`
        const colon = s.indexOf(":", f);
        const i = fieldAt(s, "iova=", f);
        if (colon === -1 || i === -1) return true;
        const driverEnd = tokenEnd(s, colon + 1);
        const driver = s.slice(colon + 1, driverEnd) || null;
        const device = s.slice(driverEnd + 1, tokenEnd(s, driverEnd + 1)) || null;
        const iova = parseNumberAt(s, i);
        if (Number.isNaN(iova)) return true;
        const m = this.ctx.table.findByIova(device, iova);
        let start: number;
        let end: number;
        if (m && m.start >= 0) {
          start = m.start;
          end = m.end;
        } else {
          const io = this.iommu.get(iova);
          if (!io) return true;
          start = this.frameOf(io.paddr);
          end = this.frameOf(io.paddr + Math.max(io.size, 1) - 1) + 1;
        }
        if (!sink.ioFault && !sink.wants(start, end)) return true;
        if (!c.header()) return false;
        const fields: Record<string, string> = { iova: "0x" + iova.toString(16), flags: fieldValue(s, "flags=", f) };
        if (device) fields.device = device;
        if (driver) fields.driver = driver;
        const unmappedAt = m?.unmap?.ts ?? m?.unmapAt?.ts;
        const ev = this.make(c, lineNo, "iommu_fault", start, end, fields, `${driver ?? ""} ${device ?? ""} iova=0x${iova.toString(16)}${unmappedAt !== undefined ? " (unmapped at " + unmappedAt.toFixed(6) + ")" : ""}`.trim());
        if (m && !m.unmap && m.unmapAt) m.unmap = this.unmapEventOf(m);
        if (sink.ioFault) sink.ioFault(ev, m);
        else sink.add(ev);
        this.last = ev;
        return true;
      }
      case Tp.Isolate: {
        const a = fieldAt(s, "start_pfn=", f);
        const b = fieldAt(s, "end_pfn=", f);
        if (a === -1 || b === -1) return true;
        const start = parseNumberAt(s, a);
        const end = parseNumberAt(s, b);
        if (Number.isNaN(start) || Number.isNaN(end) || end <= start) return true;
        const migrations = this.pendingMigrations;
        this.pendingMigrations = [];
        if (!sink.wants(start, end)) return true;
        if (!c.header()) return false;
        const ret = fieldValue(s, "ret=", f);
        for (const mig of migrations) {
          // The migration that emptied this range before it tested isolated.
          mig.start = start;
          mig.end = end;
          sink.add(mig);
        }
        const ev = this.make(c, lineNo, "mem_isolate", start, end, { ret }, `pfn 0x${start.toString(16)}-0x${end.toString(16)} ret=${ret}`);
        sink.add(ev);
        this.last = ev;
        return true;
      }
      case Tp.Migrate: {
        if (!c.header()) return false;
        const reason = fieldValue(s, "reason=", f);
        const mode = fieldValue(s, "mode=", f);
        const ev = this.make(c, lineNo, "migrate", -1, -1, { reason, mode }, `mode=${mode} reason=${reason}`);
        this.pendingMigrations.push(ev);
        if (this.pendingMigrations.length > 64) this.pendingMigrations.shift();
        return true;
      }
      case Tp.Fault: {
        // Faults are frequent and rarely matter: remember numbers in a per-CPU slot, no strings.
        if (!c.headerNumbers()) return false;
        let a = fieldAt(s, "address=", f, c.end);
        if (a === -1) {
          const h = s.indexOf("addr ", f);
          a = h === -1 || h >= c.end ? -1 : h + 5;
        }
        let slot = this.faults.get(c.cpu);
        if (!slot) {
          slot = { pid: 0, ts: 0, task: "", address: "", source: "", origin: "", addressNum: 0, lineNo: 0, hash: false };
          this.faults.set(c.cpu, slot);
        }
        slot.pid = c.pid;
        slot.ts = c.ts;
        slot.addressNum = a === -1 ? NaN : parseNumberAt(s, a);
        slot.lineNo = lineNo;
        slot.hash = c.line.charCodeAt(c.nameStart) === 104; // hash_fault
        slot.task = "";
        slot.address = "";
        slot.source = "";
        slot.origin = "";
        return true;
      }
      case Tp.Named: {
        let start: number;
        let end: number;
        const p = fieldAt(s, "pfn=", f);
        if (p !== -1) {
          start = parseNumberAt(s, p);
          const o = fieldAt(s, "order=", f);
          const order = o === -1 ? 0 : parseNumberAt(s, o);
          end = start + 2 ** (Number.isNaN(order) || order > MAX_SANE_ORDER ? 0 : order);
        } else {
          const pa = fieldAt(s, "phys_addr=", f);
          if (pa === -1) return true;
          const phys = parseNumberAt(s, pa, true);
          start = this.frameOf(phys);
          end = start + 1;
        }
        if (Number.isNaN(start) || !sink.wants(start, end)) return true;
        if (!c.header()) return false;
        const fields = namedFields(s, f);
        const ev = this.make(c, lineNo, c.name(), start, end, fields, s.slice(f, Math.min(s.length, f + 160)));
        sink.add(ev);
        this.last = ev;
        return true;
      }
    }
    return true;
  }

  private mapped(key: string, device: string, iova: number | null, size: number, ev: FrameEvent): void {
    ev.fields.mapping = key;
    const m: DmaMapping = { key, device, iova: iova === null || Number.isNaN(iova) ? null : iova, size, start: ev.start, end: ev.end, ts: ev.ts, map: ev, unmap: null };
    this.ctx.table.add(m);
    this.ctx.sink.add(ev); // the sink asked to track this mapping, so it keeps the map event

    this.last = ev;
  }

  private unmapped(key: string, c: FtraceLineCursor, lineNo: number, name: string): boolean {
    const m = this.ctx.table.get(key);
    if (!m) return true;
    if (!this.ctx.sink.needsUnmap(m)) {
      // Nobody keeps this frame's history: drop the mapping without building an event, noting
      // only when (numbers, no strings) in case an IOMMU fault on it comes later.
      if (!c.headerNumbers()) return false;
      m.unmapAt = { ts: c.ts, cpu: c.cpu, pid: c.pid, source: "" };
      m.unmapLine = lineNo;
      this.ctx.table.remove(key);
      this.ctx.sink.unmapped(m);
      return true;
    }
    if (!c.header()) return false;
    const ev = this.make(c, lineNo, name, m.start, m.end, { device: m.device ?? "", ...pick(m.map.fields, "dir", "dma_addr", "size", "phys_addr"), mapping: m.key }, `${m.map.detail} (mapped at ${m.ts.toFixed(6)}, ${m.map.source})`);
    // Added while the mapping is still live, so that layout changes fed up to this time see it.
    if (this.ctx.sink.wants(m.start, m.end)) this.ctx.sink.add(ev);
    this.ctx.table.remove(key);
    m.unmap = ev;
    this.ctx.sink.unmapped(m);
    this.last = ev;
    return true;
  }

  /** Marks an allocation made by the page-fault handler and puts the fault on its frames. */
  private linkFault(ev: FrameEvent): void {
    const fault = ev.cpu === null ? undefined : this.faults.get(ev.cpu);
    if (!fault || fault.pid !== ev.pid || ev.ts - fault.ts > FAULT_TO_ALLOC_SECONDS || ev.ts < fault.ts) return;
    if (fault.source === "") {
      fault.address = Number.isNaN(fault.addressNum) ? "" : "0x" + fault.addressNum!.toString(16);
      fault.source = `${this.artifact}:${fault.lineNo}`;
      fault.origin = fault.hash ? "hash_fault" : "page_fault";
      fault.task = ev.task ?? "";
    }
    ev.fields.handler = "page_fault";
    ev.detail += ` (page-fault handler, fault at ${fault.address})`;
    this.ctx.sink.add({
      ts: fault.ts,
      event: "page_fault",
      start: ev.start,
      end: ev.end,
      cpu: ev.cpu,
      task: fault.task,
      pid: fault.pid,
      device: null,
      driver: null,
      fields: { address: fault.address, tracepoint: fault.origin, pid: String(fault.pid), task: fault.task, cpu: String(ev.cpu) },
      detail: `address=${fault.address}, then took this frame`,
      source: fault.source,
      seq: ev.seq - 0.5,
      origin: fault.origin,
    });
  }

  /** Records a page fault (from JSONL) so that the next allocation on that CPU and pid is linked to it. */
  fault(cpu: number, pid: number, ts: number, task: string, address: string, source: string): void {
    this.faults.set(cpu, { pid, ts, task, address, source, origin: "page_fault" });
  }

  /** The unmap event of a mapping whose unmap was only noted (sweep mode), built when it matters. */
  unmapEventOf(m: DmaMapping): FrameEvent {
    const at = m.unmapAt!;
    const fields: Record<string, string> = { device: m.device ?? "", ...pick(m.map.fields, "dir", "dma_addr", "size", "phys_addr"), mapping: m.key, pid: String(at.pid), cpu: String(at.cpu) };
    return {
      ts: at.ts,
      event: m.map.event === "dma_alloc" ? "dma_free" : "dma_unmap",
      start: m.start,
      end: m.end,
      cpu: at.cpu,
      task: null,
      pid: at.pid,
      device: m.device,
      driver: null,
      fields,
      detail: `${m.map.detail} (mapped at ${m.ts.toFixed(6)}, ${m.map.source})`,
      source: `${this.artifact}:${m.unmapLine ?? 0}`,
      seq: m.map.seq + 0.25,
      origin: "dma_unmap",
    };
  }

  /** Links a JSONL allocation to a preceding fault, as for ftrace. */
  linkGenericFault(ev: FrameEvent): void {
    this.linkFault(ev);
  }

  /** A frame-less migration (JSONL), attached to the next isolated range. */
  pendingMigration(ev: FrameEvent): void {
    this.pendingMigrations.push(ev);
    if (this.pendingMigrations.length > 64) this.pendingMigrations.shift();
  }

  takeMigrations(): FrameEvent[] {
    const out = this.pendingMigrations;
    this.pendingMigrations = [];
    return out;
  }

  /** A ` => func` line after the last kept event. */
  stackLine(func: string): void {
    const ev = this.last;
    if (!ev) return;
    (ev.stack ??= []).push(func);
    if (ev.event === "page_alloc" && !ev.fields.handler && FAULT_FRAMES.some((f) => func.startsWith(f))) {
      ev.fields.handler = "page_fault";
      ev.detail += " (page-fault handler, from the stack)";
    }
  }
}

function fieldValue(s: string, key: string, from: number): string {
  const i = fieldAt(s, key, from);
  return i === -1 ? "" : s.slice(i, tokenEnd(s, i));
}

/** `{0x2b3c4000,0x2b3c5000}` as numbers; a cut-off last element (no closing brace) is dropped. */
function listAt(s: string, i: number): number[] {
  if (i === -1 || s.charCodeAt(i) !== 123) return [];
  const close = s.indexOf("}", i);
  const end = close === -1 ? tokenEnd(s, i) : close;
  const out: number[] = [];
  let p = i + 1;
  while (p < end) {
    let q = s.indexOf(",", p);
    if (q === -1 || q > end) q = end;
    if (q === end && close === -1) break;
    const n = parseNumberAt(s, p, true);
    if (!Number.isNaN(n)) out.push(n);
    p = q + 1;
  }
  return out;
}

function namedFields(s: string, from: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tok of s.slice(from).split(" ")) {
    const eq = tok.indexOf("=");
    if (eq > 0) out[tok.slice(0, eq)] = tok.slice(eq + 1);
  }
  return out;
}

function pick(src: Record<string, string>, ...keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (src[k] !== undefined) out[k] = src[k];
  return out;
}

export { DmaMappingTable };
