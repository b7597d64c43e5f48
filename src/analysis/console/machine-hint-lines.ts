/**
 * What console lines say about the machine: arch from register dumps (x86 RIP/RSP, powerpc
 * NIP/MSR, arm64 pc/lr) and banners, endianness and page size from the powerpc banner
 * ("LE PAGE_SIZE=64K MMU=Radix ..."), and the kernel release from the "CPU: ... Comm: ..." line.
 */
import type { MachineHints } from "../model/machine.js";
import type { ConsoleLine } from "./console-line.js";

const PPC_BANNER = /\b(LE|BE) PAGE_SIZE=([0-9]+)([KMG])\b/;
const CPU_RELEASE = /^CPU: [0-9]+ (?:UID: [0-9]+ )?PID: [0-9]+ Comm: \S+ (?:Not tainted +|Tainted: [A-Z ]*)([^\s#]\S*)/;
const LINUX_VERSION = /^Linux version ([0-9][^\s]*)/;
const UNITS: Record<string, number> = { K: 1024, M: 1024 * 1024, G: 1024 * 1024 * 1024 };

/** The hint one line gives, or null. */
export function machineHintOf(line: ConsoleLine, source: string): MachineHints | null {
  const t = line.text;
  const c = t.charCodeAt(0);
  // Cheap guard: every hint line starts with one of these letters or names its arch or page size.
  if (c !== 0x52 /* R */ && c !== 0x4e /* N */ && c !== 0x4d /* M */ && c !== 0x70 /* p */ && c !== 0x6c /* l */ &&
    c !== 0x43 /* C */ && c !== 0x4c /* L */ && !t.includes("PAGE_SIZE=") && !t.includes("x86_64") && !t.includes("aarch64")) {
    return null;
  }
  let m: RegExpExecArray | null;
  if (t.includes("PAGE_SIZE=") && (m = PPC_BANNER.exec(t))) {
    const little = m[1] === "LE";
    return { arch: little ? "ppc64le" : "ppc64", endianness: little ? "little" : "big", pageSize: Number(m[2]) * UNITS[m[3]], source };
  }
  if (t.startsWith("RIP: ") || t.startsWith("RSP: ") || /\bx86_64\b/.test(t)) return { arch: "x86_64", source };
  if (t.startsWith("MSR:")) {
    // The MSR flag list ends in ",LE>" on a little-endian kernel.
    const little = /[<,]LE>/.test(t);
    return { arch: little ? "ppc64le" : "ppc64", endianness: little ? "little" : "big", source };
  }
  if (t.startsWith("NIP:") || t.startsWith("NIP ")) return { arch: "ppc64le", source };
  if (t.startsWith("pc : ") || t.startsWith("lr : ") || /\baarch64\b/.test(t)) return { arch: "arm64", source };
  if ((m = CPU_RELEASE.exec(t) ?? LINUX_VERSION.exec(t))) return { kernel: m[1], source };
  return null;
}
