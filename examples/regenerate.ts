// Rewrites the example bundles from the simulator: npx tsx examples/regenerate.ts
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { writeExampleBundles } from "../src/simulator/example-bundles.js";

const here = dirname(fileURLToPath(import.meta.url));
for (const t of await writeExampleBundles(here)) {
  console.log(`${t.scenario}: ${t.verdict}, ${t.files.reduce((a, f) => a + f.bytes, 0)} bytes`);
}
