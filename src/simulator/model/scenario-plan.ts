import type { VerdictKind } from "../../analysis/model/verdict-kind.js";
import type { KernelSymbols } from "../machine/kernel-symbols.js";
import type { SimMachine } from "../machine/sim-machine.js";
import type { SeededRandom } from "../random/seeded-random.js";
import type { PciFunction } from "../writers/lspci-writer.js";
import type { SimTraceEvent } from "./sim-trace-event.js";
import type { Truth } from "./truth.js";

/** What a scenario function gets: its machine, a seeded random stream and the timing knob. */
export interface ScenarioContext {
  machine: SimMachine;
  symbols: KernelSymbols;
  rng: SeededRandom;
  /** Seconds between the story's key events (the --gap knob). */
  gap: number;
  /** printk caller tags on the console. */
  callerTag: boolean;
}

/** A physical memory range with its bytes, as a dump would show it. */
export interface MemorySpan {
  phys: bigint;
  bytes: Uint8Array;
}

/** A PCI device on the simulated machine. */
export interface SimDevice extends PciFunction {
  driver: string;
}

/**
 * Everything a scenario decides; `simulate` turns it into files. Key trace events must not
 * touch `reserved` frames except as the story says: noise avoids them.
 */
export interface ScenarioPlan {
  console: string | null;
  /** Key events of the story (and deliberate decoys), any order; merged with noise by time. */
  events: SimTraceEvent[];
  /** Whether the bundle carries a trace at all. */
  trace: boolean;
  /** Frames noise must leave alone (the case's frames and their neighbours). */
  reserved: Set<number>;
  /** Devices whose noise DMA (mapped and properly unmapped) the trace should carry. */
  devices: SimDevice[];
  /** Time window the noise spreads over. */
  window: { start: number; end: number };
  memory: MemorySpan[] | null;
  systemMap: boolean;
  lspci: boolean;
  truth: Omit<Truth, "schema" | "scenario" | "seed" | "files" | "trace_events" | "machine" | "owner" | "key_events"> & { verdict: VerdictKind };
}

export type ScenarioFn = (ctx: ScenarioContext) => ScenarioPlan;

export interface ScenarioDefinition {
  name: string;
  summary: string;
  /** The arch the story happens on unless --arch says otherwise. */
  defaultArch: "x86_64" | "ppc64le" | "ppc64" | "arm64";
  /** Arches the story makes sense on (stale DMA after pseries hot-remove is POWER only). */
  arches: readonly ("x86_64" | "ppc64le" | "ppc64" | "arm64")[];
  run: ScenarioFn;
}
