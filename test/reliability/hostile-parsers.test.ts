import fc from "fast-check";
import { describe, it } from "vitest";
import { PARSERS, runCase } from "./worst-case-inputs.js";

/**
 * Every parser that reads what strangers upload, on random input: the only way out is a
 * result (or the parser's own plain ConfigError). The 1 MiB worst cases of the same parsers
 * are in test/soak/parser-worst-cases.soak.ts (`npm run test:soak`).
 */

/** A sample line with a piece of another inserted, cut, or its bytes shuffled around. */
function mutatedLines(samples: readonly string[]): fc.Arbitrary<string> {
  const sample = fc.constantFrom(...samples);
  return fc.oneof(
    sample,
    fc.string({ maxLength: 120 }),
    fc.tuple(sample, fc.nat(400), fc.string({ maxLength: 12 })).map(([s, at, ins]) => s.slice(0, at) + ins + s.slice(at)),
    fc.tuple(sample, fc.nat(400)).map(([s, at]) => s.slice(0, at)),
    fc.tuple(sample, fc.nat(400), fc.nat(400)).map(([s, a, b]) => s.slice(0, Math.min(a, b)) + s.slice(Math.max(a, b))),
    fc.tuple(sample, fc.constantFrom("\u0000", "\ufffd", "\r", "\t", "0x", "ffffffffffffffffffff", "-1", "1e309", "NaN", "[", "]", "{", "}", "|", "\\")).map(([s, c]) => s.replace(/[0-9a-f]+|\s+/, c)),
  );
}

describe("random input never escapes a parser as an exception", () => {
  for (const parser of PARSERS) {
    it(parser.name, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(mutatedLines(parser.samples), { maxLength: 40 }), fc.constantFrom("\n", "\r\n"), async (lines, eol) => {
          await runCase(parser, lines.join(eol));
        }),
        { numRuns: 150 },
      );
    });
  }
});
