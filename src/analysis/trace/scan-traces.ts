import type { Rule } from "../config/casefile-config.js";
import type { Artifact } from "../model/artifact.js";
import type { StaleMappingJson } from "../model/casefile-verdict.js";
import type { Evidence } from "../model/evidence.js";
import type { MachineFacts } from "../model/machine.js";
import type { MemoryLayoutEvent } from "../model/memory-event.js";
import type { DeviceDriver, Suspect } from "../model/region.js";
import type { TimelineEntry } from "../model/timeline.js";
import { DmaMappingTable } from "./dma-mapping-table.js";
import { byTime, type FrameEvent, type LostEvents } from "./frame-event.js";
import { InterestSink } from "./interest-sink.js";
import { LayoutFeed, layoutFrameEvents } from "./layout-feed.js";
import { LiveMappingSink } from "./live-mapping-sink.js";
import { effectiveRules } from "./rule-loader.js";
import { matchRule, type RuleMatch } from "./rule-engine.js";
import { rankStaleMappings, staleReuses, type StaleReuse } from "./stale-mapping-sweep.js";
import { scanArtifact } from "./trace-scanner.js";
import { TRACEPOINTS } from "./tracepoint-normaliser.js";
import { matchEvidence, counterEvidence, addressMatchEvidence, sweepEvidence, timelineOf } from "./trace-evidence.js";

export interface TraceScanInput {
  /** Frames of the corrupted region; null = sweep mode (no frame known). */
  frames: bigint[] | null;
  machine: MachineFacts;
  /** Repository rules, added to the built-ins. */
  rules: Rule[];
  devices: DeviceDriver[];
  layoutEvents: MemoryLayoutEvent[];
  region: { start: bigint; end: bigint } | null;
  crashTs: number | null;
  onProgress?: (bytesRead: number, totalBytes: number | null) => void;
  /** Extension: who crashed, so that rules can name the crashing task (`crash` event, `where: { pid: $owner }`). */
  crashTask?: { task: string | null; pid: number | null; cpu: number | null } | null;
}

export interface TraceFindings {
  timeline: TimelineEntry[];
  evidence: Evidence[];
  suspect: Suspect | null;
  staleMappings: StaleMappingJson[];
  frames: bigint[];
  artifacts: Map<string, { events: number; warnings: string[] }>;
}

const TRACE_KINDS = new Set(["ftrace", "trace-cmd", "jsonl-events"]);
/** A region wider than this many frames is examined on its first frames only. */
const MAX_REGION_FRAMES = 4096;
/** Sweep candidates whose full rules are run (the ranking already orders them). */
const SWEEP_RULE_FRAMES = 64;

/**
 * Scans the bundle's traces once, keeping only what the case needs, and returns the evidence of
 * the frame-sequence rules, the frame's timeline, the suspect device and the stale-mapping sweep.
 */
export async function scanTraces(artifacts: Artifact[], input: TraceScanInput): Promise<TraceFindings> {
  const pageShift = Math.round(Math.log2(input.machine.pageSize));
  const rules = effectiveRules(input.rules);
  const interest = framesOfInterest(input, pageShift);
  const sweep = interest === null;
  const table = new DmaMappingTable(sweep);
  const inner = sweep ? new LiveMappingSink(table) : new InterestSink(interest);
  const layout = layoutFrameEvents(input.layoutEvents, pageShift);
  const feed = new LayoutFeed(inner, layout);
  const ctx = { pageShift, sink: feed, table, seq: 0, warn: () => {} };

  const traces = artifacts.filter((a) => TRACE_KINDS.has(a.kind));
  const totalBytes = traces.every((a) => a.bytes !== null) ? traces.reduce((s, a) => s + (a.bytes ?? 0), 0) : null;
  let read = 0;
  const knownNames = new Set([...TRACEPOINTS.keys()]);
  const extraTracepoints = [...new Set(rules.flatMap((r) => [...r.steps, ...r.absent].flatMap((s) => (typeof s.event === "string" ? [s.event] : s.event))))].filter((n) => !knownNames.has(n));

  const summary = new Map<string, { events: number; warnings: string[] }>();
  const lost: LostEvents[] = [];
  for (const artifact of traces) {
    const scan = await scanArtifact(artifact, ctx, {
      extraTracepoints,
      onBytes: (delta) => {
        read += delta;
        input.onProgress?.(read, totalBytes);
      },
    });
    lost.push(...scan.lost);
    summary.set(artifact.name, { events: scan.events, warnings: [...artifact.warnings, ...scan.warnings] });
  }
  feed.flush();
  const general: string[] = [];
  if (table.overflowed) general.push("more DMA mappings were live at once than casefile tracks; later ones were not followed");
  if (inner instanceof InterestSink && inner.thinned > 0) general.push(`the corrupted frames had so many events that ${inner.thinned} older page allocations and frees were dropped`);
  if (inner instanceof LiveMappingSink && inner.suspectsOverflowed) general.push("too many frames were re-used while mapped; the sweep lists the first ones");
  const first = traces[0];
  if (first && general.length > 0) summary.get(first.name)!.warnings.push(...general);

  const driverOf = (device: string | null): string | null => (device === null ? null : (input.devices.find((d) => d.device === device)?.driver ?? null));
  const withDriver = (ev: FrameEvent): void => {
    if (ev.device !== null && ev.driver === null) ev.driver = driverOf(ev.device);
    if (ev.driver !== null && ev.fields.driver === undefined) ev.fields.driver = ev.driver;
  };

  // Each frame's history, in time order.
  const histories = new Map<number, FrameEvent[]>();
  if (inner instanceof InterestSink) {
    const crash = input.crashTs === null ? null : crashEvent(input, ctx.seq++);
    for (const pfn of interest!) {
      const h = inner.events.filter((e) => e.start <= pfn && pfn < e.end);
      if (crash) h.push({ ...crash, start: pfn, end: pfn + 1 });
      h.sort(byTime);
      histories.set(pfn, h);
    }
  } else {
    for (const pfn of inner.suspects) histories.set(pfn, (inner.histories.get(pfn) ?? []).slice().sort(byTime));
  }
  for (const h of histories.values()) for (const ev of h) withDriver(ev);

  const reuses: StaleReuse[] = [];
  for (const [pfn, h] of histories) reuses.push(...staleReuses(pfn, h, lost, input.crashTs));
  const { json: staleMappings, ranked } = rankStaleMappings(dedupeReuses(reuses), driverOf);

  const ruleFrames = sweep
    ? [...new Set([...ranked.map((r) => r.pfn).slice(0, SWEEP_RULE_FRAMES), ...[...(inner as LiveMappingSink).faulted].slice(0, SWEEP_RULE_FRAMES)])]
    : interest!;
  const matches: RuleMatch[] = [];
  const seen = new Set<string>();
  for (const pfn of ruleFrames) {
    const h = histories.get(pfn) ?? [];
    for (const rule of rules) {
      const m = matchRule(rule, pfn, h, lost);
      if (!m) continue;
      const key = rule.id + "|" + m.steps.map((s) => s.source).join(",");
      if (seen.has(key)) continue;
      seen.add(key);
      matches.push(m);
    }
  }

  const evidence: Evidence[] = matches.map((m) => matchEvidence(m, driverOf));
  const best = bestMatch(matches, evidence, sweep ? ranked : null);
  let suspect: Suspect | null = null;
  if (best) {
    const variable = best.rule.suspect;
    const device = variable === undefined ? null : variable.startsWith("$") ? (best.bindings[variable] ?? null) : variable;
    if (device !== null) {
      const stepDriver = best.steps.find((s) => s.device === device && s.driver !== null)?.driver ?? null;
      suspect = { device, driver: driverOf(device) ?? stepDriver, function: null, file: null };
    }
  }
  if (sweep && ranked.length > 0) {
    const top = ranked[0];
    if (!best || best.pfn !== top.pfn) evidence.push(sweepEvidence(top, driverOf));
    if (!suspect && top.map.device) suspect = { device: top.map.device, driver: driverOf(top.map.device) ?? top.map.driver, function: null, file: null };
  }
  if (!sweep) {
    const hasStale = matches.some((m) => m.rule.verdict === "stale-dma");
    if (!hasStale) evidence.push(...counterEvidence(histories));
    if (input.region) {
      const addr = addressMatchEvidence(input.region.start, histories, input.crashTs, pageShift);
      if (addr) evidence.push(addr);
    }
  }

  const timeline = timelineOf(best, matches, histories, lost, sweep ? ranked[0] ?? null : null, evidence);
  const frames = sweep
    ? [...new Set([...(best ? [best.pfn] : []), ...ranked.map((r) => r.pfn)])].slice(0, 16).map((n) => BigInt(n))
    : interest!.map((n) => BigInt(n));
  return { timeline, evidence, suspect, staleMappings, frames, artifacts: summary };
}

function framesOfInterest(input: TraceScanInput, pageShift: number): number[] | null {
  const out = new Set<number>();
  for (const f of input.frames ?? []) if (f >= 0n && f < 1n << 52n) out.add(Number(f));
  if (input.region && input.region.end > input.region.start) {
    const shift = BigInt(pageShift);
    const first = input.region.start >> shift;
    const last = (input.region.end - 1n) >> shift;
    for (let f = first; f <= last && out.size < MAX_REGION_FRAMES; f++) out.add(Number(f));
  }
  if (out.size === 0) return input.frames === null && input.region === null ? null : [];
  return [...out].sort((a, b) => a - b);
}

function crashEvent(input: TraceScanInput, seq: number): FrameEvent {
  const t = input.crashTask ?? null;
  const fields: Record<string, string> = {};
  if (t?.pid != null) fields.pid = String(t.pid);
  if (t?.task) fields.task = t.task;
  return {
    ts: input.crashTs!,
    event: "crash",
    start: -1,
    end: -1,
    cpu: t?.cpu ?? null,
    task: t?.task ?? null,
    pid: t?.pid ?? null,
    device: null,
    driver: null,
    fields,
    detail: "the crash report",
    source: "console log",
    seq,
    origin: "console",
  };
}

/** One reuse per (mapping, reuse event): a multi-frame mapping re-used as one block counts once. */
function dedupeReuses(reuses: StaleReuse[]): StaleReuse[] {
  const seen = new Map<string, StaleReuse>();
  for (const r of reuses) {
    const key = `${r.map.source}|${r.reuse.source}`;
    if (!seen.has(key)) seen.set(key, r);
  }
  return [...seen.values()];
}

function bestMatch(matches: RuleMatch[], evidence: Evidence[], ranked: StaleReuse[] | null): RuleMatch | null {
  let best: RuleMatch | null = null;
  let bestWeight = -1;
  const rank = (m: RuleMatch): number => (ranked ? ranked.findIndex((r) => r.pfn === m.pfn) : 0);
  matches.forEach((m, i) => {
    const w = evidence[i].weight;
    const better = w > bestWeight || (w === bestWeight && best !== null && (ranked ? rank(m) < rank(best) : m.steps[m.steps.length - 1].ts > best.steps[best.steps.length - 1].ts));
    if (better) {
      best = m;
      bestWeight = w;
    }
  });
  return best;
}

