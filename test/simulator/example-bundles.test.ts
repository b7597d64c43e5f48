import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeBundle } from "../../src/analysis/analyze.js";
import { parseConfig } from "../../src/analysis/config/casefile-config.js";
import { ingestPaths } from "../../src/analysis/ingest/index.js";
import { EXAMPLE_BUNDLES, writeExampleBundles } from "../../src/simulator/example-bundles.js";
import type { Truth } from "../../src/simulator/model/truth.js";
import { mismatches } from "./truth-check.js";

/** The committed examples are what the README demo and the docs show: they must stay right, small and current. */
describe("examples/", () => {
  for (const e of EXAMPLE_BUNDLES) {
    it(`${e.dir}: the analysis agrees with ${e.dir}.truth.json under examples/casefile.yml`, async () => {
      const config = parseConfig(await readFile("examples/casefile.yml", "utf8"), "examples/casefile.yml");
      const truth = JSON.parse(await readFile(`examples/${e.dir}.truth.json`, "utf8")) as Truth;
      const bundle = await ingestPaths([`examples/${e.dir}`], config.artifacts, `examples/${e.dir}`);
      try {
        const verdict = await analyzeBundle(bundle, { config });
        expect(mismatches(verdict, truth)).toEqual([]);
        expect(verdict.artifacts.every((a) => a.kind !== "unknown")).toBe(true);
      } finally {
        await bundle.dispose();
      }
    });
  }

  it("keeps every example bundle under 1 MB", async () => {
    for (const e of EXAMPLE_BUNDLES) {
      let bytes = 0;
      for (const f of await readdir(`examples/${e.dir}`)) bytes += (await stat(join("examples", e.dir, f))).size;
      expect(bytes).toBeLessThan(1_000_000);
    }
  });

  it("matches what the simulator writes today (regenerate with npx tsx examples/regenerate.ts)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "casefile-examples-"));
    try {
      await writeExampleBundles(dir);
      const digest = async (root: string, sub: string) => {
        const h = createHash("sha256");
        for (const f of (await readdir(join(root, sub))).sort()) h.update(f).update(await readFile(join(root, sub, f)));
        return h.digest("hex");
      };
      for (const e of EXAMPLE_BUNDLES) {
        expect(await digest(dir, e.dir), e.dir).toBe(await digest("examples", e.dir));
        expect(await readFile(join(dir, `${e.dir}.truth.json`), "utf8")).toBe(await readFile(`examples/${e.dir}.truth.json`, "utf8"));
      }
      expect(await readFile(join(dir, "casefile.yml"), "utf8")).toBe(await readFile("examples/casefile.yml", "utf8"));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
