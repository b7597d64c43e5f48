import type { ArtifactKind } from "../model/artifact.js";

/**
 * Recognises an artifact from its first bytes (formats.md: by content, never by name).
 * Never throws; anything it cannot place is "unknown".
 */

const ET_CORE = 4;
const MAX_LINES = 400;

function elfKind(head: Buffer): ArtifactKind | null {
  if (head.length < 4 || head[0] !== 0x7f || head[1] !== 0x45 || head[2] !== 0x4c || head[3] !== 0x46) return null;
  if (head.length < 18) return "unknown";
  const data = head[5]; // EI_DATA: 1 little-endian, 2 big-endian
  const type = data === 2 ? head.readUInt16BE(16) : head.readUInt16LE(16);
  return (data === 1 || data === 2) && type === ET_CORE ? "elf-vmcore" : "unknown";
}

/**
 * Text, as opposed to binary: few control bytes in what we look at. NULs are left out of the
 * count: a log zero-filled after an unclean shutdown, or serial-console noise, is still text.
 */
export function looksBinary(head: Buffer): boolean {
  const n = Math.min(head.length, 8192);
  if (n === 0) return false;
  let control = 0;
  let nul = 0;
  for (let i = 0; i < n; i++) {
    const b = head[i];
    if (b === 0) nul++;
    else if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b && b !== 0x08) control++;
  }
  return nul === n || control / (n - nul) > 0.02;
}

/** The complete lines of the head (a cut last line is dropped when the head is full). */
function headLines(head: Buffer): string[] {
  let text = head.toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r?\n/, MAX_LINES + 1);
  if (lines.length > MAX_LINES) lines.length = MAX_LINES;
  else if (head.length >= 64 * 1024 && lines.length > 1) lines.pop();
  return lines;
}

// One line of each line-oriented format.
const PRINTK_TS = /^(<\d+>)?\[\s*\d+\.\d+\]/;
const PRINTK_TS_ANYWHERE = /\[\s*\d+\.\d{6}\]/;
/** `subsystem: message`, `driver 0000:01:00.0: message`: how most kernel lines read. */
const KERNEL_MESSAGE = /^\s*[\w.\-/()[\] ]{1,48}?\s?: +\S/;
const HEXDUMP_C = /^[0-9a-f]{7,16} {2}(?:[0-9a-f]{2} {1,2}){1,16} *\|.{1,16}\|$/;
const XXD = /^[0-9a-f]{6,16}: [0-9a-f]{2,4}(?: [0-9a-f]{2,4}){0,15}(?: {1,}.{0,16})?$/;
const CRASH_RD = /^ *[0-9a-f]{4,16}: {2}([0-9a-f]{2}|[0-9a-f]{4}|[0-9a-f]{8}|[0-9a-f]{16})( +([0-9a-f]{2}|[0-9a-f]{4}|[0-9a-f]{8}|[0-9a-f]{16}))* *( .*)?$/;
const SYMBOL_LINE = /^[0-9a-fA-F]{8,16} [a-zA-Z?] \S+(\t\[\S+\])?\s*$/;
const LSPCI_DEVICE = /^([0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7] [^:]+: /;
const LSPCI_DETAIL = /^\t(Kernel driver in use|Kernel modules|Subsystem|DeviceName|Control|Status|Flags|Memory at|I\/O ports at|Capabilities|Physical Slot|IOMMU group|Region \d+):?/;
const FTRACE_EVENT = /^(?!\s*(<\d+>)?\[\s*\d+\.\d+\])\s*.{1,64}-\d+\s+(\(\s*[\d-]+\)\s+)?\[\d{1,4}\]\s+([\S]{4,5}\s+)?\d+\.\d+:\s+[\w:.-]+:?/;
const MAINTAINERS_FIELD = /^[A-Z]:\t/;
const CODEOWNERS_LINE = /^\S+(\s+(@[\w.-]+(\/[\w.-]+)?|[\w.+-]+@[\w-]+(\.[\w-]+)+))+\s*$/;
const CRASH_MARKER =
  /(^|\] |\)\] |^\S+ \S+ )(BUG: |BUG [\w-]+ \(|WARNING: |INFO: |Oops|Kernel panic|kernel BUG at|general protection fault|Unable to handle kernel|unable to handle kernel|KASAN: |KFENCE: |UBSAN: |Call Trace:|Call trace:|Modules linked in:|Linux version |list_del corruption|list_add corruption|DMA-API: |DMAR: |pagealloc: |page dumped because|unreferenced object|Hardware name: |RIP: |NIP: |pc : |Code: |------------\[ cut here \]------------|watchdog: BUG|rcu: |INFO: rcu|divide error|invalid opcode|stack segment|Internal error: )/;

/** Fraction of non-empty lines matching `re`, plus how many there were. */
function share(lines: string[], re: RegExp, ignore?: RegExp): { hits: number; total: number } {
  let hits = 0;
  let total = 0;
  for (const line of lines) {
    if (line.trim() === "" || (ignore && ignore.test(line))) continue;
    total++;
    if (re.test(line)) hits++;
  }
  return { hits, total };
}

function mostly(lines: string[], re: RegExp, ignore?: RegExp, minShare = 0.6, minHits = 1): boolean {
  const { hits, total } = share(lines, re, ignore);
  return hits >= minHits && total > 0 && hits / total >= minShare;
}

function isJsonlEvents(lines: string[]): boolean {
  let objects = 0;
  let events = 0;
  let total = 0;
  for (const line of lines.slice(0, 50)) {
    const t = line.trim();
    if (t === "") continue;
    total++;
    if (!t.startsWith("{")) continue;
    try {
      const v: unknown = JSON.parse(t);
      if (v && typeof v === "object" && !Array.isArray(v)) {
        objects++;
        if (typeof (v as Record<string, unknown>).event === "string") events++;
      }
    } catch {
      // a cut or broken line: counted as not an object
    }
  }
  return total > 0 && events > 0 && objects / total >= 0.8;
}

function isLspci(lines: string[]): boolean {
  let devices = 0;
  let details = 0;
  let other = 0;
  for (const line of lines) {
    if (line.trim() === "") continue;
    if (LSPCI_DEVICE.test(line)) devices++;
    else if (LSPCI_DETAIL.test(line) || /^\t\t?\S/.test(line)) details++;
    else other++;
  }
  return devices > 0 && (devices + details) / (devices + details + other) >= 0.8 && LSPCI_DEVICE.test(lines.find((l) => l.trim() !== "") ?? "");
}

function isMaintainers(lines: string[]): boolean {
  const first = lines.find((l) => l.trim() !== "") ?? "";
  if (/^List of maintainers/.test(first)) return true;
  const { hits } = share(lines, MAINTAINERS_FIELD);
  const fields = new Set(lines.filter((l) => MAINTAINERS_FIELD.test(l)).map((l) => l[0]));
  return hits >= 5 && fields.has("F") && (fields.has("M") || fields.has("S"));
}

/** Strong signs of a kernel log: printk timestamps or a crash marker (used on free prose too). */
export function hasKernelLogLines(lines: string[]): boolean {
  let stamped = 0;
  let markers = 0;
  for (const line of lines) {
    if (PRINTK_TS.test(line)) stamped++;
    if (CRASH_MARKER.test(line)) markers++;
  }
  return stamped >= 2 || markers >= 1 || (stamped >= 1 && lines.filter((l) => l.trim() !== "").length <= 2);
}

function isConsoleLog(lines: string[]): boolean {
  const first = lines.find((l) => l.trim() !== "") ?? "";
  // syzkaller corpus files: `TITLE:` (and ALT/TYPE/CORRUPTED) header lines, a blank line, the raw log
  if (/^TITLE: /.test(first)) return true;
  if (hasKernelLogLines(lines)) return true;
  // Logs without timestamps or crash (dmesg -t, serial captures cut mid-line): kernel message shapes.
  let shaped = 0;
  let total = 0;
  for (const line of lines) {
    if (line.trim() === "") continue;
    total++;
    if (PRINTK_TS_ANYWHERE.test(line) || KERNEL_MESSAGE.test(line)) shaped++;
  }
  return shaped > 0 && shaped / total >= 0.3;
}

export function sniffKind(head: Buffer): ArtifactKind {
  try {
    const elf = elfKind(head);
    if (elf) return elf;
    if (head.length === 0 || looksBinary(head)) return "unknown";
    const lines = headLines(head);
    const firstIdx = lines.findIndex((l) => l.trim() !== "");
    if (firstIdx < 0) return "unknown";
    const first = lines[firstIdx];

    if (/^cpus=\d+\s*$/.test(first)) return "trace-cmd";
    if (first.trimStart().startsWith("{") && isJsonlEvents(lines)) return "jsonl-events";
    if (lines.some((l) => /^# tracer: /.test(l))) return "ftrace";
    if (mostly(lines, HEXDUMP_C, /^\*$|^[0-9a-f]{7,16}$/)) return "hexdump";
    if (mostly(lines, XXD)) return "xxd";
    if (mostly(lines, CRASH_RD, /^crash> /)) return "crash-rd";
    if (mostly(lines, SYMBOL_LINE, undefined, 0.9)) return "symbol-map";
    if (isLspci(lines)) return "lspci";
    if (mostly(lines, FTRACE_EVENT, /^#|^\s*=> |^CPU:\d+ \[/, 0.5, 2)) return "ftrace";
    if (isMaintainers(lines)) return "maintainers";
    if (isConsoleLog(lines)) return "console-log";
    if (mostly(lines, CODEOWNERS_LINE, /^\s*#|^\S+\s*$/, 0.9)) return "codeowners";
    return "unknown";
  } catch {
    return "unknown";
  }
}
