import { afterAll, describe, expect, it } from "vitest";
import { analyseBesideGoodLog, row } from "../reliability/measured-analysis.js";
import { GOOD_TITLE, NASTY } from "../reliability/nasty-files.js";

/**
 * The heavy half of the nasty corpus (gzip and zip bombs, flat and nested; a 200 MB single
 * line) through ingest and the whole analysis, beside a good console log. Time and peak RSS
 * are printed for docs/reliability.md; the bound on memory is asserted loosely (a bomb that
 * inflated into memory would show gigabytes).
 */
const rows: string[] = [];
afterAll(() => console.info(`\n${rows.join("\n")}\n`));

describe("bombs and giant lines cost bounded time and memory, with a warning", () => {
  for (const nasty of NASTY.filter((n) => n.heavy)) {
    it(nasty.what, async () => {
      const run = await analyseBesideGoodLog(nasty);
      expect(run.warnings).toMatch(nasty.warning);
      expect(run.verdict.crash?.title).toMatch(GOOD_TITLE);
      expect(run.peakRssDeltaMiB).toBeLessThan(1024);
      rows.push(row(nasty, run));
    }, 300_000);
  }
});
