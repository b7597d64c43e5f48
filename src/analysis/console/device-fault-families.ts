/**
 * Report families that syzbot does not title but casefile must see (formats.md §1), all of them
 * about corrupted memory or a device's bad DMA: DMA-API
 * debug errors, IOMMU faults (Intel DMAR old/new, AMD-Vi IO_PAGE_FAULT, ARM SMMU context
 * fault), page poisoning, SLUB debug reports of any cache and list corruption messages.
 *
 * They rank after the syzbot families: a syzbot-family report that follows within a few lines
 * is the same incident (DMA-API errors end in a WARNING, list corruption in a kernel BUG) and
 * keeps its syzbot title; these lines then only add the device, DMA address or corrupted bytes.
 */
import type { ConsoleLine } from "./console-line.js";

export interface DeviceFaultFamily {
  kind: string;
  bugType: string;
  /** Matches the first line of the report. */
  start: RegExp;
  /** Title from the start line's match. */
  title: (m: RegExpExecArray) => string;
  /** The title names the first frame of the call trace that does not match these. */
  stackSkip?: RegExp;
}

/** Lines this close before a syzbot-family report belong to it. */
export const SAME_INCIDENT_LINES = 30;

export const DEVICE_FAULT_FAMILIES: readonly DeviceFaultFamily[] = [
  {
    kind: "dma-api",
    bugType: "dma-api",
    // Only the errors of kernel/dma/debug.c: "DMA-API: preallocated 65536 debug entries" is boot chatter.
    start: /DMA-API: (?:\S+ \S+: )?((?:device driver |cpu touching |exceeded |mapping sg segment )[^[]*)/,
    title: (m) => `DMA-API: ${m[1].trim().replace(/[.:]$/, "")}`,
  },
  {
    kind: "iommu-fault",
    bugType: "iommu-fault",
    start: /DMAR: \[DMA (Read|Write)[^\]]*\] Request device \[/,
    title: (m) => {
      const reason = /\[fault reason (?:0x)?[0-9a-f]+\] ?(.*)$/.exec(m.input);
      return `IOMMU fault: DMAR DMA ${m[1]}${reason?.[1] ? ` (${reason[1].trim()})` : ""}`;
    },
  },
  {
    kind: "iommu-fault",
    bugType: "iommu-fault",
    start: /AMD-Vi: Event logged \[IO_PAGE_FAULT/,
    title: () => "IOMMU fault: AMD-Vi IO_PAGE_FAULT",
  },
  {
    kind: "iommu-fault",
    bugType: "iommu-fault",
    start: /\S+ \S+: Unhandled context fault: fsr=/,
    title: () => "IOMMU fault: SMMU unhandled context fault",
  },
  {
    kind: "page-poison",
    bugType: "page poison",
    start: /^pagealloc: (memory corruption|single bit error)/,
    title: (m) => `pagealloc: ${m[1]}`,
  },
  {
    kind: "slub-poison",
    bugType: "slub",
    start: /^(?:=+ *)?BUG (\S+) \([^)]*\): (Poison overwritten|(?:Left |Right )?Redzone overwritten|Object already free|Freepointer corrupt|(?:Object )?[Pp]adding overwritten|Invalid object pointer[^\n]*|Wrong object count|Objects remaining[^\n]*|Not a valid slab page)/,
    title: (m) => `BUG: ${m[2].trim()} in ${m[1]}`,
  },
  {
    kind: "list-corruption",
    bugType: "list corruption",
    start: /^(list_(?:add|del)) corruption/,
    title: () => "BUG: corrupted list in {frame}",
    stackSkip: /list_|__list|_valid|dump_stack|report_bug|handle_bug|exc_invalid_op|asm_exc|do_trap|BUG|panic|warn/,
  },
];

export interface DeviceFaultStart {
  family: DeviceFaultFamily;
  index: number;
  match: RegExpExecArray;
}

/** The first device-fault family line in `lines[from, to)`, or null. */
export function findDeviceFault(lines: readonly ConsoleLine[], from: number, to: number): DeviceFaultStart | null {
  for (let i = from; i < to; i++) {
    const t = lines[i].text;
    // Cheap guard before the patterns: each family line carries one of these words.
    if (!t.includes("DMA") && !t.includes("AMD-Vi") && !t.includes("context fault") && !t.includes("pagealloc") &&
      !t.includes("BUG ") && !t.includes("corruption")) continue;
    for (const family of DEVICE_FAULT_FAMILIES) {
      const m = family.start.exec(t);
      if (m) return { family, index: i, match: m };
    }
  }
  return null;
}
