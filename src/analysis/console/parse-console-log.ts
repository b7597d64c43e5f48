/**
 * Console log / dmesg -> ConsoleFacts: the first crash report (syzbot-titled, with every
 * field the log supports), device-to-driver pairs, memory layout events and machine hints.
 * One pass to split lines, one to find the crash, one to collect the rest.
 */
import type { CrashReport } from "../model/crash.js";
import type { MachineHints } from "../model/machine.js";
import type { MemoryLayoutEvent } from "../model/memory-event.js";
import type { DeviceDriver } from "../model/region.js";
import type { VerdictKind } from "../model/verdict-kind.js";
import { splitConsoleLines, type ConsoleLine } from "./console-line.js";
import { extractCrashDetails, type CrashDetails } from "./crash-details.js";
import { BUG_TYPE_VERDICTS, MEMORY_CORRUPTION_KINDS } from "./crash-families.js";
import { findFirstCrash, finishTitle } from "./crash-report-finder.js";
import { deviceDriverOf, DeviceDriverCollector } from "./device-lines.js";
import { DEVICE_FAULT_FAMILIES, findDeviceFault, SAME_INCIDENT_LINES, type DeviceFaultStart } from "./device-fault-families.js";
import { machineHintOf } from "./machine-hint-lines.js";
import { memoryLayoutEventOf } from "./memory-layout-lines.js";
import { CALL_TRACE_PARTS, extractStackFrame } from "./stack-frame-extractor.js";
import { sanitizeTitle } from "./title-sanitizer.js";

export interface ConsoleFacts {
  crash: CrashReport | null;
  devices: DeviceDriver[];
  layoutEvents: MemoryLayoutEvent[];
  machine: MachineHints[];
  kernel: string | null;
}

/** Report text is kept to this many lines (the title never needs more). */
const MAX_REPORT_LINES = 400;

/** The header keys of syzkaller's report test data (`TITLE: ...` up to the first blank line). */
const TEST_DATA_KEYS = /^(?:TITLE|ALT|TYPE|CORRUPTED|PANICKED|FRAME|EXECUTOR|SUPPRESSED|START|END|FILE):(?: |$)/;

/**
 * Logs saved as syzkaller test data open with `TITLE: <expected title>` lines: metadata about the
 * log, not kernel output. Left in, a title that quotes a crash line would start a crash report.
 */
function withoutTestDataHeader(lines: ConsoleLine[]): ConsoleLine[] {
  let i = 0;
  while (i < lines.length && TEST_DATA_KEYS.test(lines[i].raw)) i++;
  if (i === 0 || i >= lines.length || lines[i].raw.trim() !== "") return lines;
  return lines.slice(i + 1);
}

export function parseConsoleLog(text: string, name: string): ConsoleFacts {
  const lines = withoutTestDataHeader(splitConsoleLines(typeof text === "string" ? text : ""));
  const crash = findCrash(lines, name);
  const devices = new DeviceDriverCollector();
  const layoutEvents: MemoryLayoutEvent[] = [];
  let machine: MachineHints[] = [];
  let kernel: string | null = null;
  const seenHints = new Set<string>();
  for (const line of lines) {
    // Sources are built only for lines that give something (most give nothing).
    const pair = deviceDriverOf(line, "");
    if (pair) devices.add({ ...pair, source: `${name}:${line.no}` });
    const event = memoryLayoutEventOf(line, `${name}:${line.no}`);
    if (event) layoutEvents.push(event);
    const hint = machineHintOf(line, `${name}:${line.no}`);
    if (hint) {
      if (hint.kernel) kernel ??= hint.kernel;
      // Every oops repeats its register names: keep the first hint of each kind.
      const key = `${hint.arch}|${hint.pageSize}|${hint.endianness}|${hint.kernel}`;
      if (!seenHints.has(key)) {
        seenHints.add(key);
        machine.push(hint);
      }
    }
  }
  // The powerpc banner states endianness; register-only guesses must not contradict it.
  if (machine.some((h) => h.endianness !== undefined && h.pageSize !== undefined)) {
    machine = machine.filter((h) => !(h.arch?.startsWith("ppc64") && h.pageSize === undefined && h.endianness === undefined));
  }
  if (crash && crash.kernel === null) crash.kernel = kernel;
  if (crash && crash.arch === null) crash.arch = machine.find((h) => h.arch)?.arch ?? null;
  // Register names say "powerpc"; the banner or MSR says which endianness.
  const ppc = machine.find((h) => h.arch?.startsWith("ppc64") && h.endianness !== undefined);
  if (crash && ppc && crash.arch?.startsWith("ppc64")) crash.arch = ppc.arch ?? crash.arch;
  return { crash, devices: devices.pairs, layoutEvents, machine, kernel: crash?.kernel ?? kernel };
}

function findCrash(lines: readonly ConsoleLine[], name: string): CrashReport | null {
  const found = findFirstCrash(lines);
  // A bare header line (no format matched) does not outrank a device fault before it.
  const limit = !found ? lines.length : found.format ? Math.max(0, found.start - SAME_INCIDENT_LINES) : found.start;
  const fault = findDeviceFault(lines, 0, limit);
  if (fault) return deviceFaultReport(lines, fault, name);
  if (!found) return null;
  const { title, frame } = finishTitle(found);
  const details = extractCrashDetails(found.lines, found.prefix);
  const kind = found.format?.kind ?? found.family.kind;
  const bugType = details.bugType ?? bugTypeOf(title, kind);
  // A device fault just before the report is the same incident: it names the device.
  if (details.device === null) {
    const near = findDeviceFault(lines, Math.max(0, found.start - SAME_INCIDENT_LINES), found.start);
    if (near) {
      const extra = extractCrashDetails(lines.slice(near.index, near.index + 3), []);
      details.device = extra.device;
      details.dmaAddress = extra.dmaAddress;
      details.corrupted ??= extra.corrupted;
    }
  }
  const reportLines = found.lines.slice(0, MAX_REPORT_LINES);
  return crashReport(details, { title, kind, frame, bugType, source: `${name}:${lines[found.start].no}`, text: reportLines.map((l) => l.text).join("\n") });
}

function deviceFaultReport(lines: readonly ConsoleLine[], fault: DeviceFaultStart, name: string): CrashReport {
  const first = lines[fault.index];
  const report: ConsoleLine[] = [];
  for (let i = fault.index; i < lines.length && report.length < MAX_REPORT_LINES; i++) {
    if (i === fault.index || lines[i].context === first.context) {
      if (!lines[i].questionable) report.push(lines[i]);
    }
  }
  const details = extractCrashDetails(report, []);
  let title = fault.family.title(fault.match);
  let frame: string | null = null;
  if (title.includes("{frame}")) {
    const texts = report.map((l) => l.text);
    const ex = extractStackFrame(texts, { parts: CALL_TRACE_PARTS });
    const stackFrame = details.stack.find((f) => !fault.family.stackSkip?.test(f)) ?? ex.frame;
    frame = stackFrame || null;
    title = title.replace("{frame}", frame ?? "corrupted");
  }
  return crashReport(details, {
    title: sanitizeTitle(title),
    kind: fault.family.kind,
    frame,
    bugType: details.bugType ?? fault.family.bugType,
    source: `${name}:${first.no}`,
    text: report.map((l) => l.text).join("\n"),
  });
}

/** A CrashReport from the details found in its lines and what the kind of report decided (title, kind, frame, bug type). */
function crashReport(details: CrashDetails, head: Pick<CrashReport, "title" | "kind" | "frame" | "bugType" | "source" | "text">): CrashReport {
  return {
    title: head.title,
    kind: head.kind,
    frame: head.frame,
    address: details.address === null ? null : hexString(details.address),
    access: details.access,
    size: details.size,
    task: details.task,
    pid: details.pid,
    cpu: details.cpu,
    modules: details.modules,
    stack: details.stack,
    arch: details.arch,
    kernel: details.kernel,
    bugType: head.bugType,
    object: details.object,
    corrupted: details.corrupted,
    pfn: details.pfn,
    device: details.device,
    dmaAddress: details.dmaAddress,
    files: details.files,
    source: head.source,
    text: head.text,
  };
}

function hexString(v: bigint): string {
  return "0x" + v.toString(16);
}

const TITLE_BUG_TYPE = /^(?:KASAN|KFENCE|KMSAN): ([a-z\- ]+?)(?: (?:Read|Write|read|write))?(?: in |$)/;

function bugTypeOf(title: string, kind: string): string | null {
  const m = TITLE_BUG_TYPE.exec(title);
  if (m) return m[1] === "invalid free" ? "invalid-free" : m[1];
  if (title.includes("NULL pointer dereference")) return "null-ptr-deref";
  if (title.startsWith("BUG: Object already free")) return "object already free";
  if (kind === "bad-page-state") return "bad page state";
  if (kind === "bad-page-map") return "bad page map";
  if (kind === "list-corruption") return "list corruption";
  return null;
}

/** Whether the crash's family reports corrupted memory, and the verdict its bug type hints (both from the tables). */
export function crashTraits(crash: Pick<CrashReport, "kind" | "bugType">): { memoryCorruption: boolean; verdict: VerdictKind | null } {
  const verdict = crash.bugType ? (BUG_TYPE_VERDICTS[crash.bugType] ?? null) : null;
  const memoryCorruption = MEMORY_CORRUPTION_KINDS.has(crash.kind) || DEVICE_FAULT_FAMILIES.some((f) => f.kind === crash.kind) || verdict !== null;
  return { memoryCorruption, verdict };
}
