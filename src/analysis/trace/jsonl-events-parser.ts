import type { DmaMapping } from "./dma-mapping-table.js";
import type { FrameEvent } from "./frame-event.js";
import { MAX_SANE_ORDER, type NormaliserContext, type TracepointNormaliser } from "./tracepoint-normaliser.js";

/**
 * Generic events as JSON Lines (formats.md §2), for tracers that are not ftrace:
 * `{"ts": 812.000123, "cpu": 3, "task": "java", "pid": 4242, "event": "dma_map", "pfn": "0x54d7", "npages": 1, "device": "0001:01:00.0"}`.
 * Frames come as `pfn` + `npages` or `phys` + `size`; unmaps without frames join their map on
 * (device, dma_addr, size) or (device, phys), as for ftrace.
 */
export class JsonlEventsParser {
  /** Timestamp of the last event read. */
  lastTs = -Infinity;

  constructor(
    private readonly ctx: NormaliserContext,
    private readonly norm: TracepointNormaliser,
    private readonly artifact: string,
    private readonly pageShift: number,
  ) {}

  /** Returns false when the line is not a usable event object. */
  line(text: string, lineNo: number): boolean {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return false;
    }
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return false;
    const o = raw as Record<string, unknown>;
    const ts = typeof o.ts === "number" ? o.ts : typeof o.ts === "string" ? Number(o.ts) : NaN;
    const event = typeof o.event === "string" ? o.event : "";
    if (!Number.isFinite(ts) || event === "") return false;
    this.lastTs = ts;
    const cpu = intOrNull(o.cpu);
    const pid = intOrNull(o.pid);
    const task = typeof o.task === "string" ? o.task : null;
    const device = typeof o.device === "string" ? o.device : null;
    const driver = typeof o.driver === "string" ? o.driver : null;
    const source = `${this.artifact}:${lineNo}`;
    const pageSize = 2 ** this.pageShift;

    let start = -1;
    let end = -1;
    let phys: number | undefined;
    const pfn = num(o.pfn);
    const physAddr = num(o.phys);
    if (pfn !== null) {
      let n = num(o.npages) ?? (num(o.order) !== null ? 2 ** Math.min(num(o.order)!, MAX_SANE_ORDER + 1) : 1);
      if (!(n >= 1) || n > 2 ** MAX_SANE_ORDER) n = 1;
      start = pfn;
      end = pfn + n;
    } else if (physAddr !== null) {
      const size = Math.max(1, num(o.size) ?? 1);
      start = Math.floor(physAddr / pageSize);
      end = Math.floor((physAddr + size - 1) / pageSize) + 1;
      phys = physAddr;
    }
    if (pfn !== null && physAddr !== null) phys = physAddr;

    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(o)) {
      if (k === "ts" || v === null || typeof v === "object") continue;
      fields[k] = String(v);
    }
    const make = (name: string, s: number, e: number, detail: string): FrameEvent => ({
      ts,
      event: name,
      start: s,
      end: e,
      cpu,
      task,
      pid,
      device,
      driver,
      fields,
      detail,
      source,
      seq: this.ctx.seq++,
      origin: "jsonl",
      phys,
    });
    const sink = this.ctx.sink;
    const dmaAddr = typeof o.dma_addr === "string" || typeof o.dma_addr === "number" ? normHex(o.dma_addr) : null;
    const size = num(o.size);
    // Exporters do not all repeat the size on both sides: a device's DMA address alone joins them.
    const keyOf = (): string | null =>
      device === null ? null : dmaAddr !== null ? `${device}|j|${dmaAddr}` : physAddr !== null ? `${device}|sg|${physAddr.toString(16)}` : pfn !== null ? `${device}|pfn|${pfn.toString(16)}` : null;
    this.norm.last = null;

    switch (event) {
      case "dma_map": {
        const key = keyOf();
        if (start < 0 || !sink.tracksMapping(start, end)) return true;
        const ev = make("dma_map", start, end, describe(o));
        if (key) {
          ev.fields = { ...fields, mapping: key };
          const m: DmaMapping = { key, device, iova: dmaAddr !== null ? parseInt(dmaAddr, 16) : null, size: size ?? (end - start) * pageSize, start, end, ts, map: ev, unmap: null };
          this.ctx.table.add(m);
        }
        sink.add(ev);
        return true;
      }
      case "dma_unmap": {
        const key = keyOf();
        const m = key ? this.ctx.table.get(key) : undefined;
        if (m && !sink.needsUnmap(m)) {
          m.unmapAt = { ts, cpu: cpu ?? -1, pid: pid ?? -1, source };
          m.unmapLine = lineNo;
          this.ctx.table.remove(m.key);
          sink.unmapped(m);
        } else if (m) {
          const ev = make("dma_unmap", m.start, m.end, `${describe(o)} (mapped at ${m.ts.toFixed(6)}, ${m.map.source})`);
          ev.fields = { ...fields, mapping: m.key };
          if (sink.wants(m.start, m.end)) sink.add(ev);
          this.ctx.table.remove(m.key);
          m.unmap = ev;
          sink.unmapped(m);
        } else if (start >= 0 && sink.wants(start, end)) sink.add(make("dma_unmap", start, end, describe(o)));
        return true;
      }
      case "page_fault":
        if (start < 0) {
          if (cpu !== null && pid !== null) this.norm.fault(cpu, pid, ts, task ?? "", typeof o.address === "string" ? o.address : "", source);
          return true;
        }
        break;
      case "migrate":
        if (start < 0) {
          this.norm.pendingMigration(make("migrate", -1, -1, describe(o)));
          return true;
        }
        break;
      case "mem_isolate":
        if (start >= 0 && sink.wants(start, end)) {
          for (const mig of this.norm.takeMigrations()) {
            mig.start = start;
            mig.end = end;
            sink.add(mig);
          }
        }
        break;
      case "iommu_fault":
        if (start < 0) {
          const iova = num(o.iova);
          const m = iova === null ? undefined : this.ctx.table.findByIova(device, iova);
          if (!m || m.start < 0) return true;
          start = m.start;
          end = m.end;
          if (sink.ioFault) {
            if (!m.unmap && m.unmapAt) m.unmap = this.norm.unmapEventOf(m);
            sink.ioFault(make(event, start, end, describe(o)), m);
            return true;
          }
        }
        break;
    }
    if (start < 0 || !sink.wants(start, end)) return true;
    const ev = make(event, start, end, describe(o));
    if (event === "page_alloc") this.norm.linkGenericFault(ev);
    sink.add(ev);
    this.norm.last = ev;
    return true;
  }
}

function intOrNull(v: unknown): number | null {
  return typeof v === "number" && Number.isInteger(v) ? v : null;
}

/** A number, or a "0x..." / decimal string. */
function num(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v !== "string" || v.length === 0 || v.length > 18) return null;
  const n = v.startsWith("0x") || v.startsWith("0X") ? parseInt(v.slice(2), 16) : /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

function normHex(v: string | number): string {
  if (typeof v === "number") return v.toString(16);
  return (v.startsWith("0x") || v.startsWith("0X") ? v.slice(2) : v).toLowerCase().replace(/^0+(?=.)/, "");
}

const SKIP = new Set(["ts", "cpu", "task", "pid", "event", "device", "driver"]);

function describe(o: Record<string, unknown>): string {
  return Object.entries(o)
    .filter(([k, v]) => !SKIP.has(k) && v !== null && typeof v !== "object")
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(" ");
}
