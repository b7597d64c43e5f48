import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/analysis/config/casefile-config.js";
import { ingestPaths } from "../../src/analysis/ingest/index.js";
import { gzip, makeTar } from "../ingest/archive-builders.js";
import { analyseBesideGoodLog, row } from "./measured-analysis.js";
import { GOOD_CONSOLE, GOOD_TITLE, NASTY } from "./nasty-files.js";

/**
 * The small half of the nasty corpus through ingest and the whole analysis, beside a good
 * console log: a plain-words warning for the nasty file, and the crash still found. The
 * bombs and the 200 MB line are in test/soak/nasty-corpus.soak.ts.
 */
const rows: string[] = [];
afterAll(() => console.info(`\n${rows.join("\n")}\n`));

describe("nasty files give warnings, and the rest of the bundle is still analysed", () => {
  for (const nasty of NASTY.filter((n) => !n.heavy)) {
    it(nasty.what, async () => {
      const run = await analyseBesideGoodLog(nasty);
      expect(run.warnings).toMatch(nasty.warning);
      expect(run.verdict.crash?.title).toMatch(GOOD_TITLE);
      expect(run.verdict.artifacts.some((a) => a.name.endsWith("console.log") && a.kind === "console-log")).toBe(true);
      if (nasty.kind) expect(run.verdict.artifacts.find((a) => a.name.includes(nasty.name))?.kind).toBe(nasty.kind);
      rows.push(row(nasty, run));
    });
  }
});

describe("a bomb cannot crowd the small files after it out of the bundle", () => {
  it("a tar of zeros that fills the bundle, then the console log: the log is still read", async () => {
    const dir = await mkdtemp(join(tmpdir(), "casefile-crowd-"));
    try {
      const zeros = Buffer.alloc(1024 * 1024);
      await writeFile(join(dir, "a.tgz"), gzip(await makeTar(Array.from({ length: 20 }, (_, i) => ({ name: `z${i}`, data: zeros })))));
      await writeFile(join(dir, "b.log"), GOOD_CONSOLE);
      const limits = { ...DEFAULT_CONFIG.artifacts, max_bundle_bytes: 8 * 1024 * 1024 };
      const bundle = await ingestPaths([join(dir, "a.tgz"), join(dir, "b.log")], limits);
      try {
        expect(bundle.warnings.join(" ")).toMatch(/reached its limit of 8 MiB/);
        const log = bundle.artifacts.find((a) => a.name.endsWith("b.log"));
        expect(log?.kind).toBe("console-log");
        expect(log?.bytes).toBe(GOOD_CONSOLE.length);
      } finally {
        await bundle.dispose();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
