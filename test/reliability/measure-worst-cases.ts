/**
 * Times every parser on its 1 MiB worst-case inputs and prints a Markdown table for
 * docs/reliability.md. Timings are measured here, never asserted in tests.
 *   nice npx tsx test/reliability/measure-worst-cases.ts
 */
import { casesOf, MiB, PARSERS, runCase } from "./worst-case-inputs.js";

const rows: string[] = ["| Parser | Inputs (size) | Slowest input | Slowest (ms) | All inputs (ms) |", "|---|---:|---|---:|---:|"];
for (const parser of PARSERS) {
  const cases = casesOf(parser);
  let worst = { label: "", ms: 0 };
  let total = 0;
  for (const c of cases) {
    const ms = await runCase(parser, c.text);
    total += ms;
    if (ms > worst.ms) worst = { label: c.label, ms };
  }
  rows.push(`| ${parser.name} | ${cases.length} (${(parser.size ?? MiB) / 1024} KiB) | ${worst.label.replace(/\|/g, "\\|")} | ${worst.ms.toFixed(0)} | ${total.toFixed(0)} |`);
  process.stderr.write(`${parser.name}: slowest ${worst.ms.toFixed(0)} ms (${worst.label})\n`);
}
process.stdout.write(rows.join("\n") + "\n");
