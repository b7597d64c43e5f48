import type { CrashReport } from "../model/crash.js";
import type { Evidence } from "../model/evidence.js";
import type { VerdictKind } from "../model/verdict-kind.js";

/**
 * What the kernel's own crash report says about the cause, as evidence. The report is one
 * observation (facet `crash-report`); memory and trace evidence can confirm or overturn it: a
 * KASAN use-after-free on a page a device still had mapped is stale DMA.
 */
interface CrashHint {
  test: (c: CrashReport) => boolean;
  verdict: VerdictKind;
  weight: number;
  claim: (c: CrashReport) => string;
}

const bug = (c: CrashReport) => (c.bugType ?? "").toLowerCase();
const at = (c: CrashReport) => (c.frame ? ` in ${c.frame}` : "");

const HINTS: CrashHint[] = [
  {
    test: (c) => (c.kind === "kasan" || c.kind === "kfence") && /double-free|invalid-free/.test(bug(c)),
    verdict: "double-free",
    weight: 0.8,
    claim: (c) => `${c.kind.toUpperCase()} reports a ${bug(c)}${at(c)}`,
  },
  {
    test: (c) => (c.kind === "kasan" || c.kind === "kfence") && /use-after-free/.test(bug(c)),
    verdict: "use-after-free",
    weight: 0.75,
    claim: (c) => `${c.kind.toUpperCase()} reports a use-after-free ${c.access ?? "access"}${at(c)}`,
  },
  {
    test: (c) => (c.kind === "kasan" || c.kind === "kfence") && /out-of-bounds/.test(bug(c)),
    verdict: "out-of-bounds",
    weight: 0.75,
    claim: (c) => `${c.kind.toUpperCase()} reports a ${bug(c)} ${c.access ?? "access"}${at(c)}`,
  },
  {
    test: (c) => c.kind === "page-poison" && /single bit/.test(`${bug(c)} ${c.title}`.toLowerCase()),
    verdict: "bit-flip",
    weight: 0.6,
    claim: (c) => `page poisoning found a single-bit error in a free page${c.pfn !== null ? ` (frame 0x${c.pfn.toString(16)})` : ""}`,
  },
  {
    // A free page's poison overwritten: something wrote through a stale reference to the page.
    // A device can do that too, so this stays modest and trace or payload evidence overrules it.
    test: (c) => c.kind === "page-poison" && !/single bit/.test(`${bug(c)} ${c.title}`.toLowerCase()),
    verdict: "use-after-free",
    weight: 0.35,
    claim: (c) => `page poisoning found a free page${c.pfn !== null ? ` (frame 0x${c.pfn.toString(16)})` : ""} written after it was freed`,
  },
  {
    test: (c) => c.kind === "slub-poison" && /already free|double/.test(`${bug(c)} ${c.title}`.toLowerCase()),
    verdict: "double-free",
    weight: 0.7,
    claim: () => "SLUB debug found an object freed twice",
  },
  {
    test: (c) => c.kind === "slub-poison" && !/already free|double|redzone/.test(`${bug(c)} ${c.title}`.toLowerCase()),
    verdict: "use-after-free",
    weight: 0.45,
    claim: (c) => `SLUB debug found the poison of a freed object overwritten${c.corrupted ? ` at 0x${c.corrupted.start.toString(16)}` : ""}`,
  },
  {
    test: (c) => c.kind === "slub-poison" && /redzone/.test(`${bug(c)} ${c.title}`.toLowerCase()),
    verdict: "out-of-bounds",
    weight: 0.55,
    claim: () => "SLUB debug found an object's red zone overwritten",
  },
  {
    test: (c) => c.kind === "iommu-fault",
    verdict: "dma-fault",
    weight: 0.8,
    claim: (c) => `the IOMMU caught device ${c.device ?? "(unnamed)"} accessing ${c.dmaAddress !== null ? `0x${c.dmaAddress.toString(16)}` : "an address"} it had no mapping for`,
  },
  {
    // DMA-API debug reports arrive as their own family or inside a WARNING in check_unmap/check_sync.
    test: (c) => c.kind === "dma-api" || bug(c) === "dma-api",
    verdict: "dma-fault",
    weight: 0.7,
    claim: (c) => `the DMA API debug code caught a driver misusing DMA on ${c.device ?? "a device"}${c.dmaAddress !== null ? ` at 0x${c.dmaAddress.toString(16)}` : ""}`,
  },
];

export function crashEvidence(crash: CrashReport | null): Evidence[] {
  if (!crash) return [];
  return HINTS.filter((h) => h.test(crash)).map((h) => ({
    claim: h.claim(crash),
    weight: h.weight,
    source: crash.source,
    verdict: h.verdict,
    facet: "crash-report" as const,
  }));
}
