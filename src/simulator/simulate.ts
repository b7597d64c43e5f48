import { createWriteStream } from "node:fs";
import { mkdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { createGzip } from "node:zlib";
import type { ArtifactKind } from "../analysis/model/artifact.js";
import type { Arch } from "../analysis/model/machine.js";
import { toJsonlEvent, toTraceEvent } from "./bundle/trace-event-adapter.js";
import { exampleOwner } from "./bundle/example-owners.js";
import { KernelSymbols } from "./machine/kernel-symbols.js";
import { simMachine, type KernelEra, type SimMachine } from "./machine/sim-machine.js";
import type { MemorySpan, ScenarioPlan } from "./model/scenario-plan.js";
import { isLostMarker } from "./model/sim-trace-event.js";
import type { Truth } from "./model/truth.js";
import { mergeByTime, noiseEvents } from "./noise/noise-events.js";
import { SeededRandom } from "./random/seeded-random.js";
import { scenarioByName } from "./scenarios/scenario-registry.js";
import { writeCrashRd } from "./writers/crash-rd-writer.js";
import { writeElfCoreFile } from "./writers/elf-core-writer.js";
import { FtraceWriter } from "./writers/ftrace-writer.js";
import { writeHexdump } from "./writers/hexdump-writer.js";
import { JsonlEventsWriter } from "./writers/jsonl-events-writer.js";
import { writeLspci } from "./writers/lspci-writer.js";
import { writeSystemMap } from "./writers/system-map-writer.js";
import { TraceCmdWriter } from "./writers/trace-cmd-writer.js";
import { writeXxd } from "./writers/xxd-writer.js";

export type TraceFormat = "ftrace" | "trace-cmd" | "jsonl";
export type MemoryFormat = "hexdump" | "xxd" | "rd" | "vmcore";

/** The realism knobs of `casefile simulate`. */
export interface SimulateOptions {
  /** Directory the bundle is written to (created). */
  out: string;
  seed?: number;
  arch?: Arch;
  pageSize?: number;
  traceFormat?: TraceFormat;
  /** Compress the trace (and console log) with gzip. */
  gzip?: boolean;
  /** Background trace events around the story (default 5,000). */
  noise?: number;
  /** Seconds between the story's key events (default 2). */
  gap?: number;
  /** Lost-events markers in the trace (default 0). */
  lost?: number;
  memory?: MemoryFormat;
  /** printk caller tags `[ T4242]` on the console (default: decided by the seed; never on legacy kernels). */
  callerTag?: boolean;
  /** Kernel generation whose formats the bundle uses (default current). */
  kernel?: KernelEra;
  /** Progress callback with the number of trace events written so far. */
  onProgress?: (eventsWritten: number) => void;
}

/** Writes one scenario's bundle into `options.out` and resolves to its truth (also written as truth.json). */
export async function simulate(scenario: string, options: SimulateOptions): Promise<Truth> {
  const def = scenarioByName(scenario);
  const seed = options.seed ?? 1;
  const arch = options.arch ?? def.defaultArch;
  if (!def.arches.includes(arch)) throw new Error(`scenario ${def.name} happens on ${def.arches.join(" or ")}, not ${arch}`);
  if (options.gap !== undefined && !(options.gap > 0)) throw new Error(`--gap must be a positive number of seconds, got ${options.gap}`);
  const root = new SeededRandom(seed);
  const machine = simMachine(arch, options.pageSize, options.kernel ?? "current");
  const symbols = new KernelSymbols(machine, root.fork(1));
  const storyRng = root.fork(2);
  const callerTag = options.callerTag ?? (machine.era === "current" && storyRng.chance(0.5));
  const plan = def.run({ machine, symbols, rng: storyRng, gap: options.gap ?? 2, callerTag });

  await mkdir(options.out, { recursive: true });
  const files: Truth["files"] = [];
  const gz = options.gzip === true;
  const addFile = async (name: string, kind: ArtifactKind): Promise<void> => {
    files.push({ name, kind, bytes: (await stat(join(options.out, name))).size });
  };

  if (plan.console !== null) {
    const name = gz ? "console.log.gz" : "console.log";
    await writeText(join(options.out, name), plan.console, gz);
    await addFile(name, "console-log");
  }
  let traceEvents = 0;
  if (plan.trace) {
    const format = options.traceFormat ?? "ftrace";
    const base = format === "jsonl" ? "events.jsonl" : format === "trace-cmd" ? "trace-report.txt" : "trace.txt";
    const name = gz ? base + ".gz" : base;
    traceEvents = await writeTrace(join(options.out, name), format, gz, plan, machine, root.fork(3), options);
    await addFile(name, format === "jsonl" ? "jsonl-events" : format);
  }
  if (plan.memory !== null) {
    const name = await writeMemory(options.out, options.memory ?? "hexdump", plan.memory, machine);
    await addFile(name.file, name.kind);
  }
  if (plan.systemMap) {
    await writeFile(join(options.out, "System.map"), writeSystemMap(symbols.symbols()));
    await addFile("System.map", "symbol-map");
  }
  if (plan.lspci) {
    await writeFile(join(options.out, "lspci-k.txt"), writeLspci(plan.devices));
    await addFile("lspci-k.txt", "lspci");
  }

  const t = plan.truth;
  const truth: Truth = {
    schema: "casefile-sim/v1",
    scenario: def.name,
    seed,
    story: t.story,
    verdict: t.verdict,
    region: t.region,
    frames: t.frames,
    suspect: t.suspect,
    owner: exampleOwner(t.verdict, t.suspect, t.crash?.frame ?? null),
    crash: t.crash,
    machine: { arch: machine.arch, page_size: machine.pageSize, cache_line: machine.cacheLine, endianness: machine.endianness },
    key_events: plan.trace
      ? plan.events
          .filter((e) => e.key)
          .sort((a, b) => a.ts - b.ts)
          .map((e) => ({ ts: Math.round(e.ts * 1e6) / 1e6, event: e.name, pfn: eventPfn(e, machine), device: "device" in e ? e.device : null }))
      : [],
    missing: t.missing,
    files,
    trace_events: traceEvents,
  };
  await writeFile(join(options.out, "truth.json"), JSON.stringify(truth, null, 2) + "\n");
  return truth;
}

function eventPfn(e: ScenarioPlan["events"][number], m: SimMachine): string | null {
  if ("pfn" in e) return "0x" + e.pfn.toString(16);
  if (e.name === "dma_map_page") return "0x" + Math.floor(e.phys / m.pageSize).toString(16);
  if (e.name === "test_pages_isolated") return "0x" + e.startPfn.toString(16);
  return null;
}

async function writeText(path: string, text: string, gzip: boolean): Promise<void> {
  if (!gzip) return writeFile(path, text);
  const { sink, done } = fileSink(path, true);
  sink.end(text);
  await done;
}

/** A Writable into `path`, gzip-compressed when asked, and a promise that the file is complete. */
function fileSink(path: string, gzip: boolean): { sink: Writable; done: Promise<void> } {
  const file = createWriteStream(path);
  if (!gzip) return { sink: file, done: finished(file) };
  const z = createGzip({ level: 6 });
  z.pipe(file);
  return { sink: z, done: finished(file) };
}

/** Streams story + noise through the chosen writer with backpressure. Returns the events written. */
async function writeTrace(path: string, format: TraceFormat, gzip: boolean, plan: ScenarioPlan, m: SimMachine, rng: SeededRandom, o: SimulateOptions): Promise<number> {
  const { sink, done } = fileSink(path, gzip);
  const storyCpus = new Set(plan.events.map((e) => e.cpu));
  const noise = noiseEvents({
    count: o.noise ?? 5000,
    window: plan.window,
    pageSize: m.pageSize,
    totalPages: Math.floor((64 * 2 ** 30) / m.pageSize),
    reserved: plan.reserved,
    devices: plan.devices.map((d) => d.address),
    cpus: Math.min(m.cpus, 16),
    lostMarkers: o.lost ?? 0,
    storyCpus,
    rng,
  });
  const driverOf = new Map(plan.devices.map((d) => [d.address, d.driver]));
  let written = 0;
  if (format === "jsonl") {
    const w = new JsonlEventsWriter(sink);
    for (const item of mergeByTime(plan.events, noise)) {
      const ok = isLostMarker(item) ? w.event({ ts: Math.round(item.ts * 1e6) / 1e6, cpu: item.cpu, event: "lost_events", count: item.count }) : w.event(toJsonlEvent(item, driverOf, m.pageShift));
      if (++written % 65536 === 0) o.onProgress?.(written);
      if (!ok) await w.drained();
    }
    await w.end();
  } else {
    // Kernels before 5.14 print decimal pfns and (before 5.x) four flag columns; record-tgid is a seed's choice.
    const legacy = m.era === "legacy";
    const pfnRadix = legacy ? 10 : 16;
    const w =
      format === "ftrace"
        ? new FtraceWriter(sink, { flagColumns: legacy ? 4 : 5, pfnRadix, tgid: !legacy && rng.chance(0.3) })
        : new TraceCmdWriter(sink, { cpus: Math.min(m.cpus, 16), pfnRadix });
    for (const item of mergeByTime(plan.events, noise)) {
      const ok = isLostMarker(item) ? (w instanceof FtraceWriter ? w.lost(item.cpu, item.count) : w.dropped(item.cpu, item.count)) : w.event(toTraceEvent(item, pfnRadix));
      if (++written % 65536 === 0) o.onProgress?.(written);
      if (!ok) await w.drained();
    }
    await w.end();
  }
  await done;
  return written;
}

/** Writes the memory spans in the chosen dump format; returns the file name and its artifact kind. */
async function writeMemory(dir: string, format: MemoryFormat, spans: MemorySpan[], m: SimMachine): Promise<{ file: string; kind: ArtifactKind }> {
  if (format === "vmcore") {
    const segs = spans.map((s) => ({ paddr: s.phys, size: BigInt(s.bytes.length), contents: [{ offset: 0n, bytes: s.bytes }] }));
    const vmcoreinfo = `OSRELEASE=${m.kernel}\nPAGESIZE=${m.pageSize}\nSYMBOL(_stext)=${m.textBase.toString(16)}\nNUMBER(KERNEL_IMAGE_SIZE)=1073741824\nCRASHTIME=${1764150000}\n`;
    await writeElfCoreFile(join(dir, "vmcore"), { arch: m.arch, endianness: m.endianness, vmcoreinfo, linearMapBase: m.linearMapBase, segments: segs });
    return { file: "vmcore", kind: "elf-vmcore" };
  }
  let text = "";
  for (const s of spans) {
    if (format === "hexdump") text += writeHexdump(s.phys, s.bytes);
    else if (format === "xxd") text += writeXxd(s.phys, s.bytes);
    else text += writeCrashRd(s.phys, s.bytes, { width: 8, endianness: m.endianness });
  }
  const file = format === "hexdump" ? "memory.hexdump.txt" : format === "xxd" ? "memory.xxd.txt" : "memory.rd.txt";
  await writeFile(join(dir, file), text);
  return { file, kind: format === "rd" ? "crash-rd" : format };
}
