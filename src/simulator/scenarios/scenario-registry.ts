import type { ScenarioDefinition } from "../model/scenario-plan.js";
import { bitFlip } from "./bit-flip.js";
import { cacheLineCorruption } from "./cache-line-corruption.js";
import { decoyUnmapped } from "./decoy-unmapped.js";
import { dmaFault } from "./dma-fault.js";
import { inconclusiveConsoleOnly, inconclusiveNoDump } from "./inconclusive.js";
import { doubleFreeKasan, doubleFreeSlub, oobKasan, oobSlub, uafKasan, uafSlub } from "./slab-bugs.js";
import { softwareOverrun } from "./software-overrun.js";
import { staleDmaPower, staleDmaX86Offline } from "./stale-dma-power.js";
import { staleDmaX86Nic, staleDmaX86Nvme } from "./stale-dma-x86.js";

/** Every scenario `casefile simulate` knows, in the order `--list` shows them: every verdict of verdict.md. */
export const SCENARIOS: readonly ScenarioDefinition[] = [
  staleDmaPower,
  staleDmaX86Nvme,
  staleDmaX86Nic,
  staleDmaX86Offline,
  dmaFault,
  cacheLineCorruption,
  bitFlip,
  uafKasan,
  uafSlub,
  oobKasan,
  oobSlub,
  doubleFreeKasan,
  doubleFreeSlub,
  softwareOverrun,
  decoyUnmapped,
  inconclusiveConsoleOnly,
  inconclusiveNoDump,
];

export function scenarioByName(name: string): ScenarioDefinition {
  const def = SCENARIOS.find((s) => s.name === name);
  if (!def) throw new Error(`unknown scenario "${name}"; known: ${SCENARIOS.map((s) => s.name).join(", ")}`);
  return def;
}
