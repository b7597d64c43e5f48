import type { ArtifactKind } from "../model/artifact.js";
import { ARCH_DEFAULTS, type Arch } from "../model/machine.js";
import type { VerdictKind } from "../model/verdict-kind.js";

/**
 * What to attach next, and the exact command that captures it, for a verdict on an arch
 * (issue 10; the commands match scripts/casefile-collect and docs/collecting.md). Empty when
 * the bundle already holds what the verdict needs.
 */

export interface CaptureAdviceInput {
  verdict: VerdictKind;
  arch: Arch;
  have: Set<ArtifactKind>;
  /** Page frame numbers of the suspect frames, `0x`-hex. */
  frames: string[];
  /** Bytes per page when known (else the arch default); used to turn frames into addresses. */
  pageSize?: number;
}

type Need = "console" | "trace" | "memory" | "symbols" | "devices";

const SATISFIED_BY: Record<Need, ArtifactKind[]> = {
  console: ["console-log"],
  trace: ["ftrace", "trace-cmd", "jsonl-events"],
  memory: ["hexdump", "xxd", "crash-rd", "elf-vmcore"],
  symbols: ["symbol-map"],
  devices: ["lspci"],
};

/** What each verdict needs to be confirmed, most useful first. */
const NEEDS: Record<VerdictKind, Need[]> = {
  "stale-dma": ["trace", "memory", "devices", "symbols"],
  "dma-fault": ["trace", "devices"],
  "cache-line-corruption": ["memory", "trace", "symbols"],
  "bit-flip": ["memory"],
  "use-after-free": ["console"],
  "out-of-bounds": ["console"],
  "double-free": ["console"],
  "software-corruption": ["memory", "trace", "symbols"],
  inconclusive: ["console", "trace", "memory", "symbols", "devices"],
};

const COLLECT = "sudo scripts/casefile-collect";
const MAX_FRAMES = 4;

function pageFaultEvents(arch: Arch): string[] {
  if (arch === "x86_64") return ["exceptions:page_fault_kernel", "exceptions:page_fault_user"];
  if (arch === "ppc64le" || arch === "ppc64") return ["powerpc:hash_fault"];
  return []; // arm64 has no page-fault tracepoint
}

function tracepoints(verdict: VerdictKind, arch: Arch): string {
  const events =
    verdict === "dma-fault"
      ? ["dma:*", "iommu:*"]
      : ["dma:*", "iommu:*", "kmem:mm_page_alloc", "kmem:mm_page_free", "page_isolation:*", "migrate:mm_migrate_pages*", ...pageFaultEvents(arch)];
  return events.map((e) => `\`${e}\``).join(", ");
}

function why(verdict: VerdictKind): string {
  switch (verdict) {
    case "stale-dma":
      return "to prove that a device's DMA mapping outlived the frame it wrote into";
    case "dma-fault":
      return "to see which mapping the faulting device used and when it was unmapped";
    case "cache-line-corruption":
    case "software-corruption":
      return "to rule DMA in or out: a frame with no DMA history points at the CPU";
    default:
      return "so casefile can tell stale DMA from a CPU-side overwrite";
  }
}

function parsePfn(text: string): bigint | null {
  try {
    return /^(0x)?[0-9a-f]+$/i.test(text) ? BigInt(text.startsWith("0x") || text.startsWith("0X") ? text : `0x${text}`) : null;
  } catch {
    return null;
  }
}

function memoryAdvice(input: CaptureAdviceInput): string[] {
  const pageSize = input.pageSize ?? ARCH_DEFAULTS[input.arch].pageSize;
  const words = pageSize / 8;
  const pfns = input.frames.map(parsePfn).filter((p): p is bigint => p !== null).slice(0, MAX_FRAMES);
  const haveCore = input.have.has("elf-vmcore");
  if (pfns.length === 0) {
    return [
      `Attach a dump of the corrupted memory: on the crashed kernel run \`${COLLECT} bundle --pfn PFN\` with the \`pfn:\` of the crash report's \`page:\` line (or \`--addr\` with a physical address; \`crash> vtop ADDR\` converts a virtual one), ` +
        "or attach the kdump vmcore as ELF (`makedumpfile -E -d 31 /proc/vmcore vmcore.elf`, run from the kdump kernel), " +
        `or dump the page from the vmcore with crash: \`crash> rd -p -64 PHYS_ADDR ${words} > frame.txt\`.`,
    ];
  }
  return pfns.map((pfn) => {
    const phys = pfn * BigInt(pageSize);
    const pfnHex = `0x${pfn.toString(16)}`;
    const physHex = `0x${phys.toString(16)}`;
    const from = haveCore ? "" : ` (or \`${COLLECT} bundle --pfn ${pfnHex}\` on the crashed kernel before rebooting)`;
    return (
      `Attach a dump of page frame ${pfnHex} (physical ${physHex}, ${pageSize} bytes on ${input.arch}): ` +
      `\`crash> rd -p -64 ${physHex} ${words} > frame-${pfn.toString(16)}.txt\` on the kdump vmcore${from}.`
    );
  });
}

function adviceFor(need: Need, input: CaptureAdviceInput): string[] {
  const { verdict, arch, have } = input;
  switch (need) {
    case "console":
      return [
        "Attach the whole console log of the boot that crashed, from before the first error to the end: " +
          "`journalctl -k -b -1 > console.log` after the reboot, `dmesg > console.log` if the machine is still up, or the serial console capture.",
      ];
    case "trace":
      if (have.has("elf-vmcore")) {
        return [
          `Attach the kernel trace ${why(verdict)}. If tracing was on, the vmcore holds it: ` +
            "`crash> extend trace.so` then `crash> trace dump -t trace.dat`, and attach the output of `trace-cmd report trace.dat > trace.txt`. " +
            `If it was off, enable ${tracepoints(verdict, arch)} before the next crash: \`${COLLECT} arm\`.`,
        ];
      }
      return [
        `Enable the ${tracepoints(verdict, arch)} tracepoints before the next crash and attach the trace ${why(verdict)}: ` +
          `\`${COLLECT} arm\` now, then \`${COLLECT} bundle\` after the crash (undo with \`${COLLECT} disarm\`).`,
      ];
    case "memory":
      return memoryAdvice(input);
    case "symbols":
      return [
        "Attach the System.map of the crashed kernel so casefile can name the pointers in the dump: " +
          "`cp /boot/System.map-$(uname -r) System.map.txt`, or `sudo cat /proc/kallsyms > kallsyms.txt` on the same boot.",
      ];
    case "devices":
      return ["Attach `lspci -k` from the crashed machine so casefile can tie the DMA device to its driver: `lspci -k > lspci.txt`."];
  }
}

export function captureAdvice(input: CaptureAdviceInput): string[] {
  const lines: string[] = [];
  for (const need of NEEDS[input.verdict] ?? NEEDS.inconclusive) {
    if (SATISFIED_BY[need].some((k) => input.have.has(k))) continue;
    lines.push(...adviceFor(need, input));
  }
  return lines;
}
