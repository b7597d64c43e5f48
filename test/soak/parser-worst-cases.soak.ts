import { describe, expect, it } from "vitest";
import { casesOf, PARSERS, runCase } from "../reliability/worst-case-inputs.js";

/**
 * The 1 MiB worst cases of every parser's patterns complete: a catastrophically backtracking
 * (quadratic or worse) pattern turns one of them into minutes and the test times out. Times
 * are measured by test/reliability/measure-worst-cases.ts into docs/reliability.md, never
 * asserted here.
 */
describe("1 MiB worst cases of every pattern complete (no catastrophic backtracking)", () => {
  for (const parser of PARSERS) {
    it(parser.name, async () => {
      const cases = casesOf(parser);
      expect(cases.length).toBeGreaterThan(10);
      for (const c of cases) {
        await expect(runCase(parser, c.text), c.label).resolves.toBeTypeOf("number");
      }
    }, 180_000);
  }
});
