/**
 * The fields of a crash report beyond its title: faulting address and access, task, CPU,
 * modules, call stack and source files, the object and corrupted bytes that KASAN, KFENCE,
 * SLUB and page poisoning state, the page frame, and the device of DMA-API and IOMMU faults.
 * Every pattern is applied to single lines (already cut to MAX_LINE) and has no nested
 * quantifiers.
 */
import type { CrashReport } from "../model/crash.js";
import type { Arch } from "../model/machine.js";
import type { ConsoleLine } from "./console-line.js";
import { ARM_FRAME_LINE, CALL_TRACE, FRAME_LINE, STACK_START, SYMBOLISED_FRAME } from "./frame-patterns.js";
import { normaliseBdf } from "./device-lines.js";

/** A CrashReport's fields that its lines state (the address still a number); the title, kind and frame come from the finder. */
export type CrashDetails = Omit<CrashReport, "title" | "kind" | "frame" | "address" | "source" | "text" | "ts"> & { address: bigint | null };

const MAX_DETAIL_LINES = 2000;

const hex = (s: string): bigint => BigInt("0x" + s.replace(/^0x/i, ""));

const KASAN_ACCESS = /(Read|Write) of size ([0-9]+) at addr ([0-9a-f]+) by task (\S+)\/([0-9]+)/;
const KASAN_TAG_ACCESS = /(Read|Write) at addr ([0-9a-f]+) by task (\S+)\/([0-9]+)/;
const KASAN_RANGE = /null-ptr-deref in range \[0x([0-9a-f]+)-0x[0-9a-f]+\]|probably for non-canonical address 0x([0-9a-f]+)/;
const KFENCE_ACCESS = /^(?:Use-after-free|Out-of-bounds|Invalid) (read|write) at 0x([0-9a-f]+)/;
const X86_PF_ADDR = /(?:unable to handle (?:page fault for address: |kernel paging request at |kernel NULL pointer dereference at )|kernel NULL pointer dereference, address: )([0-9a-f]+)/;
const X86_PF_ACCESS = /#PF: (?:supervisor|user) (read|write|instruction fetch) access/;
const PPC_FAULT = /(?:Unable to handle kernel data access|Kernel NULL pointer dereference) on (read|write) at 0x([0-9a-f]+)/;
const ARM_FAULT = /Unable to handle kernel (?:paging request|NULL pointer dereference|access to user memory) at virtual address ([0-9a-f]+)/;
const ARM_WNR = /WnR = ([01])/;
const CPU_LINE = /^CPU: ([0-9]+) (?:UID: [0-9]+ )?PID: ([0-9]+) Comm: (\S+) (?:Not tainted +|Tainted: [A-Z ]*)([^\s#]\S*)/;
const CPU_LINE_SHORT = /^CPU: ([0-9]+) (?:UID: [0-9]+ )?PID: ([0-9]+) Comm: (\S+)/;
/** lockdep reports open with "4.18.0-rc4+ #51 Not tainted". */
const LOCKDEP_RELEASE = /^([0-9][^\s#]*) #[0-9]+ (?:Not tainted|Tainted:)/;
const MODULES = /^Modules linked in:(.*)$/;
const KASAN_OBJECT = /The buggy address belongs to the object at ([0-9a-f]+)/;
const KASAN_CACHE = /which belongs to the cache (\S+) of size ([0-9]+)/;
const KASAN_REGION = /(?:allocated|freed) ([0-9]+)-byte region \[([0-9a-f]+), [0-9a-f]+\)/;
const KFENCE_OBJECT_NEW = /^kfence-#[0-9]+: 0x([0-9a-f]+)-0x([0-9a-f]+), size=([0-9]+), cache=(\S+)/;
const KFENCE_OBJECT_OLD = /^kfence-#[0-9]+ \[0x([0-9a-f]+)-0x([0-9a-f]+), size=([0-9]+), cache=([^\]\s]+)\]/;
const SLUB_RANGE = /^(?:INFO: )?0x([0-9a-f]+)-0x([0-9a-f]+)(?: @offset=([0-9]+))?\. First byte 0x([0-9a-f]+) instead of 0x([0-9a-f]+)/;
const SLUB_OBJECT = /^(?:INFO: )?Object 0x([0-9a-f]+) @offset=([0-9]+)/;
const SLUB_SLAB = /^(?:INFO: )?Slab 0x[0-9a-f]+ objects=[0-9]+ used=[0-9]+ fp=0x[0-9a-f]+ flags=/;
const SLUB_HEADER = /^BUG ([^\s]+) \([^)]*\): (.*)$/;
const PAGE_PFN = /pfn:(?:0x)?([0-9a-f]+)/;
const PAGE_POISON = /^pagealloc: (memory corruption|single bit error)/;
const HEX_DUMP = /^([0-9a-f]{8,16}): ((?:[0-9a-f]{2} ){0,31}[0-9a-f]{2})/;
const DMA_API = /^(?:DMA-API: )?(\S+) (\S+): DMA-API: |^DMA-API: (\S+) (\S+): /;
const DMA_API_ADDR = /\[device address=0x([0-9a-f]+)\]/;
const DMAR_FAULT = /DMAR: \[DMA (Read|Write)[^\]]*\] Request device \[([0-9a-f]{2}:[0-9a-f]{2}\.[0-7])\] (?:PASID [0-9a-f]+ )?fault addr (?:0x)?([0-9a-f]+)/;
const AMD_FAULT = /(?:(\S+) (\S+): )?AMD-Vi: Event logged \[IO_PAGE_FAULT (?:device=([0-9a-f:.]+) )?domain=0x[0-9a-f]+ address=0x([0-9a-f]+)/;
const SMMU_FAULT = /(\S+) (\S+): Unhandled context fault: fsr=0x[0-9a-f]+, iova=0x([0-9a-f]+)/;

function toArchFromRegisters(text: string): Arch | null {
  if (text.startsWith("RIP: ") || text.startsWith("RSP: ")) return "x86_64";
  if (text.startsWith("NIP:") || text.startsWith("NIP ") || text.startsWith("MSR:")) return "ppc64le";
  if (text.startsWith("pc : ") || text.startsWith("lr : ")) return "arm64";
  return null;
}

/** Function name of a stack line, or null when the line is not a frame. */
export function frameName(text: string): { name: string; file: string | null } | null {
  const sym = SYMBOLISED_FRAME.exec(text);
  if (sym) return { name: sym[1].replace(/\..*$/, ""), file: sym[2] };
  const arm = ARM_FRAME_LINE.exec(text);
  if (arm) return { name: arm[1], file: null };
  // Only lines with an offset are frames ("4.18.0-rc4+ #51" is not).
  if (!OFFSET.test(text)) return null;
  const m = FRAME_LINE.exec(text);
  if (m) return { name: m[1], file: null };
  return null;
}

const FRAME_LIKE = /^ *(?:\[<?[0-9a-f]+>?\] ){0,2}[A-Za-z0-9_.]+\+0x[0-9a-f]+\/0x/;
const REGISTERS_LIKE = /^[A-Z][A-Z0-9]{1,3}: ?[0-9a-f]{4}/;
const OFFSET = /\+0x[0-9a-f]+\/0x[0-9a-f]+/;
const STACK_MARKERS = /^\s*(?:<\/?(?:IRQ|TASK|NMI|EOI|SOFTIRQ)>|--- interrupt|Exception stack|\s*$)/;

/** Frames of the first stack of the report: after "Call Trace:", or right after the header for KFENCE/KMSAN/KCSAN. */
function readStack(texts: readonly string[]): { stack: string[]; files: string[] } {
  let i = texts.findIndex((t) => CALL_TRACE.test(t));
  if (i === -1) i = 0;
  const stack: string[] = [];
  const files: string[] = [];
  let seen = false;
  for (let k = i + 1; k < texts.length && stack.length < 256; k++) {
    const t = texts[k];
    if (STACK_START.some((re) => re.test(t))) break;
    const f = frameName(t);
    if (f) {
      seen = true;
      stack.push(f.name);
      if (f.file && !files.includes(f.file)) files.push(f.file);
      continue;
    }
    if (STACK_MARKERS.test(t)) continue;
    if (seen) break;
    // Before the first frame, tolerate a few lines (e.g. a KFENCE access line after the header).
    if (k - i > 8) break;
  }
  return { stack, files };
}

/** Read everything the report's lines state (see CrashDetails). */
export function extractCrashDetails(lines: readonly ConsoleLine[], prefix: readonly ConsoleLine[]): CrashDetails {
  const d: CrashDetails = {
    address: null, access: null, size: null, task: null, pid: null, cpu: null, modules: [], stack: [], files: [],
    arch: null, kernel: null, bugType: null, object: null, corrupted: null, pfn: null, device: null, dmaAddress: null,
  };
  // A report is at most this long (the finder stops there too).
  const texts = lines.slice(0, MAX_DETAIL_LINES).map((l) => l.text);
  let objectStart: bigint | null = null;
  let poisonDump: { start: bigint; bytes: number[] } | null = null;
  let inPoisonDump = false;
  let slubCache: string | null = null;
  const all = [...prefix.map((l) => l.text), ...texts];
  for (const t of all) {
    let m: RegExpExecArray | null;
    d.arch ??= toArchFromRegisters(t);
    // Most report lines are frames or register dumps, which state none of the fields below.
    if (FRAME_LIKE.test(t) || REGISTERS_LIKE.test(t)) {
      if (inPoisonDump && poisonDump) inPoisonDump = false;
      continue;
    }
    if (d.address === null && (m = KASAN_ACCESS.exec(t))) {
      d.access = m[1] === "Read" ? "read" : "write";
      d.size = Number(m[2]);
      d.address = hex(m[3]);
      d.task ??= m[4];
      d.pid ??= Number(m[5]);
    } else if (d.address === null && (m = KASAN_TAG_ACCESS.exec(t))) {
      d.access = m[1] === "Read" ? "read" : "write";
      d.address = hex(m[2]);
      d.task ??= m[3];
      d.pid ??= Number(m[4]);
    } else if (d.address === null && (m = KFENCE_ACCESS.exec(t))) {
      d.access = m[1] === "read" ? "read" : "write";
      d.address = hex(m[2]);
    } else if (d.address === null && (m = X86_PF_ADDR.exec(t))) {
      d.address = hex(m[1]);
    } else if (d.address === null && (m = PPC_FAULT.exec(t))) {
      d.access = m[1] === "read" ? "read" : "write";
      d.address = hex(m[2]);
    } else if (d.address === null && (m = ARM_FAULT.exec(t))) {
      d.address = hex(m[1]);
    } else if (d.address === null && (m = KASAN_RANGE.exec(t))) {
      d.address = hex(m[1] ?? m[2]);
    }
    if (d.access === null && (m = X86_PF_ACCESS.exec(t))) {
      d.access = m[1] === "read" ? "read" : m[1] === "write" ? "write" : null;
    }
    if (d.access === null && (m = ARM_WNR.exec(t))) d.access = m[1] === "1" ? "write" : "read";
    if (d.cpu === null && (m = CPU_LINE.exec(t) ?? CPU_LINE_SHORT.exec(t))) {
      d.cpu = Number(m[1]);
      d.pid ??= Number(m[2]);
      d.task ??= m[3];
      if (m[4]) d.kernel = m[4];
    }
    if (d.kernel === null && (m = LOCKDEP_RELEASE.exec(t))) d.kernel = m[1];
    if (d.modules.length === 0 && (m = MODULES.exec(t))) {
      d.modules = m[1].trim().split(/\s+/).filter(Boolean).map((s) => s.replace(/\(.*$/, "")).filter((s) => /^[A-Za-z0-9_-]+$/.test(s));
    }
    if (objectStart === null && (m = KASAN_OBJECT.exec(t))) objectStart = hex(m[1]);
    if (d.object === null && objectStart !== null && (m = KASAN_CACHE.exec(t))) {
      d.object = { start: objectStart, size: Number(m[2]), cache: m[1] };
    }
    if (d.object === null && (m = KASAN_REGION.exec(t))) d.object = { start: hex(m[2]), size: Number(m[1]), cache: null };
    if (d.object === null && (m = KFENCE_OBJECT_NEW.exec(t) ?? KFENCE_OBJECT_OLD.exec(t))) {
      d.object = { start: hex(m[1]), size: Number(m[3]), cache: m[4] };
    }
    if (d.corrupted === null && (m = SLUB_RANGE.exec(t))) {
      d.corrupted = { start: hex(m[1]), end: hex(m[2]) + 1n, firstByte: parseInt(m[4], 16), expected: parseInt(m[5], 16) };
    }
    if (d.object === null && (m = SLUB_OBJECT.exec(t))) d.object = { start: hex(m[1]), size: 0, cache: null };
    if ((m = SLUB_HEADER.exec(t)) && !SLUB_SLAB.test(t)) {
      d.bugType ??= m[2].trim().toLowerCase();
      slubCache ??= m[1];
    }
    if (d.pfn === null && /pfn:/.test(t) && (m = PAGE_PFN.exec(t))) d.pfn = hex(m[1]);
    if (PAGE_POISON.test(t)) {
      inPoisonDump = true;
      d.bugType ??= "page poison";
      continue;
    }
    if (inPoisonDump) {
      m = HEX_DUMP.exec(t);
      if (m) {
        const bytes = m[2].split(" ").map((b) => parseInt(b, 16));
        if (!poisonDump) poisonDump = { start: hex(m[1]), bytes };
        else poisonDump.bytes.push(...bytes);
      } else if (poisonDump) inPoisonDump = false;
    }
    if (d.device === null && (m = DMA_API.exec(t))) {
      d.device = normaliseBdf(m[2] ?? m[4]);
      const a = DMA_API_ADDR.exec(t);
      if (a) d.dmaAddress = hex(a[1]);
      d.bugType ??= "dma-api";
    } else if (d.device === null && (m = DMAR_FAULT.exec(t))) {
      d.device = normaliseBdf(m[2]);
      d.dmaAddress = hex(m[3]);
      d.access ??= m[1] === "Read" ? "read" : "write";
      d.bugType ??= "iommu-fault";
    } else if (d.device === null && (m = AMD_FAULT.exec(t))) {
      d.device = normaliseBdf(m[2] ?? m[3] ?? "");
      d.dmaAddress = hex(m[4]);
      d.bugType ??= "iommu-fault";
    } else if (d.device === null && (m = SMMU_FAULT.exec(t))) {
      d.device = m[2];
      d.dmaAddress = hex(m[3]);
      d.bugType ??= "iommu-fault";
    }
  }
  if (poisonDump && poisonDump.bytes.length > 0) {
    d.corrupted = {
      start: poisonDump.start,
      end: poisonDump.start + BigInt(poisonDump.bytes.length),
      firstByte: poisonDump.bytes[0],
      expected: 0xaa,
    };
  }
  if (d.object && d.object.cache === null && slubCache) {
    d.object.cache = slubCache;
    // kmalloc caches name their object size.
    const size = /^kmalloc-(?:[a-z]+-)?([0-9]+)$/.exec(slubCache);
    if (d.object.size === 0 && size) d.object.size = Number(size[1]);
  }
  const { stack, files } = readStack(texts);
  d.stack = stack;
  d.files = files;
  return d;
}
