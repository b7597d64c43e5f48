import { afterAll, describe, expect, it } from "vitest";
import { analyseBesideGoodLog, row } from "./measured-analysis.js";
import { GOOD_TITLE, NASTY } from "./nasty-files.js";

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
