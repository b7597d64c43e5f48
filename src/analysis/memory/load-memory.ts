import { createInterface } from "node:readline";
import type { Artifact } from "../model/artifact.js";
import type { MachineFacts, MachineHints } from "../model/machine.js";
import { CrashRdParser } from "./crash-rd-reader.js";
import type { DumpLineParser } from "./dump-chunk.js";
import { openElfCore } from "./elf-core-reader.js";
import { HexdumpParser } from "./hexdump-reader.js";
import { MAX_PHYSICAL, toPhysical } from "./linear-map.js";
import { PhysicalMemory } from "./physical-memory.js";
import { XxdParser } from "./xxd-reader.js";

export interface MemoryLoad {
  memory: PhysicalMemory;
  hints: MachineHints[];
  /** Plain-words problems, by artifact name. */
  warnings: Map<string, string[]>;
  vmcoreinfo: Record<string, string> | null;
}

const MEMORY_KINDS = new Set(["hexdump", "xxd", "crash-rd", "elf-vmcore"]);

/**
 * Reads every memory artifact into one sparse physical view. Cores go first: they state the
 * machine (byte order for `rd` word dumps, the linear map for virtual dump addresses) more
 * reliably than the console does. Bad input becomes warnings, never exceptions.
 */
export async function loadMemory(artifacts: Artifact[], provisional: MachineFacts): Promise<MemoryLoad> {
  const memory = new PhysicalMemory();
  const hints: MachineHints[] = [];
  const warnings = new Map<string, string[]>();
  const warn = (name: string, ...text: string[]) => {
    if (text.length === 0) return;
    const list = warnings.get(name) ?? [];
    list.push(...text);
    warnings.set(name, list);
  };
  let vmcoreinfo: Record<string, string> | null = null;
  let machine: MachineFacts = { ...provisional };

  const mine = artifacts.filter((a) => MEMORY_KINDS.has(a.kind));
  for (const a of mine.filter((x) => x.kind === "elf-vmcore")) {
    if (!a.path) {
      warn(a.name, `${a.name}: an ELF core is read with random access and must be a plain (uncompressed) file on disk; extract it from its archive and attach it as a file`);
      continue;
    }
    const { core, warnings: w } = openElfCore(a.path, a.name);
    warn(a.name, ...w);
    if (!core) continue;
    memory.addCore(core, a.name);
    hints.push(core.hints);
    vmcoreinfo ??= core.vmcoreinfo;
    // What the core says about its own machine beats the console's guess for reading dumps.
    machine = {
      ...machine,
      arch: core.hints.arch ?? machine.arch,
      endianness: core.hints.endianness ?? machine.endianness,
      pageSize: core.hints.pageSize ?? machine.pageSize,
      linearMapBase: core.hints.linearMapBase ?? machine.linearMapBase,
    };
  }

  for (const a of mine.filter((x) => x.kind !== "elf-vmcore")) {
    const parser: DumpLineParser =
      a.kind === "hexdump" ? new HexdumpParser(a.name) : a.kind === "xxd" ? new XxdParser(a.name) : new CrashRdParser(a.name, machine.endianness);
    try {
      await feedLines(a, parser);
    } catch (err) {
      warn(a.name, `${a.name}: reading stopped early (${(err as Error).message}); what was read before is kept`);
    }
    const { chunks, warnings: w } = parser.finish();
    warn(a.name, ...w);
    if (chunks.length === 0) warn(a.name, `${a.name}: no dump lines could be read`);
    let untranslatable = 0;
    for (const chunk of chunks) {
      const phys = toPhysical(chunk.address, machine);
      if (phys === null || phys + BigInt(chunk.bytes.length) > MAX_PHYSICAL) {
        untranslatable++;
        continue;
      }
      warn(a.name, ...memory.addChunk(phys, chunk, a.name));
    }
    if (untranslatable > 0) {
      warn(a.name, `${a.name}: ${untranslatable} range(s) are at virtual addresses outside the kernel's linear map (vmalloc, kernel text or user space), which cannot be turned into physical addresses without page tables; dump them by physical address (rd -p, /dev/mem)`);
    }
  }
  return { memory, hints, warnings, vmcoreinfo };
}

async function feedLines(a: Artifact, parser: DumpLineParser): Promise<void> {
  const input = a.open();
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of lines) parser.line(line, ++n);
  } finally {
    lines.close();
    input.destroy();
  }
}
