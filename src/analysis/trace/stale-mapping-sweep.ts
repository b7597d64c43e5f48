import type { StaleMappingJson } from "../model/casefile-verdict.js";
import { hex } from "../model/hex.js";
import type { FrameEvent, LostEvents } from "./frame-event.js";

/** A frame handed to a new owner (or taken away) while a device mapping on it was live. */
export interface StaleReuse {
  pfn: number;
  map: FrameEvent;
  /** The event that gave the frame away: page_alloc, mem_offline, mem_isolate, migrate, page_free. */
  reuse: FrameEvent;
  /** Layout changes and frees between the map and the reuse. */
  between: FrameEvent[];
  lostBetween: LostEvents[];
  score: number;
}

const REUSE_EVENTS = new Set(["page_alloc", "mem_offline", "mem_isolate", "migrate", "page_free"]);
const MAP_EVENTS = new Set(["dma_map", "dma_alloc"]);
const UNMAP_EVENTS = new Set(["dma_unmap", "dma_free"]);

/** Identity of a mapping as its map and unmap events both carry it. */
function mappingKey(ev: FrameEvent): string {
  const f = ev.fields;
  return f.mapping ?? `${ev.device ?? f.device ?? ""}|${f.dma_addr ?? ""}|${f.phys_addr ?? ""}|${f.size ?? ""}`;
}

/**
 * Walks one frame's time-ordered history and returns, for every mapping still live when the frame
 * changed hands, the first such change. A re-allocation (above all by the page-fault handler) is a
 * new owner; a free, isolation or migration alone is the memory going away under the device.
 */
export function staleReuses(pfn: number, events: readonly FrameEvent[], lost: readonly LostEvents[], crashTs: number | null): StaleReuse[] {
  const live = new Map<string, { map: FrameEvent; between: FrameEvent[]; reported: boolean }>();
  const out: StaleReuse[] = [];
  for (const ev of events) {
    if (MAP_EVENTS.has(ev.event)) {
      live.set(mappingKey(ev), { map: ev, between: [], reported: false });
      continue;
    }
    if (UNMAP_EVENTS.has(ev.event)) {
      live.delete(mappingKey(ev));
      continue;
    }
    if (!REUSE_EVENTS.has(ev.event)) continue;
    for (const entry of live.values()) {
      if (entry.reported) continue;
      if (ev.event !== "page_alloc") {
        entry.between.push(ev);
        continue;
      }
      entry.reported = true;
      const lostBetween = lost.filter((l) => l.ts >= entry.map.ts && l.ts <= ev.ts);
      out.push({ pfn, map: entry.map, reuse: ev, between: entry.between, lostBetween, score: score(entry.map, ev, entry.between, lostBetween, crashTs) });
    }
  }
  // Mappings whose memory went away (freed, offlined) with no new owner seen: weaker, still listed.
  for (const entry of live.values()) {
    if (entry.reported || entry.between.length === 0) continue;
    const reuse = entry.between[entry.between.length - 1];
    const lostBetween = lost.filter((l) => l.ts >= entry.map.ts && l.ts <= reuse.ts);
    out.push({ pfn, map: entry.map, reuse, between: entry.between.slice(0, -1), lostBetween, score: score(entry.map, reuse, entry.between.slice(0, -1), lostBetween, crashTs) });
  }
  return out;
}

function score(map: FrameEvent, reuse: FrameEvent, between: readonly FrameEvent[], lostBetween: readonly LostEvents[], crashTs: number | null): number {
  let s = reuse.event === "page_alloc" ? 0.55 : 0.35;
  if (reuse.fields.handler === "page_fault") s += 0.15;
  if (between.some((e) => e.event === "page_free")) s += 0.1;
  if (between.some((e) => e.event === "mem_offline" || e.event === "mem_isolate" || e.event === "migrate") || reuse.event !== "page_alloc") s += 0.1;
  if (lostBetween.length > 0) s -= 0.25;
  if (crashTs !== null && reuse.ts <= crashTs) s += 0.1 * Math.exp(-(crashTs - reuse.ts) / 60);
  void map;
  return Math.max(0, Math.min(1, Math.round(s * 1000) / 1000));
}

/** Plain words for how the frame changed hands. */
export function describeReuse(r: StaleReuse): string {
  const e = r.reuse;
  const who = e.task ? ` by ${e.task}${e.pid !== null ? " " + e.pid : ""}` : "";
  if (e.event === "page_alloc") return e.fields.handler === "page_fault" ? `re-allocated by the page-fault handler${who}` : `re-allocated${who}`;
  if (e.event === "page_free") return `freed${who}`;
  if (e.event === "mem_isolate") return "isolated for memory offline";
  if (e.event === "mem_offline") return "hot-removed (memory offline)";
  return `migrated${e.fields.reason ? " (" + e.fields.reason + ")" : ""}`;
}

/** Ranks the reuses (one per mapping and frame) into the JSON verdict's `stale_mappings`. */
export function rankStaleMappings(reuses: readonly StaleReuse[], driverOf: (device: string | null) => string | null, limit = 100): { json: StaleMappingJson[]; ranked: StaleReuse[] } {
  const ranked = [...reuses].sort((a, b) => b.score - a.score || b.reuse.ts - a.reuse.ts || a.pfn - b.pfn).slice(0, limit);
  const json = ranked.map((r) => ({
    pfn: hex(r.pfn),
    device: r.map.device ?? "",
    driver: r.map.driver ?? driverOf(r.map.device),
    mapped_at: r.map.ts,
    reused_at: r.reuse.ts,
    reuse: describeReuse(r),
    score: r.score,
    source: r.reuse.source,
  }));
  return { json, ranked };
}
