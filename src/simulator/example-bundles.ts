import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { exampleConfigYaml } from "./bundle/example-owners.js";
import type { Truth } from "./model/truth.js";
import { simulate, type SimulateOptions } from "./simulate.js";

/**
 * The bundles committed under examples/ for the README demo and the docs. Small on purpose
 * (a few thousand noise events) so the repository stays light; regenerate them with
 * `npx tsx examples/regenerate.ts` after changing the simulator. Each bundle's truth sits
 * beside it as `<dir>.truth.json`, so that `casefile analyze examples/<dir>` reads only the
 * bundle itself.
 */
export const EXAMPLE_BUNDLES: readonly { dir: string; scenario: string; options: Omit<SimulateOptions, "out"> }[] = [
  { dir: "stale-dma-power", scenario: "stale-dma-power", options: { seed: 2026, noise: 2500, gap: 0.35, callerTag: false } },
  { dir: "cache-line-x86", scenario: "cache-line-corruption", options: { seed: 64, noise: 1500, gap: 3, callerTag: false } },
  { dir: "kasan-uaf", scenario: "uaf-kasan", options: { seed: 7, noise: 800, gap: 1, callerTag: true } },
];

export async function writeExampleBundles(root: string): Promise<Truth[]> {
  const truths: Truth[] = [];
  for (const e of EXAMPLE_BUNDLES) {
    truths.push(await simulate(e.scenario, { ...e.options, out: join(root, e.dir) }));
    await rename(join(root, e.dir, "truth.json"), join(root, `${e.dir}.truth.json`));
  }
  await writeFile(join(root, "casefile.yml"), exampleConfigYaml());
  return truths;
}
