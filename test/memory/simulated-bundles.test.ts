import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { parseConsoleLog } from "../../src/analysis/console/index.js";
import { findCorruptedRegion, loadMemory } from "../../src/analysis/memory/index.js";
import type { Artifact } from "../../src/analysis/model/artifact.js";
import { hex } from "../../src/analysis/model/hex.js";
import { resolveMachine, type Arch } from "../../src/analysis/model/machine.js";
import { SymbolMap } from "../../src/analysis/symbols/symbol-map.js";
import { SCENARIOS } from "../../src/simulator/scenarios/scenario-registry.js";
import { simulate, type MemoryFormat } from "../../src/simulator/simulate.js";

// Every simulated story, on each of its arches, as a text dump and as a vmcore: the region the
// memory analysis finds is the one the simulator's truth.json states, to the byte.
const dir = mkdtempSync(join(tmpdir(), "casefile-sim-memory-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cases = SCENARIOS.flatMap((def) =>
  (def.arches as Arch[]).flatMap((arch) => (["hexdump", "vmcore"] as MemoryFormat[]).map((memory) => ({ name: def.name, arch, memory }))),
);

describe("memory analysis agrees with the simulator's truth", () => {
  it.each(cases)("$name on $arch from a $memory", async ({ name, arch, memory }) => {
    const out = join(dir, `${name}-${arch}-${memory}`);
    const truth = await simulate(name, { out, seed: 7, arch, memory, noise: 20 });
    const read = (n: string) => readFileSync(join(out, n));
    const artifacts: Artifact[] = truth.files.map((f) => ({
      name: f.name,
      kind: f.kind,
      bytes: f.bytes,
      head: Buffer.alloc(0),
      open: () => Readable.from([read(f.name)]),
      path: join(out, f.name),
      warnings: [],
    }));
    const consoleFile = truth.files.find((f) => f.kind === "console-log" && !f.name.endsWith(".gz"));
    const facts = consoleFile ? parseConsoleLog(read(consoleFile.name).toString("utf8"), consoleFile.name) : null;
    const mapFile = truth.files.find((f) => f.kind === "symbol-map");
    const symbols = mapFile ? SymbolMap.parse(read(mapFile.name).toString("utf8")).map : null;
    const load = await loadMemory(artifacts, resolveMachine(facts?.machine ?? [], { arch }));
    const machine = resolveMachine([...load.hints, ...(facts?.machine ?? [])], { arch });
    const found = findCorruptedRegion({ memory: load.memory, crash: facts?.crash ?? null, symbols, machine });
    load.memory.close();

    expect([...load.warnings.values()].flat()).toEqual([]);
    if (truth.region) {
      expect(found.region && { start: hex(found.region.start), end: hex(found.region.end), alignment: found.region.alignment }).toEqual({
        start: truth.region.start,
        end: truth.region.end,
        alignment: truth.region.alignment,
      });
      expect(found.frames.map(hex)).toEqual(expect.arrayContaining(truth.frames));
      const strongest = found.evidence.filter((e) => !e.counter).sort((a, b) => b.weight - a.weight)[0];
      expect(strongest?.verdict).toBe(truth.verdict);
    } else if (truth.verdict === "double-free") {
      expect(found.region).toBeNull();
    }
  });
});
