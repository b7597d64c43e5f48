import type { CrashReport } from "../model/crash.js";
import type { Evidence } from "../model/evidence.js";
import { hex } from "../model/hex.js";
import type { MachineFacts } from "../model/machine.js";
import type { Region } from "../model/region.js";
import { sizeText } from "./alignment.js";
import type { NamedContent } from "./content-namer.js";
import { expectedByte, popcount8, RED_ACTIVE, RED_INACTIVE, SLUB_END, SLUB_FREE } from "./known-fills.js";
import type { Candidate } from "./region-finder.js";
import type { StatedBounds } from "./stated-bounds.js";

/**
 * Turns a located region into evidence (verdict.md): single-bit deviations from a fill are a
 * bit flip; a few bytes at a field offset of a freed object are a use-after-free; corruption
 * right past an object's end is an out-of-bounds write; page-aligned foreign payload is stale
 * DMA; whole cache lines of plausible kernel data without a DMA mapping are cache-line
 * corruption; an unaligned CPU-store-looking region is software corruption. Each claim says
 * where it was seen.
 */
export interface EvidenceInput {
  region: Region;
  candidate: Candidate;
  content: NamedContent | null;
  stated: StatedBounds;
  dma: bigint[];
  machine: MachineFacts;
  crash: CrashReport | null;
}

/** How far past an object's end an access still counts as overrunning it (KASAN reports "N bytes to the right"). */
const RED_ZONE_REACH = 64n;
const LIST_POISONS = new Set([0xdead000000000100n, 0xdead000000000122n, 0x5deadbeef0000100n, 0x5deadbeef0000122n, 0x100n, 0x122n]);
/** Small writes: a field or two, what a stale pointer's store leaves behind. */
const FIELD_BYTES = 16n;

export function regionEvidence(input: EvidenceInput): Evidence[] {
  const { region, candidate: c, content, stated, dma, machine } = input;
  const out: Evidence[] = [];
  const src = region.source;
  const len = region.end - region.start;
  const where = `${hex(region.start)}-${hex(region.end)}`;
  const ps = BigInt(machine.pageSize);
  const pageText = sizeText(machine.pageSize);
  const dmaInPage = dma.filter((d) => d / ps === region.start / ps);
  const foreign = content?.foreign ?? false;

  // A list_debug report: what the list pointer holds instead of its neighbour's address.
  const list = stated.listPointer;
  if (list && list.at >= region.start && list.at < region.end) {
    if (LIST_POISONS.has(list.actual)) {
      out.push({ claim: `the list entry's ${list.field.split("->")[1]} pointer at ${hex(list.at)} holds list poison ${hex(list.actual)}: the entry was used after list_del`, weight: 0.5, source: stated.source, verdict: "use-after-free", facet: "crash-report" });
    } else if (c.method === "stated") {
      const expected = list.expected !== null ? ` where ${hex(list.expected)} was expected` : "";
      out.push({ claim: `${list.field} at ${hex(list.at)} holds ${hex(list.actual)}${expected}`, weight: 0.15, source: stated.source, verdict: "software-corruption", facet: "crash-report" });
      return out;
    }
  }

  // DMA address match: the strongest tie between a region and a device.
  if (dma.includes(region.start)) {
    out.push({ claim: `corruption starts exactly at the mapped DMA address ${hex(region.start)}`, weight: 0.6, source: src, verdict: "stale-dma", facet: "address-match" });
  } else if (dmaInPage.length > 0) {
    out.push({ claim: `frame ${hex(region.start / ps)} holding the corruption was mapped for DMA (${hex(dmaInPage[0])})`, weight: 0.3, source: src, verdict: "stale-dma", facet: "address-match" });
  }

  // Bit flips: every deviation from the fill is one byte off by one bit.
  if (c.method === "fill" && c.window && c.fill) {
    const w = c.window;
    const flips = c.runs.filter((r) => {
      if (r.end - r.start !== 1n) return false;
      const i = Number(r.start - w.start);
      return popcount8(w.bytes[i] ^ expectedByte(w.bytes, w.mask, i, c.fill as NonNullable<typeof c.fill>)) === 1;
    });
    if (flips.length > 0 && flips.length === c.runs.length) {
      const i = Number(region.start - w.start);
      const expected = expectedByte(w.bytes, w.mask, i, c.fill);
      const bit = Math.log2(w.bytes[i] ^ expected);
      const more = flips.length > 1 ? ` (${flips.length} such single-bit errors in the dumped range)` : "";
      out.push({
        claim: `the byte at ${hex(region.start)} is 0x${hex2(w.bytes[i])} where ${expected === c.fill.value ? c.fill.name : `red zone 0x${hex2(expected)}`} was expected: exactly one bit (bit ${bit}) differs${more}`,
        weight: 0.85,
        source: src,
        verdict: "bit-flip",
        facet: "fill",
      });
      alignmentClaim(out, region, pageText, "bit-flip", 0.1, src);
      return out;
    }
  }

  const fillName = c.fill?.name ?? null;
  const obj = stated.object;
  const inObject = obj !== null && region.start >= obj.start && region.end <= obj.end;
  const objText = obj ? `${obj.end - obj.start}-byte ${obj.cache ?? "slab"} object at ${hex(obj.start)}` : "";

  // Corruption right past an object's end: the object's red zone or its neighbour.
  const pastEnd =
    (obj !== null && region.start >= obj.end && region.start - obj.end < RED_ZONE_REACH) ||
    (c.method === "fill" && c.window !== null && startsRedZone(c, region.start));
  if (pastEnd) {
    const at = obj ? ` of the ${objText}` : "";
    out.push({
      claim: `${len} bytes right past the end${at} are overwritten (${where}${fillName ? `, red zone broken` : ""})`,
      weight: 0.6,
      source: src,
      verdict: "out-of-bounds",
      facet: c.method === "fill" ? "fill" : "crash-report",
    });
    return out;
  }

  // Foreign payload: what a device writes, never a kernel structure.
  if (foreign && content) {
    const strong = content.kind === "packet" ? 0.6 : content.kind === "nvme" || content.kind === "block-data" ? 0.5 : content.kind === "high-entropy" ? 0.35 : 0.25;
    const cpuText = content.kind === "ascii" && region.alignment !== "page";
    if (cpuText) {
      out.push({ claim: `the ${len} corrupted bytes at ${where} are ${content.description}, as string copies by the CPU leave them`, weight: 0.35, source: src, verdict: "software-corruption", facet: "content" });
    } else {
      out.push({
        claim: `the corrupted bytes at ${where} are ${phrase(content.description)}: a device wrote them, no kernel structure holds ${content.kind === "packet" ? "packet headers" : "this"}`,
        weight: strong,
        source: src,
        verdict: "stale-dma",
        facet: "content",
      });
    }
    if (region.alignment === "page") {
      out.push({ claim: `the foreign payload starts on a ${pageText} page boundary (${hex(region.start)}), where DMA buffers start`, weight: 0.5, source: src, verdict: "stale-dma", facet: "alignment" });
    } else if (region.alignment === "unaligned") {
      out.push({ claim: `the corruption starts at an unaligned address (${hex(region.start)}, granule ${region.granule} B)`, weight: 0.3, source: src, verdict: "software-corruption", facet: "alignment" });
    } else {
      out.push({ claim: `the foreign payload starts on a ${sizeText(Math.min(region.granule, machine.pageSize))} boundary inside a page (${hex(region.start)})`, weight: 0.2, source: src, verdict: "stale-dma", facet: "alignment" });
    }
    return out;
  }

  // A few bytes at a field offset of a freed, poisoned object: a store through a stale pointer.
  if (c.fill?.kind === "slub-free" && len <= FIELD_BYTES && inFreeObject(c, region)) {
    const off = obj && inObject ? ` at offset ${hex(region.start - obj.start)} of the freed ${objText}` : ` inside a freed slab object`;
    const w = c.window as NonNullable<typeof c.window>;
    const first = w.bytes[Number(region.start - w.start)];
    out.push({
      claim: `${len} bytes${off} were written after the free (first byte 0x${hex2(first)} instead of 0x6b)`,
      weight: 0.65,
      source: src,
      verdict: "use-after-free",
      facet: "fill",
    });
    if (region.start % 8n === 0n) out.push({ claim: `the write is a whole ${len <= 8n ? "word" : "field"} at an 8-byte aligned offset, as a CPU store through a stale pointer leaves it`, weight: 0.3, source: src, verdict: "use-after-free", facet: "alignment" });
    return out;
  }

  // Whole cache lines of plausible kernel data where something else was expected.
  const line = BigInt(machine.cacheLine);
  const wholeLines = region.start % line === 0n && len % line === 0n && len > 0n;
  if (wholeLines && content?.kind === "kernel-data") {
    const lines = len / line;
    const expected = fillName ? ` where ${fillName} was expected` : "";
    out.push({
      claim: `${lines} whole ${machine.cacheLine}-byte cache line(s) at ${where} hold plausible but wrong kernel data${expected}: ${content.description.replace(/^kernel data: /, "")}`,
      weight: dmaInPage.length > 0 ? 0.3 : 0.55,
      source: src,
      verdict: "cache-line-corruption",
      facet: "content",
    });
    out.push({ claim: `the region starts on a cache-line boundary and spans ${lines} whole line(s) (${len} bytes)`, weight: 0.45, source: src, verdict: "cache-line-corruption", facet: "alignment" });
    if (dmaInPage.length > 0) {
      out.push({ claim: `a DMA mapping covered this frame, so a device could have written these lines`, weight: 0.3, source: src, verdict: "cache-line-corruption", facet: "address-match", counter: true });
    }
    return out;
  }

  // A freed page written afterwards by a field-sized store.
  if (c.fill?.kind === "page-poison" && len <= FIELD_BYTES && region.start % 8n === 0n) {
    out.push({ claim: `${len} bytes at ${hex(region.start)} of a freed, poisoned page were written after the free`, weight: 0.45, source: src, verdict: "use-after-free", facet: "fill" });
    return out;
  }

  const what = content ? ` (${content.description})` : "";
  if (c.method === "stated") {
    statedClaims(out, input, objText, pageText);
  } else if (region.alignment === "unaligned") {
    out.push({ claim: `${len} bytes at the unaligned address ${hex(region.start)} differ${fillName ? ` from ${fillName}` : ""}${what}, as CPU stores leave them`, weight: 0.4, source: src, verdict: "software-corruption", facet: "alignment" });
  } else {
    out.push({ claim: `${len} bytes at ${where} differ${fillName ? ` from ${fillName}` : ""}${what}; no DMA or free history explains them here`, weight: 0.2, source: src, verdict: "software-corruption", facet: "content" });
  }
  return out;
}

/** Only the report's bounds, no bytes: what the report's bug type says about where the write went. */
function statedClaims(out: Evidence[], input: EvidenceInput, objText: string, pageText: string): void {
  const { region, stated } = input;
  const obj = stated.object;
  const bug = input.crash?.bugType ?? "";
  const len = region.end - region.start;
  const src = region.source;
  if (/use-after-free/.test(bug)) {
    const where = obj && region.start >= obj.start && region.start < obj.end ? ` at offset ${hex(region.start - obj.start)} inside the freed ${objText}` : "";
    out.push({ claim: `the bad ${len}-byte write at ${hex(region.start)} lies${where || " in freed memory"}`, weight: 0.5, source: src, verdict: "use-after-free", facet: "crash-report" });
  } else if (/out-of-bounds/.test(bug)) {
    const rel = !obj ? "" : region.start >= obj.end ? ` ${region.start - obj.end} bytes past the end of the ${objText}` : region.start < obj.start ? ` ${obj.start - region.start} bytes before the ${objText}` : ` in the ${objText}, past the size that was allocated`;
    out.push({ claim: `the bad ${len}-byte write at ${hex(region.start)} lies${rel || " outside its object"}`, weight: 0.5, source: src, verdict: "out-of-bounds", facet: "crash-report" });
  } else {
    // The alignment is all there is, and it says little.
    const byAlignment = region.alignment === "page" ? "stale-dma" : region.alignment === "cache-line" ? "cache-line-corruption" : "software-corruption";
    alignmentClaim(out, region, pageText, byAlignment, 0.15, src);
  }
}

/** Free-object poison (0x6b, or the 0xa5 end marker) right next to the region. */
function inFreeObject(c: Candidate, region: Region): boolean {
  const w = c.window;
  if (!w) return false;
  const i = Number(region.start - w.start);
  const j = Number(region.end - w.start);
  const before = i > 0 ? w.bytes[i - 1] : -1;
  const after = j < w.bytes.length ? w.bytes[j] : -1;
  return before === SLUB_FREE || after === SLUB_FREE || after === SLUB_END;
}

function startsRedZone(c: Candidate, start: bigint): boolean {
  const w = c.window;
  if (!w || !c.fill || (c.fill.kind !== "slub-free" && c.fill.kind !== "slub-inuse")) return false;
  const i = Number(start - w.start);
  const exp = expectedByte(w.bytes, w.mask, i, c.fill);
  if (exp !== RED_ACTIVE && exp !== RED_INACTIVE) return false;
  // The byte before is the object's (not red zone): the run starts exactly where the red zone does.
  return i > 0 && w.bytes[i - 1] !== exp;
}

function alignmentClaim(out: Evidence[], region: Region, pageText: string, verdict: Evidence["verdict"], weight: number, src: string): void {
  const text =
    region.alignment === "page" ? `starts on a ${pageText} page boundary` : region.alignment === "cache-line" ? "starts on a cache-line boundary and spans whole lines" : region.alignment === "word" ? "is 8-byte aligned" : "starts at an unaligned address";
  out.push({ claim: `the corrupted region ${hex(region.start)}-${hex(region.end)} ${text} (granule ${region.granule} B)`, weight, source: src, verdict, facet: "alignment" });
}

/** "RoCEv2 packet: Ethernet, ..." as a phrase inside a sentence: "a RoCEv2 packet (Ethernet, ...)". */
function phrase(description: string): string {
  const m = /^([^:("]+): (.+)$/.exec(description);
  if (!m) return description;
  const article = /packet$/.test(m[1]) ? (/^[aeiouAEIOU]/.test(m[1]) ? "an " : "a ") : "";
  return `${article}${m[1]} (${m[2]})`;
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, "0");
}
