/**
 * Every verdict of verdict.md end to end: a simulated bundle per verdict goes through the built
 * CLI, as JSON (all bundles in one `--each --json` process) and as the Markdown report (one
 * process per bundle, output to a pipe). The JSON must be a valid casefile/v1 verdict that agrees
 * with the bundle's truth; the Markdown must be exactly the report the bot posts for that JSON,
 * and show the parts verdict.md "The report" asks for.
 */
import { mkdtemp, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { casefileVerdictSchema, verdictProblems, type CasefileVerdictJson } from "../../src/analysis/model/casefile-verdict-schema.js";
import type { CasefileVerdict } from "../../src/analysis/model/casefile-verdict.js";
import { VERDICT_KINDS, type VerdictKind } from "../../src/analysis/model/verdict-kind.js";
import { renderMarkdownReport } from "../../src/analysis/report/markdown-report.js";
import type { Truth } from "../../src/simulator/model/truth.js";
import { simulate } from "../../src/simulator/simulate.js";
import { BUILD_TIMEOUT_MS, ROOT, ensureBuilt, jsonLines, runCli, type CliResult } from "./build-once.js";

/** One simulator scenario per verdict (small noise: the point is the path, not the scale). */
const SCENARIO_FOR: Record<VerdictKind, string> = {
  "stale-dma": "stale-dma-x86-nic",
  "dma-fault": "dma-fault",
  "cache-line-corruption": "cache-line-corruption",
  "bit-flip": "bit-flip",
  "use-after-free": "uaf-kasan",
  "out-of-bounds": "oob-kasan",
  "double-free": "double-free-kasan",
  "software-corruption": "software-overrun",
  inconclusive: "inconclusive-console-only",
};
const CONFIG = join(ROOT, "examples/casefile.yml");

interface Case {
  verdict: VerdictKind;
  dir: string;
  truth: Truth;
  json: CasefileVerdictJson;
  markdown: CliResult;
}

let root: string;
let jsonRun: CliResult;
const cases = new Map<VerdictKind, Case>();

beforeAll(async () => {
  ensureBuilt();
  root = await mkdtemp(join(tmpdir(), "casefile-e2e-verdicts-"));
  const sims: { verdict: VerdictKind; dir: string; truth: Truth }[] = [];
  for (const verdict of VERDICT_KINDS) {
    const dir = join(root, verdict);
    const truth = await simulate(SCENARIO_FOR[verdict], { out: dir, seed: 7, noise: 400 });
    // The truth lies beside the bundle, as in examples/, so the CLI reads only the bundle.
    await rename(join(dir, "truth.json"), join(root, `${verdict}.truth.json`));
    sims.push({ verdict, dir, truth });
  }
  jsonRun = await runCli(["analyze", "--each", ...sims.map((s) => s.dir), "--json", "--config", CONFIG]);
  const verdicts = jsonLines(jsonRun.stdout) as CasefileVerdictJson[];
  const markdown = await Promise.all(sims.map((s) => runCli(["analyze", s.dir, "--config", CONFIG])));
  sims.forEach((s, i) => cases.set(s.verdict, { ...s, json: verdicts[i]!, markdown: markdown[i]! }));
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe("casefile analyze end to end, for every verdict", () => {
  it("prints one JSON verdict per bundle and exits 0", () => {
    expect(jsonRun.code, jsonRun.stderr).toBe(0);
    expect(jsonLines(jsonRun.stdout)).toHaveLength(VERDICT_KINDS.length);
    for (const c of cases.values()) expect(c.json.bundle).toBe(c.dir);
  });

  for (const verdict of VERDICT_KINDS) {
    describe(`${verdict} (${SCENARIO_FOR[verdict]})`, () => {
      it("JSON: a valid casefile/v1 verdict that agrees with the truth", () => {
        const c = cases.get(verdict)!;
        expect(verdictProblems(c.json, casefileVerdictSchema)).toEqual([]);
        expect(c.truth.verdict).toBe(verdict);
        expect(c.json.verdict).toBe(verdict);
        expect(c.json.labels).toContain(`crash:${verdict}`);
        if (verdict === "inconclusive") {
          expect(c.json.confidence).toBe(0);
          expect(c.json.labels).toContain("crash:needs-info");
          expect(c.json.missing.length).toBeGreaterThan(0);
        } else {
          expect(c.json.confidence).toBeGreaterThanOrEqual(0.5);
          expect(c.json.labels).not.toContain("crash:needs-info");
          expect(c.json.evidence.some((e) => e.verdict === verdict && e.source !== null)).toBe(true);
          expect(c.json.signature.startsWith(`${verdict}|`)).toBe(true);
        }
        if (c.truth.region) {
          expect(c.json.region).toMatchObject({ start: c.truth.region.start, end: c.truth.region.end, length: c.truth.region.length, alignment: c.truth.region.alignment });
          // The marked hex excerpt needs the bytes: a region known only from the crash report has none.
          const dumped = c.truth.files.some((f) => ["hexdump", "xxd", "crash-rd", "elf-vmcore"].includes(f.kind));
          expect(c.json.excerpt !== null).toBe(dumped);
        }
        for (const f of c.truth.frames) expect(c.json.frames).toContain(f);
        if (c.truth.suspect?.driver) expect(c.json.suspect?.driver).toBe(c.truth.suspect.driver);
        if (c.truth.owner) expect(c.json.owners[0]?.owner).toBe(c.truth.owner);
        expect(c.json.machine.arch).toBe(c.truth.machine.arch);
      });

      it("Markdown: the bot's report of that verdict, with the verdict line, evidence, timeline, hex excerpt and next steps", () => {
        const c = cases.get(verdict)!;
        const md = c.markdown.stdout;
        expect(c.markdown.code, c.markdown.stderr).toBe(0);
        expect(c.markdown.stderr).toBe("");
        // Same text the bot posts: the report rendered from the JSON verdict of the same bundle.
        expect(md).toBe(renderMarkdownReport(c.json as unknown as CasefileVerdict));
        expect(md.split("\n")[0]).toMatch(new RegExp(`^### casefile verdict: \`${verdict}\``));
        if (verdict !== "inconclusive") expect(md.split("\n")[0]).toContain(`confidence ${Math.round(c.json.confidence * 100)}%`);
        if (c.json.evidence.length > 0) {
          const section = md.slice(md.indexOf("#### Evidence"));
          expect(md).toContain("#### Evidence");
          const sourced = c.json.evidence.filter((e) => e.source !== null && (e.verdict === verdict || verdict === "inconclusive"));
          for (const e of sourced) expect(section).toContain(`\`${e.source}\``);
        } else {
          expect(verdict).toBe("inconclusive");
        }
        if (c.json.timeline.length > 0) {
          expect(md).toContain("| time (s) | event | frame | device / task | detail | source |");
          expect(md).toContain(`| \`${c.json.timeline[0]!.event}\` |`);
        } else expect(md).not.toContain("#### Timeline");
        if (c.json.region && c.json.excerpt) {
          const hex = md.slice(md.indexOf("#### Corrupted bytes"));
          expect(md).toContain(`#### Corrupted bytes (\`${c.json.region.source}\`)`);
          // The first corrupted byte is marked with `[` on the row of its 16 bytes, inside the region.
          const row = (BigInt(c.json.region.start) & ~15n).toString(16);
          expect(hex).toMatch(new RegExp(`^> 0*${row} .*\\[[0-9a-f]{2}`, "m"));
        } else expect(md).not.toContain("#### Corrupted bytes");
        if (verdict === "inconclusive") {
          const next = md.slice(md.indexOf("#### What to attach next"));
          expect(md).toContain("#### What to attach next");
          for (const m of c.json.missing) expect(next).toContain(`- ${m}`);
        }
      });
    });
  }

  it("gives byte-identical JSON for the same bundles run again", async () => {
    const again = await runCli(["analyze", "--each", ...[...cases.values()].map((c) => c.dir), "--json", "--config", CONFIG]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(jsonRun.stdout);
  });
});
