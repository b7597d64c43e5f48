import type { CrashReport } from "../model/crash.js";
import type { Evidence } from "../model/evidence.js";
import { hex } from "../model/hex.js";
import type { MachineFacts } from "../model/machine.js";
import type { HexExcerpt, Region } from "../model/region.js";
import type { SymbolMap } from "../symbols/symbol-map.js";
import { classifyAlignment, framesOf, granuleOf } from "./alignment.js";
import { nameContent } from "./content-namer.js";
import { scanForeign } from "./foreign-content.js";
import { deviationRuns, dominantFill, fillMask, insideFill, PAGE_POISON, RED_ACTIVE, RED_INACTIVE, SLUB_END, SLUB_FREE, SLUB_INUSE, type Fill } from "./known-fills.js";
import { decodeEthernet, findPacket, type Payload } from "./payload-decoder.js";
import type { PhysicalMemory } from "./physical-memory.js";
import { regionEvidence } from "./region-evidence.js";
import { sweepPageStarts } from "./page-start-sweep.js";
import { statedBounds, type StatedBounds } from "./stated-bounds.js";
import { WordClassifier } from "./word-classifier.js";

export interface MemoryFindings {
  region: Region | null;
  frames: bigint[];
  evidence: Evidence[];
  excerpt: HexExcerpt | null;
  missing: string[];
}

export interface FindRegionInput {
  memory: PhysicalMemory;
  crash: CrashReport | null;
  symbols: SymbolMap | null;
  machine: MachineFacts;
  /** Physical addresses a device had mapped for DMA (from the trace), when known. */
  dmaAddresses?: bigint[];
}

/** How a candidate region was found; the evidence differs for each. */
export interface Candidate {
  start: bigint;
  end: bigint;
  method: "fill" | "foreign" | "stated";
  fill: Fill | null;
  /** Fill method: the other deviating runs of the same window (absolute), for "N single-bit errors". */
  runs: { start: bigint; end: bigint }[];
  /** Fill method: the window's bytes and their fill mask, for expected-byte claims. */
  window: { start: bigint; bytes: Uint8Array; mask: Uint8Array } | null;
  payload: Payload | null;
}

/** Text dumps bigger than this are scanned only where the crash report or the trace points. */
const MAX_BLIND_SCAN = 64n * 1024n * 1024n;
/** Context either side of a stated range, to see the fill it breaks. */
const CONTEXT = 64n;

/**
 * Finds the corrupted region from all sources, weighed: bounds the crash report states, bytes
 * that deviate from a known fill (exact to the byte), foreign content inside live kernel memory.
 * Then classifies its alignment, names its content and states the evidence.
 */
export function findCorruptedRegion(input: FindRegionInput): MemoryFindings {
  const { memory, crash, machine } = input;
  const dma = input.dmaAddresses ?? [];
  const stated = statedBounds(crash, machine);
  const words = new WordClassifier(machine, input.symbols);
  const ps = BigInt(machine.pageSize);
  const missing: string[] = [];

  const windows = examinationWindows(stated, dma, ps);
  const blind = windows.length === 0;
  let swept = false;
  if (blind) {
    const b = blindWindows(memory, machine.pageSize);
    windows.push(...b.windows);
    swept = b.swept;
    if (b.note) missing.push(b.note);
  }

  const candidates: Candidate[] = [];
  const uncovered: bigint[] = [];
  for (const w of windows) {
    const pieces = memory.covered(w.start, w.end);
    if (pieces.length === 0) uncovered.push(w.start / ps);
    for (const piece of pieces) {
      const bytes = memory.read(piece.start, Number(piece.end - piece.start));
      if (!bytes) continue;
      const neighbours = () => [piece.start - ps, piece.end].map((a) => memory.read(a, Number(ps))).filter((b): b is Uint8Array => b !== null);
      let found = analyseWindow(piece.start, bytes, stated, words, neighbours);
      // With nothing pointing here, unnamed odd words in live memory are too weak to report.
      if (blind) found = found.filter((c) => c.method !== "foreign" || c.payload !== null || recognisable(bytes, piece.start, c, words, machine));
      candidates.push(...found);
    }
  }
  const statedWrite = stated.corrupted ?? (stated.access?.write ? stated.access : null);
  if (candidates.length === 0 && statedWrite) {
    const b = statedWrite;
    candidates.push({ start: b.start, end: b.end, method: "stated", fill: null, runs: [], window: null, payload: null });
  }

  for (const f of [...new Set(uncovered.map((x) => x.toString()))].map(BigInt).slice(0, 4)) {
    const base = f * ps;
    missing.push(`a dump of frame ${hex(f)} (hexdump -C -s ${hex(base)} -n ${machine.pageSize} /dev/mem, crash 'rd -p -8 ${base.toString(16)} ${machine.pageSize}', or a kdump vmcore)`);
  }
  if (!crash && dma.length === 0 && memory.isEmpty) missing.push("a memory dump of the corrupted page and the console log with the crash report");
  else if (!crash && blind && swept && candidates.length === 0) {
    missing.push("the console log with the crash report, to say where in the vmcore to look (no page of it starts with a packet header)");
  }

  const best = pick(candidates, stated, dma);
  if (!best) return { region: null, frames: [], evidence: [], excerpt: null, missing };

  const regionBytes = memory.read(best.start, Number(best.end - best.start)) ?? null;
  const content = regionBytes ? nameContent(regionBytes, best.start, words, machine.endianness === "little") : null;
  const region: Region = {
    start: best.start,
    end: best.end,
    alignment: classifyAlignment(best.start, best.end, machine.pageSize, machine.cacheLine),
    granule: granuleOf(best.start),
    source: memory.sourceOf(best.start) ?? stated.source ?? "crash report",
    content: content?.description ?? null,
  };
  if (!input.symbols && content && content.kind === "kernel-data") missing.push("the System.map of the crashed kernel, to name the pointers found in memory");
  const evidence = regionEvidence({ region, candidate: best, content, stated, dma, machine, crash });
  return { region, frames: framesOf(region.start, region.end, machine.pageSize), evidence, excerpt: excerptOf(memory, region), missing };
}

/**
 * Where to look when nothing points anywhere: vmcore pages that start with a packet header
 * (the sweep), and every page of dumps small enough to scan whole.
 */
function blindWindows(memory: PhysicalMemory, pageSize: number): { windows: { start: bigint; end: bigint }[]; swept: boolean; note: string | null } {
  const ps = BigInt(pageSize);
  const sweep = sweepPageStarts(memory, pageSize);
  const windows = sweep.pages.map((p) => ({ start: p, end: p + ps }));
  const note = sweep.truncated && sweep.pages.length === 0 ? `the console log with the crash report: only the first ${sweep.scanned} pages of the vmcore were swept for packet headers` : null;
  const ranges = memory.ranges();
  const small = ranges.reduce((n, r) => n + (r.end - r.start), 0n) <= MAX_BLIND_SCAN;
  const textSmall = memory.textBytes() <= MAX_BLIND_SCAN;
  const seen = new Set(windows.map((w) => w.start));
  for (const r of ranges) {
    if (r.kind === "core" ? !small : !textSmall) continue;
    for (let p = (r.start / ps) * ps; p < r.end; p += ps) {
      if (seen.has(p)) continue;
      seen.add(p);
      windows.push({ start: p, end: p + ps });
    }
  }
  return { windows, swept: sweep.scanned > 0, note };
}

function recognisable(bytes: Uint8Array, base: bigint, c: Candidate, words: WordClassifier, machine: MachineFacts): boolean {
  const slice = bytes.subarray(Number(c.start - base), Number(c.end - base));
  const kind = nameContent(slice, c.start, words, machine.endianness === "little").kind;
  return kind === "nvme" || kind === "block-data" || kind === "ascii" || kind === "high-entropy";
}

function examinationWindows(stated: StatedBounds, dma: bigint[], ps: bigint): { start: bigint; end: bigint }[] {
  const out: { start: bigint; end: bigint }[] = [];
  const pageOf = (a: bigint) => ({ start: (a / ps) * ps, end: (a / ps) * ps + ps });
  const clip = (s: bigint, e: bigint, around: bigint) => {
    const p = pageOf(around);
    return { start: s < p.start ? p.start : s, end: e > p.end ? p.end : e };
  };
  const { corrupted, object } = stated;
  if (corrupted) {
    if (object && corrupted.start >= object.start && corrupted.end <= object.end) out.push({ start: object.start, end: object.end });
    else if (object && corrupted.start >= object.end) out.push(clip(object.end, corrupted.end + CONTEXT, corrupted.start));
    else out.push(clip(corrupted.start - CONTEXT, corrupted.end + CONTEXT, corrupted.start));
  }
  if (stated.pfn !== null) out.push({ start: stated.pfn * ps, end: stated.pfn * ps + ps });
  if (stated.access && !corrupted) out.push(pageOf(stated.access.start));
  for (const d of dma) out.push(pageOf(d));
  // One analysis per distinct window.
  const seen = new Set<string>();
  return out.filter((w) => {
    const k = `${w.start}-${w.end}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Fill first (exact to the byte), then foreign content. In a slab page under SLUB debugging the
 * live objects deviate from the free poison too: a run counts as corruption only where it sits
 * in the fill itself (a free object's poison on one side at least, not just red zones), and
 * the live objects are searched for foreign content like any live kernel memory.
 */
function analyseWindow(start: bigint, bytes: Uint8Array, stated: StatedBounds, words: WordClassifier, neighbours: () => Uint8Array[]): Candidate[] {
  const out: Candidate[] = [];
  const dom = dominantFill(bytes);
  let slab = false;
  let zero = false;
  if (dom && dom.share >= (dom.fill.kind === "zero" ? 0.6 : 0.5)) {
    const fill = dom.fill;
    slab = fill.kind === "slub-free" || fill.kind === "slub-inuse";
    const mask = fillMask(bytes, fill);
    // A packet written into a zeroed page may carry long zero stretches: its header says where it ends.
    const all = mergePackets(bytes, deviationRuns(mask));
    const statedHere = (r: { start: number; end: number }) => overlaps({ start: start + BigInt(r.start), end: start + BigInt(r.end) }, stated.corrupted);
    zero = fill.kind === "zero";
    // A zeroed page partly filled with kernel data is just a page in use: there only what the
    // report names, or foreign content (below), counts.
    const runs = all.filter((r) => statedHere(r) || (!zero && insideFill(bytes, r.start, r.end, fill) && !knownPattern(bytes, r)));
    if (!zero || all.length <= 4) {
      const abs = runs.map((r) => ({ start: start + BigInt(r.start), end: start + BigInt(r.end) }));
      for (const r of runs) {
        out.push({ start: start + BigInt(r.start), end: start + BigInt(r.end), method: "fill", fill, runs: abs, window: { start, bytes, mask }, payload: decodeEthernet(bytes, r.start) });
      }
      if (!slab && !zero) return out;
    }
  }
  const scan = scanForeign(bytes, start, words);
  let live = (scan.kernelShare >= 0.5 && scan.pointers >= 2) || zero;
  // A page that is foreign from edge to edge is "inside kernel memory" when its neighbours are.
  if (!live && scan.runs.length === 1 && scan.runs[0].end - scan.runs[0].start >= bytes.length - 8) {
    live = neighbours().some((n) => {
      const s = scanForeign(n, 0n, words);
      return s.kernelShare >= 0.5 && s.pointers >= 2;
    });
  }
  for (const r of scan.runs) {
    if (r.payload === null && !live) continue;
    out.push({ start: start + BigInt(r.start), end: start + BigInt(r.end), method: "foreign", fill: null, runs: [], window: null, payload: r.payload });
  }
  return out;
}

/** A run made of another kernel fill (a free object's poison in a zeroed page, a red zone). */
function knownPattern(bytes: Uint8Array, r: { start: number; end: number }): boolean {
  if (r.end - r.start < 8) return false;
  const counts = new Map<number, number>();
  for (let i = r.start; i < r.end; i++) {
    const b = bytes[i];
    if (b === SLUB_FREE || b === SLUB_END || b === SLUB_INUSE || b === RED_ACTIVE || b === RED_INACTIVE || b === PAGE_POISON) counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  let most = 0;
  for (const [b, n] of counts) most = Math.max(most, b === SLUB_END ? 0 : n + (b === SLUB_FREE ? (counts.get(SLUB_END) ?? 0) : 0));
  return most >= 0.9 * (r.end - r.start);
}

function mergePackets(bytes: Uint8Array, runs: { start: number; end: number }[]): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (const r of runs) {
    const prev = out[out.length - 1];
    if (prev && r.start < prev.end) {
      if (r.end > prev.end) prev.end = r.end;
      continue;
    }
    const p = decodeEthernet(bytes, r.start) ?? findPacket(bytes, r.start, Math.min(r.end, r.start + 2));
    const end = p?.end ? Math.min(bytes.length, Math.max(r.end, p.end)) : r.end;
    out.push({ start: r.start, end });
  }
  return out;
}

function overlaps(a: { start: bigint; end: bigint }, b: { start: bigint; end: bigint } | null): boolean {
  return b !== null && a.start < b.end && b.start < a.end;
}

function pick(candidates: Candidate[], stated: StatedBounds, dma: bigint[]): Candidate | null {
  let best: Candidate | null = null;
  let bestScore = -1;
  for (const c of candidates) {
    let score = 0;
    if (overlaps(c, stated.corrupted)) score += 8;
    if (overlaps(c, stated.access)) score += 4;
    if (c.method === "fill") score += 2;
    if (c.payload) score += 2;
    if (dma.some((d) => d >= c.start && d < c.end)) score += 1;
    // Among equals, the longer region; a tie keeps the lower address.
    const total = score * 1e12 + Number(c.end - c.start);
    if (total > bestScore) [best, bestScore] = [c, total];
  }
  return best;
}

/** Up to 128 bytes from 32 bytes before the region start (16-aligned), as far as they were dumped. */
function excerptOf(memory: PhysicalMemory, region: Region): HexExcerpt | null {
  let base = (region.start / 16n) * 16n - 32n;
  if (base < 0n) base = 0n;
  const pieces = memory.covered(base, base + 160n);
  const piece = pieces.find((p) => p.start <= region.start && p.end > region.start) ?? pieces[0];
  if (!piece) return null;
  // Region at the start of a dump: show 128 bytes from there rather than fewer.
  const from = piece.start > base ? piece.start : base;
  const to = piece.end < from + 128n ? piece.end : from + 128n;
  const bytes = memory.read(from, Number(to - from));
  if (!bytes || bytes.length === 0) return null;
  return { base: from, bytes, region: { start: region.start, end: region.end } };
}
