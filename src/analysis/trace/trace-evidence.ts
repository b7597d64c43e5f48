import type { Evidence } from "../model/evidence.js";
import { hex } from "../model/hex.js";
import type { TimelineEntry } from "../model/timeline.js";
import type { FrameEvent, LostEvents } from "./frame-event.js";
import type { RuleMatch } from "./rule-engine.js";
import { describeReuse, type StaleReuse } from "./stale-mapping-sweep.js";

/** How much a match counts when the tracer lost events where an `absent` event could hide. */
const LOST_FACTOR = 0.6;

function at(ts: number): string {
  return ts.toFixed(6);
}

function who(ev: FrameEvent): string {
  if (ev.device) return ` by ${ev.device}${ev.driver ? " (" + ev.driver + ")" : ""}`;
  if (ev.task) return ` by ${ev.task}${ev.pid !== null ? " " + ev.pid : ""}`;
  return "";
}

function stepWords(ev: FrameEvent): string {
  const handler = ev.fields.handler === "page_fault" ? " (page-fault handler)" : "";
  return `${ev.event}${who(ev)}${handler} at ${at(ev.ts)}`;
}

function lostWords(lost: readonly LostEvents[]): string {
  const cpus = [...new Set(lost.map((l) => l.cpu))].sort((a, b) => a - b);
  const total = lost.reduce((s, l) => s + (l.count ?? 0), 0);
  return `the tracer lost ${total > 0 ? total + " " : ""}events on CPU ${cpus.join(", ")} between these steps (${lost[0].source}), so an event that would clear it may not have been recorded`;
}

/** A rule match as evidence: the steps in order, what did not happen, and any loss that weakens it. */
export function matchEvidence(m: RuleMatch, driverOf: (device: string | null) => string | null): Evidence {
  for (const s of m.steps) if (s.device && !s.driver) s.driver = driverOf(s.device);
  const absent = [...new Set(m.rule.absent.flatMap((a) => (typeof a.event === "string" ? [a.event] : a.event)))];
  let claim = `frame ${hex(m.pfn)}: ${m.steps.map(stepWords).join(", then ")}`;
  if (absent.length > 0) claim += `, with no ${absent.join(" or ")} in between`;
  claim += ` (rule ${m.rule.id})`;
  let weight = m.rule.weight ?? 0.6;
  if (m.lost.length > 0 && m.rule.absent.length > 0) {
    weight *= LOST_FACTOR;
    claim += `; but ${lostWords(m.lost)}`;
  }
  return { claim, weight: Math.round(weight * 1000) / 1000, source: m.steps[0].source, verdict: m.rule.verdict, facet: "trace" };
}

/** Mapping identity shared by a map and its unmap. */
function key(ev: FrameEvent): string {
  return ev.fields.mapping ?? `${ev.device ?? ""}|${ev.fields.dma_addr ?? ""}|${ev.fields.phys_addr ?? ""}|${ev.fields.size ?? ""}`;
}

/**
 * A device that unmapped the frame before it was freed or re-used is cleared: counter-evidence
 * against stale DMA (the latest such life per device).
 */
export function counterEvidence(histories: ReadonlyMap<number, readonly FrameEvent[]>): Evidence[] {
  const cleared = new Map<string, Evidence>();
  for (const [pfn, h] of histories) {
    const open = new Map<string, FrameEvent>();
    const unmapped: { map: FrameEvent; unmap: FrameEvent }[] = [];
    for (const ev of h) {
      if (ev.event === "dma_map" || ev.event === "dma_alloc") open.set(key(ev), ev);
      else if (ev.event === "dma_unmap" || ev.event === "dma_free") {
        const map = open.get(key(ev));
        if (map) {
          open.delete(key(ev));
          unmapped.push({ map, unmap: ev });
        }
      } else if (ev.event === "page_free" || ev.event === "page_alloc" || ev.event === "mem_offline" || ev.event === "mem_isolate") {
        for (const u of unmapped.splice(0)) {
          const device = u.map.device ?? "a device";
          cleared.set(device, {
            claim: `${device}${u.map.driver ? " (" + u.map.driver + ")" : ""} mapped frame ${hex(pfn)} at ${at(u.map.ts)} and unmapped it at ${at(u.unmap.ts)}, before it was ${ev.event === "page_alloc" ? "re-allocated" : ev.event === "page_free" ? "freed" : "taken offline"} at ${at(ev.ts)}`,
            weight: 0.3,
            source: u.unmap.source,
            verdict: "stale-dma",
            facet: "trace",
            counter: true,
          });
        }
      }
    }
  }
  return [...cleared.values()];
}

/** The corrupted region starts exactly where a device's still-live DMA mapping starts. */
export function addressMatchEvidence(regionStart: bigint, histories: ReadonlyMap<number, readonly FrameEvent[]>, crashTs: number | null, pageShift: number): Evidence | null {
  const pfn = Number(regionStart >> BigInt(pageShift));
  const h = histories.get(pfn);
  if (!h || regionStart >= 1n << 53n) return null;
  const start = Number(regionStart);
  let hit: FrameEvent | null = null;
  for (const ev of h) {
    if (crashTs !== null && ev.ts > crashTs) break;
    if ((ev.event === "dma_map" || ev.event === "dma_alloc") && ev.phys === start) hit = ev;
    else if (hit && (ev.event === "dma_unmap" || ev.event === "dma_free") && key(ev) === key(hit)) hit = null;
  }
  if (!hit) return null;
  return {
    claim: `corruption starts at ${hex(start)}, the physical address ${hit.device ?? "a device"}${hit.driver ? " (" + hit.driver + ")" : ""} mapped for DMA at ${at(hit.ts)} and never unmapped`,
    weight: 0.4,
    source: hit.source,
    verdict: "stale-dma",
    facet: "address-match",
  };
}

/** The sweep's top candidate as evidence when no rule matched on its frame. */
export function sweepEvidence(top: StaleReuse, driverOf: (device: string | null) => string | null): Evidence {
  const driver = top.map.driver ?? driverOf(top.map.device);
  let claim = `frame ${hex(top.pfn)} was ${describeReuse(top)} at ${at(top.reuse.ts)} while ${top.map.device ?? "a device"}${driver ? " (" + driver + ")" : ""} still had it mapped for DMA (since ${at(top.map.ts)})`;
  let weight = 0.7 * top.score;
  if (top.lostBetween.length > 0) {
    claim += `; but ${lostWords(top.lostBetween)}`;
    weight *= LOST_FACTOR;
  }
  return { claim, weight: Math.round(weight * 1000) / 1000, source: top.reuse.source, verdict: "stale-dma", facet: "trace" };
}

function entry(ev: FrameEvent, pfn: number, step?: number): TimelineEntry {
  const t: TimelineEntry = {
    ts: ev.ts,
    event: ev.event,
    pfn: pfn >= 0 ? hex(pfn) : null,
    device: ev.device,
    cpu: ev.cpu,
    task: ev.task,
    pid: ev.pid,
    detail: ev.detail,
    source: ev.source,
  };
  if (step !== undefined) t.step = step;
  return t;
}

/**
 * The frame's timeline: the best match's steps (numbered), tracer losses and the crash among them;
 * without a match, the events around the frame's last DMA life or its latest events.
 */
export function timelineOf(
  best: RuleMatch | null,
  _matches: readonly RuleMatch[],
  histories: ReadonlyMap<number, readonly FrameEvent[]>,
  lost: readonly LostEvents[],
  top: StaleReuse | null,
  _evidence: readonly Evidence[],
): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  if (best) {
    best.steps.forEach((ev, i) => out.push(entry(ev, best.pfn, i + 1)));
    const h = histories.get(best.pfn) ?? [];
    const last = best.steps[best.steps.length - 1];
    for (const ev of h) if (ev.event === "crash" && ev.ts >= last.ts) out.push(entry(ev, best.pfn));
    for (const l of best.lost) out.push(lostEntry(l));
  } else if (top) {
    out.push(entry(top.map, top.pfn));
    for (const ev of top.between.slice(0, 8)) out.push(entry(ev, top.pfn));
    out.push(entry(top.reuse, top.pfn));
    for (const l of top.lostBetween) out.push(lostEntry(l));
  } else {
    for (const [pfn, h] of histories) {
      for (const ev of h.slice(-12)) out.push(entry(ev, pfn));
      if (out.length >= 24) break;
    }
  }
  return out.sort((a, b) => a.ts - b.ts);
}

function lostEntry(l: LostEvents): TimelineEntry {
  return { ts: l.ts, event: "lost_events", pfn: null, device: null, cpu: l.cpu, task: null, pid: null, detail: `the tracer lost ${l.count ?? "some"} events on CPU ${l.cpu}`, source: l.source };
}
