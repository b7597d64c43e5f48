/**
 * The guilty source file as the product prints it: every report of syzkaller's linux-guilty corpus
 * (Apache-2.0, see ../shared/corpus/README.md) through one `casefile analyze --each --json`
 * process, `guilty_file` against the file's `FILE:` header. test/owners/guilty-corpus.test.ts
 * measures the guilty-file finder alone; this measures what reaches the verdict after the
 * analysis picked its suspect. Files that differ are listed in
 * test/fixtures/e2e/guilty-cli-misses.json, which may only shrink.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verdictProblems, type CasefileVerdictJson } from "../../src/analysis/model/casefile-verdict-schema.js";
import { BUILD_TIMEOUT_MS, ROOT, ensureBuilt, jsonLines, runCli, type CliResult } from "./build-once.js";

const CORPUS = join(ROOT, "../shared/corpus/syzkaller/linux-guilty");
const MISSES = join(ROOT, "test/fixtures/e2e/guilty-cli-misses.json");

const cases = readdirSync(CORPUS)
  .sort((a, b) => Number(a) - Number(b))
  .map((name) => {
    const text = readFileSync(join(CORPUS, name), "utf8");
    const m = /^FILE:[ \t]*(.*)\r?\n\r?\n?/.exec(text);
    if (!m) throw new Error(`${name}: no FILE: header`);
    return { name, want: m[1]!.trim() || null, report: text.slice(m[0].length) };
  });
const listed = new Set((JSON.parse(readFileSync(MISSES, "utf8")) as { misses: string[] }).misses);

let dir: string;
let run: CliResult;
let verdicts: CasefileVerdictJson[];

beforeAll(async () => {
  ensureBuilt();
  // The report alone, as a user attaches it: the FILE: header is the corpus's answer, not log.
  dir = mkdtempSync(join(tmpdir(), "casefile-e2e-guilty-"));
  const paths = cases.map((c) => {
    const p = join(dir, `${c.name}.log`);
    writeFileSync(p, c.report);
    return p;
  });
  run = await runCli(["analyze", "--each", ...paths, "--json"]);
  verdicts = jsonLines(run.stdout) as CasefileVerdictJson[];
}, BUILD_TIMEOUT_MS);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("guilty_file through the CLI on the syzkaller linux-guilty corpus", () => {
  const results = () => cases.map((c, i) => ({ ...c, got: verdicts[i]?.guilty_file ?? null }));

  it("prints one valid verdict per report", () => {
    expect(run.code, run.stderr).toBe(0);
    expect(cases.length).toBeGreaterThan(40);
    expect(verdicts).toHaveLength(cases.length);
    expect(verdicts.flatMap((v) => verdictProblems(v).map((p) => `${v.bundle}: ${p}`))).toEqual([]);
  });

  it("fails only on the listed files", () => {
    const unexpected = results().filter((r) => r.got !== r.want && !listed.has(r.name));
    expect(unexpected.map((r) => `${r.name}: want ${r.want} got ${r.got}`)).toEqual([]);
  });

  it("lists no file that now matches (prune guilty-cli-misses.json)", () => {
    expect(results().filter((r) => r.got === r.want && listed.has(r.name)).map((r) => r.name)).toEqual([]);
  });
});
