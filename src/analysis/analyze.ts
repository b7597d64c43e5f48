import { DEFAULT_CONFIG, type CasefileConfig } from "./config/casefile-config.js";
import { parseConsoleLog, parseLspci } from "./console/index.js";
import { findCorruptedRegion, loadMemory } from "./memory/index.js";
import type { Artifact, ArtifactKind, ArtifactSummary, Bundle } from "./model/artifact.js";
import { SCHEMA, type CasefileVerdict, type EvidenceJson } from "./model/casefile-verdict.js";
import type { CrashReport } from "./model/crash.js";
import type { Evidence } from "./model/evidence.js";
import type { VerdictKind } from "./model/verdict-kind.js";
import { hex } from "./model/hex.js";
import { resolveMachine, type Arch, type MachineHints } from "./model/machine.js";
import type { MemoryLayoutEvent } from "./model/memory-event.js";
import type { DeviceDriver, Suspect } from "./model/region.js";
import { resolveOwners } from "./owners/resolve-owners.js";
import { readText } from "./read-text.js";
import { captureAdvice } from "./report/capture-advice.js";
import { crashSignature } from "./signature/crash-signature.js";
import { SymbolMap } from "./symbols/symbol-map.js";
import { scanTraces } from "./trace/scan-traces.js";
import { crashEvidence } from "./verdict/crash-evidence.js";
import { verdictLabels } from "./verdict/labels.js";
import { summarize } from "./verdict/summary.js";
import { guiltyFrame } from "./verdict/guilty-frame.js";
import { weighEvidence } from "./verdict/weigh-evidence.js";
import { linearToPhysical } from "./memory/linear-map.js";

export interface AnalyzeOptions {
  config?: CasefileConfig;
  arch?: Arch;
  pageSize?: number;
  maintainers?: { name: string; text: string } | null;
  codeowners?: { name: string; text: string } | null;
  onProgress?: (p: { phase: string; done: number; total: number | null }) => void;
}

/** Console logs and symbol maps are read whole; past this they are cut with a warning. */
const TEXT_MAX_BYTES = 64 * 1024 * 1024;

const MEMORY_KINDS: ReadonlySet<ArtifactKind> = new Set(["hexdump", "xxd", "crash-rd", "elf-vmcore"]);
const TRACE_KINDS: ReadonlySet<ArtifactKind> = new Set(["ftrace", "trace-cmd", "jsonl-events"]);

/** Per-artifact warnings and event counts gathered by every stage, for the `artifacts` list. */
class ArtifactNotes {
  private readonly warnings = new Map<string, string[]>();
  private readonly events = new Map<string, number>();
  warn(name: string, ...w: string[]): void {
    if (w.length) this.warnings.set(name, [...(this.warnings.get(name) ?? []), ...w]);
  }
  count(name: string, n: number): void {
    this.events.set(name, n);
  }
  summary(a: Artifact): ArtifactSummary {
    const s: ArtifactSummary = { name: a.name, kind: a.kind, bytes: a.bytes ?? 0, warnings: [...a.warnings, ...(this.warnings.get(a.name) ?? [])] };
    const ev = this.events.get(a.name);
    if (ev !== undefined) s.events = ev;
    return s;
  }
}

interface TextFacts {
  crash: CrashReport | null;
  devices: DeviceDriver[];
  layoutEvents: MemoryLayoutEvent[];
  hints: MachineHints[];
  symbols: SymbolMap | null;
  maintainers: { name: string; text: string } | null;
  codeowners: { name: string; text: string } | null;
  reportText: string | null;
}

async function readTextArtifacts(artifacts: Artifact[], notes: ArtifactNotes): Promise<TextFacts> {
  const facts: TextFacts = { crash: null, devices: [], layoutEvents: [], hints: [], symbols: null, maintainers: null, codeowners: null, reportText: null };
  for (const a of artifacts) {
    if (!["console-log", "lspci", "symbol-map", "maintainers", "codeowners"].includes(a.kind)) continue;
    const { text, truncated, error } = await readText(a, TEXT_MAX_BYTES);
    if (truncated) notes.warn(a.name, `only the first ${TEXT_MAX_BYTES / 1024 / 1024} MiB were read`);
    if (error) notes.warn(a.name, `could not be read to the end: ${error}`);
    switch (a.kind) {
      case "console-log": {
        const c = parseConsoleLog(text, a.name);
        if (c.crash && c.crash.ts == null) c.crash.ts = printkTime(text, c.crash.source);
        facts.crash ??= c.crash;
        if (c.crash && facts.reportText === null) facts.reportText = c.crash.text;
        facts.devices.push(...c.devices);
        facts.layoutEvents.push(...c.layoutEvents);
        facts.hints.push(...c.machine);
        break;
      }
      case "lspci":
        facts.devices.push(...parseLspci(text, a.name));
        break;
      case "symbol-map": {
        const { map, skipped } = SymbolMap.parse(text);
        if (map.size === 0) notes.warn(a.name, "no symbols found in what looked like a symbol map");
        else if (skipped > 0) notes.warn(a.name, `${skipped} lines are not symbols and were skipped`);
        if (!facts.symbols || map.size > facts.symbols.size) facts.symbols = map;
        break;
      }
      case "maintainers":
        facts.maintainers ??= { name: a.name, text };
        break;
      case "codeowners":
        facts.codeowners ??= { name: a.name, text };
        break;
    }
  }
  return facts;
}

/** The printk time of the line `source` ("name:line") points at, so the trace can place the crash. */
function printkTime(text: string, source: string): number | null {
  const line = Number(source.slice(source.lastIndexOf(":") + 1));
  if (!Number.isInteger(line) || line < 1) return null;
  let start = 0;
  for (let n = 1; n < line && start !== -1; n++) start = text.indexOf("\n", start) + 1 || -1;
  if (start === -1) return null;
  const m = /^\[\s*(\d+\.\d+)\]/.exec(text.slice(start, start + 40));
  return m ? Number(m[1]) : null;
}

function artifactsOf(bundle: Bundle, kinds: ReadonlySet<ArtifactKind>): Artifact[] {
  return bundle.artifacts.filter((a) => kinds.has(a.kind));
}

function driverOf(device: string | null, devices: DeviceDriver[]): string | null {
  if (!device) return null;
  return devices.find((d) => d.device === device || d.device.endsWith(device) || device.endsWith(d.device))?.driver ?? null;
}

/**
 * Whom the verdict blames: a device for DMA verdicts, nobody in software for failing hardware
 * (bit flips, cache lines), otherwise the code the crash report points at.
 */
function chooseSuspect(verdict: VerdictKind, traced: Suspect | null, crash: CrashReport | null, devices: DeviceDriver[]): Suspect | null {
  if (verdict === "bit-flip" || verdict === "cache-line-corruption") return null;
  if (traced) return { ...traced, driver: traced.driver ?? driverOf(traced.device, devices) };
  // An ARM SMMU fault line names the SMMU that caught the access, not the device that made it.
  if (crash?.device && !isIommu(crash.device, driverOf(crash.device, devices))) {
    return { device: crash.device, driver: driverOf(crash.device, devices), function: null, file: null };
  }
  if (crash?.device) return null;
  const fn = guiltyFrame(crash);
  // The file is the guilty file owners resolution finds, not the innermost (reporting) frame's.
  return fn ? { device: null, driver: null, function: fn, file: null } : null;
}

function isIommu(device: string, driver: string | null): boolean {
  return /smmu|iommu|dmar|amd-vi/i.test(`${driver ?? ""} ${device}`);
}

function evidenceJson(e: Evidence): EvidenceJson {
  return { claim: e.claim, weight: Math.round(e.weight * 100) / 100, source: e.source, verdict: e.verdict, facet: e.facet };
}

/** The verdict's own evidence first, strongest first; the rest after, so the case reads top-down. */
function orderEvidence(items: Evidence[], verdict: string): Evidence[] {
  return [...items].sort(
    (a, b) => Number(b.verdict === verdict) - Number(a.verdict === verdict) || b.weight - a.weight || a.claim.localeCompare(b.claim),
  );
}

/**
 * Analyses one bundle into the JSON verdict of the contract. Pure: reads only the bundle's
 * artifacts, never the network. Same bundle, same options: same output.
 */
export async function analyzeBundle(bundle: Bundle, options: AnalyzeOptions = {}): Promise<CasefileVerdict> {
  const config = options.config ?? DEFAULT_CONFIG;
  const notes = new ArtifactNotes();
  const progress = options.onProgress ?? (() => {});
  progress({ phase: "reading logs", done: 0, total: null });
  const text = await readTextArtifacts(bundle.artifacts, notes);
  const explicit = { arch: options.arch ?? (config.arch as Arch | undefined), pageSize: options.pageSize ?? config.page_size };

  progress({ phase: "reading memory", done: 0, total: null });
  const provisional = resolveMachine(text.hints, explicit);
  const mem = await loadMemory(artifactsOf(bundle, MEMORY_KINDS), provisional);
  try {
    return await analyzeWithMemory(bundle, options, config, notes, text, mem, explicit);
  } finally {
    // ELF cores are read at random through open file handles.
    await mem.memory.close();
  }
}

async function analyzeWithMemory(
  bundle: Bundle,
  options: AnalyzeOptions,
  config: CasefileConfig,
  notes: ArtifactNotes,
  text: TextFacts,
  mem: Awaited<ReturnType<typeof loadMemory>>,
  explicit: { arch?: Arch; pageSize?: number },
): Promise<CasefileVerdict> {
  const crash = text.crash;
  const progress = options.onProgress ?? (() => {});
  for (const [name, w] of mem.warnings) notes.warn(name, ...w);
  // A vmcore describes its own machine better than a console log does.
  const machine = resolveMachine([...mem.hints, ...text.hints], explicit);
  const memory = findCorruptedRegion({ memory: mem.memory, crash, symbols: text.symbols, machine });

  const frames = [...memory.frames];
  if (frames.length === 0 && crash?.pfn != null) frames.push(crash.pfn);
  // A slab object's address in the linear map names its frame even when no dump was attached.
  const objectPhys = crash?.object ? linearToPhysical(crash.object.start, machine) : null;
  if (frames.length === 0 && objectPhys !== null) frames.push(objectPhys / BigInt(machine.pageSize));

  progress({ phase: "scanning traces", done: 0, total: null });
  const traceArtifacts = artifactsOf(bundle, TRACE_KINDS);
  const trace = await scanTraces(traceArtifacts, {
    frames: frames.length ? frames : null,
    machine,
    rules: config.rules,
    devices: text.devices,
    layoutEvents: text.layoutEvents,
    region: memory.region ? { start: memory.region.start, end: memory.region.end } : null,
    crashTs: crash?.ts ?? null,
    crashTask: crash ? { task: crash.task, pid: crash.pid, cpu: crash.cpu } : null,
    onProgress: (done: number, total: number | null) => progress({ phase: "scanning traces", done, total }),
  });
  for (const [name, a] of trace.artifacts) {
    notes.warn(name, ...a.warnings);
    notes.count(name, a.events);
  }
  if (frames.length === 0) frames.push(...trace.frames);

  const evidence = [...crashEvidence(crash), ...memory.evidence, ...trace.evidence];
  const weighing = weighEvidence(evidence);
  const verdict = weighing.verdict;

  const suspect = chooseSuspect(verdict, trace.suspect, crash, text.devices);

  const owners = resolveOwners({
    rules: config.owners,
    facts: {
      verdict,
      driver: suspect?.driver ?? null,
      device: suspect?.device ?? null,
      modules: crash?.modules ?? [],
      function: suspect?.function ?? crash?.frame ?? null,
      file: suspect?.file ?? null,
    },
    maintainers: options.maintainers ?? text.maintainers,
    codeowners: options.codeowners ?? text.codeowners,
    reportText: text.reportText,
  });
  if (suspect && !suspect.file && owners.guiltyFile && !suspect.device) suspect.file = owners.guiltyFile;

  const have = new Set(bundle.artifacts.map((a) => a.kind));
  const missing = [...new Set([...memory.missing, ...captureAdvice({ verdict, arch: machine.arch, have, frames: frames.map(hex) })])];

  const frameHex = frames.map(hex);
  const region = memory.region;
  // Labels are always reported; `labels.apply: false` only stops the bot from applying them.
  const labels = verdictLabels(verdict, config.labels.verdict_prefix, owners.labels);
  const ordered = orderEvidence(evidence.filter((e) => !e.counter), verdict);
  return {
    schema: SCHEMA,
    bundle: bundle.name,
    verdict,
    confidence: weighing.confidence,
    summary: summarize({ verdict, crash, region, frames, suspect, timeline: trace.timeline, leading: weighing.leading?.verdict ?? null, missing }),
    crash: crash ? crashJson(crash, machine.arch) : null,
    region: region
      ? {
          start: hex(region.start),
          end: hex(region.end),
          length: Number(region.end - region.start),
          alignment: region.alignment,
          granule: region.granule,
          source: region.source,
          content: region.content,
        }
      : null,
    frames: frameHex,
    timeline: trace.timeline,
    suspect,
    owners: owners.owners,
    labels,
    evidence: ordered.map(evidenceJson),
    counter_evidence: evidence.filter((e) => e.counter).map(evidenceJson),
    signature: crashSignature({ verdict, driver: suspect?.driver ?? null, guiltyFrame: suspect?.function ?? guiltyFrame(crash), title: crash?.title ?? null }),
    artifacts: bundle.artifacts.map((a) => notes.summary(a)),
    missing,
    stale_mappings: trace.staleMappings,
    excerpt: memory.excerpt
      ? {
          base: hex(memory.excerpt.base),
          bytes: Buffer.from(memory.excerpt.bytes).toString("hex"),
          start: hex(memory.excerpt.region.start),
          end: hex(memory.excerpt.region.end),
        }
      : null,
    scores: weighing.scores.map((s) => ({ verdict: s.verdict, score: Math.round(s.score * 100) / 100 })),
    guilty_file: owners.guiltyFile,
    warnings: [...bundle.warnings],
    machine: { arch: machine.arch, page_size: machine.pageSize, cache_line: machine.cacheLine, endianness: machine.endianness },
  };
}

/** The contract's `crash` object: only its fields, JSON-safe. */
function crashJson(c: CrashReport, arch: Arch): NonNullable<CasefileVerdict["crash"]> {
  return {
    title: c.title,
    kind: c.kind,
    frame: c.frame,
    address: c.address,
    access: c.access,
    size: c.size,
    task: c.task,
    pid: c.pid,
    cpu: c.cpu,
    modules: c.modules,
    stack: c.stack,
    // The report itself may not say; the machine facts resolved for the bundle do.
    arch: c.arch ?? arch,
    kernel: c.kernel,
  };
}
