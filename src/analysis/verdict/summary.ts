import type { CrashReport } from "../model/crash.js";
import { hex } from "../model/hex.js";
import type { Region, Suspect } from "../model/region.js";
import type { TimelineEntry } from "../model/timeline.js";
import type { VerdictKind } from "../model/verdict-kind.js";

/** One sentence that states the case; the evidence list below it in the report proves it. */
export interface SummaryInput {
  verdict: VerdictKind;
  crash: CrashReport | null;
  region: Region | null;
  frames: bigint[];
  suspect: Suspect | null;
  timeline: TimelineEntry[];
  leading: VerdictKind | null;
  missing: string[];
}

function who(s: Suspect | null): string {
  if (!s?.device && !s?.driver) return "A device";
  if (s.device && s.driver) return `Device ${s.device} (${s.driver})`;
  return s.device ? `Device ${s.device}` : `A ${s.driver} device`;
}

function frameWord(frames: bigint[]): string {
  if (frames.length === 0) return "memory";
  if (frames.length === 1) return `frame ${hex(frames[0])}`;
  return `frames ${hex(frames[0])}-${hex(frames[frames.length - 1])}`;
}

/** What happened to the frame under the mapping, from the matched timeline. */
function layoutChange(timeline: TimelineEntry[]): string {
  const has = (e: string) => timeline.some((t) => t.event === e);
  const forHotplug = timeline.some((t) => t.event === "migrate" && /memory_hotplug|offline/.test(t.detail));
  const what = has("mem_offline")
    ? "was hot-removed"
    : has("mem_isolate")
      ? "was isolated for offlining"
      : has("migrate")
        ? forHotplug
          ? "was migrated away for a memory hot-remove"
          : "was migrated"
        : has("page_free")
          ? "was freed"
          : "changed owner";
  const fault = timeline.some((t) => t.event === "page_fault");
  return `${what}${has("page_alloc") ? ` and re-allocated${fault ? " by the page-fault handler" : ""}` : ""}`;
}

export function summarize(x: SummaryInput): string {
  const r = x.region;
  const len = r ? `${Number(r.end - r.start)} bytes` : null;
  const at = r ? ` at ${hex(r.start)}` : "";
  const title = x.crash ? ` (${x.crash.title})` : "";
  switch (x.verdict) {
    case "stale-dma": {
      const map = x.timeline.find((t) => t.event === "dma_map");
      const since = map ? ` (mapped at ${map.ts.toFixed(6)} s, never unmapped)` : "";
      const wrote = len ? `wrote ${len} into` : "kept writing to";
      return `${who(x.suspect)} ${wrote} ${frameWord(x.frames)} after the frame ${layoutChange(x.timeline)}${since}: a stale DMA mapping.`;
    }
    case "dma-fault":
      return `The IOMMU or DMA debug code caught ${who(x.suspect).replace(/^A /, "a ").replace(/^Device/, "device")} misusing DMA${title} before it could corrupt memory.`;
    case "cache-line-corruption":
      return `${len ?? "Whole cache lines"}${at} hold wrong but plausible kernel data in whole cache lines, with no DMA history on ${frameWord(x.frames)}: a CPU, cache or coherency problem.`;
    case "bit-flip":
      return `A single bit${at} differs from the known contents of ${frameWord(x.frames)}: failing memory, not software.`;
    case "use-after-free":
      return `Memory${at} was accessed through a stale pointer after it was freed${title}.`;
    case "out-of-bounds":
      return `The CPU overran an object${at}${title}.`;
    case "double-free":
      return `An object or page was freed twice${title}.`;
    case "software-corruption":
      return `${len ?? "Memory"}${at} was overwritten at an unaligned offset by CPU stores; nothing narrows the cause further${title}.`;
    case "inconclusive": {
      const leaning = x.leading ? ` The evidence leans towards ${x.leading}, but not enough to decide.` : "";
      // Only the advice's headline: the report lists the full commands below.
      const headline = x.missing[0]?.split(/[:.;(]\s/)[0].replace(/\.$/, "");
      const next = headline ? ` Next: ${headline.charAt(0).toLowerCase()}${headline.slice(1)} (see below).` : "";
      return `The bundle does not hold enough to decide what corrupted memory${title}.${leaning}${next}`;
    }
  }
}
