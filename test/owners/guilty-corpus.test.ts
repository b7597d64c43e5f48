import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { guiltyFile } from "../../src/analysis/owners/guilty-file.js";

// syzkaller's guilty-file test data (Apache-2.0): `FILE: path`, a blank line, then the report.
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const corpusDir = process.env.CASEFILE_GUILTY_CORPUS ?? resolve(root, "../shared/corpus/syzkaller/linux-guilty");
const missesFile = join(root, "test/fixtures/owners/guilty-corpus-misses.json");
const MIN_RATE = 0.9;

interface Case {
  name: string;
  want: string | null;
  report: string;
}

function loadCorpus(): Case[] {
  return readdirSync(corpusDir)
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
    .map((name) => {
      const text = readFileSync(join(corpusDir, name), "utf8");
      const m = /^FILE:[ \t]*(.*)\r?\n\r?\n?/.exec(text);
      if (!m) throw new Error(`${name}: no FILE: header`);
      return { name, want: m[1]!.trim() || null, report: text.slice(m[0].length) };
    });
}

describe("guilty file on the syzkaller linux-guilty corpus", () => {
  const cases = loadCorpus();
  const misses = new Set<string>((JSON.parse(readFileSync(missesFile, "utf8")) as { misses: string[] }).misses);
  const results = cases.map((c) => ({ ...c, got: guiltyFile(c.report) }));

  it("reads every file of the corpus", () => {
    expect(cases.length).toBeGreaterThan(40);
  });

  it(`names the expected file for at least ${MIN_RATE * 100}% of the reports`, () => {
    const hits = results.filter((r) => r.got === r.want).length;
    expect(hits / results.length).toBeGreaterThanOrEqual(MIN_RATE);
  });

  it("fails only on the checked-in misses, and every listed miss still fails (the list may only shrink)", () => {
    const unexpected = results.filter((r) => r.got !== r.want && !misses.has(r.name)).map((r) => `${r.name}: want ${r.want} got ${r.got}`);
    const nowPassing = results.filter((r) => r.got === r.want && misses.has(r.name)).map((r) => r.name);
    expect(unexpected).toEqual([]);
    expect(nowPassing).toEqual([]);
  });
});
