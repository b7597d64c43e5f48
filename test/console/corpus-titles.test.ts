/**
 * The measure of the crash-report parser: every file of syzkaller's linux-report corpus
 * (Apache-2.0, see ../shared/corpus/README.md) must get syzbot's exact TITLE, and every file
 * without one must give crash: null. ALT titles do not count: syzkaller's own report_test.go
 * compares them with the parser's *alternative* titles, never accepts them as the main title.
 * Files that do not match yet are listed in title-mismatches.txt; the list may only shrink.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseConsoleLog } from "../../src/analysis/console/index.js";

const CORPUS = fileURLToPath(new URL("../../../shared/corpus/syzkaller/linux-report", import.meta.url));
const MISMATCHES = fileURLToPath(new URL("./title-mismatches.txt", import.meta.url));
const MIN_TITLE_RATE = 0.9;

interface CorpusCase {
  file: string;
  title: string | null;
  log: string;
}

function readCase(file: string): CorpusCase {
  const text = readFileSync(`${CORPUS}/${file}`, "latin1");
  // Header "KEY: value" lines up to the first blank line, then the log.
  const blank = text.indexOf("\n\n");
  const header = blank === -1 ? "" : text.slice(0, blank);
  let log = blank === -1 ? text : text.slice(blank + 2);
  const report = log.indexOf("\nREPORT:\n");
  if (report !== -1) log = log.slice(0, report);
  const title = /^TITLE: (.*)$/m.exec(header)?.[1] ?? null;
  return { file, title, log };
}

const listed = new Set(
  readFileSync(MISMATCHES, "utf8")
    .split("\n")
    .map((l) => l.replace(/#.*/, "").trim())
    .filter(Boolean),
);

describe("syzkaller linux-report corpus", () => {
  if (!existsSync(CORPUS)) throw new Error(`the syzkaller corpus is missing at ${CORPUS}`);
  const files = readdirSync(CORPUS).sort((a, b) => Number(a) - Number(b));
  const results = files.map((file) => {
    const c = readCase(file);
    const got = parseConsoleLog(c.log, file).crash?.title ?? null;
    return { ...c, got, ok: got === c.title };
  });

  it("titles at least 90% of the crashes exactly", () => {
    const titled = results.filter((r) => r.title !== null);
    const rate = titled.filter((r) => r.ok).length / titled.length;
    expect(titled.length).toBeGreaterThan(400);
    expect(rate).toBeGreaterThanOrEqual(MIN_TITLE_RATE);
  });

  it("finds no crash in logs without one", () => {
    const untitled = results.filter((r) => r.title === null && !listed.has(r.file));
    expect(untitled.filter((r) => r.got !== null).map((r) => `${r.file}: ${r.got}`)).toEqual([]);
  });

  it("fails only on the listed files", () => {
    const unexpected = results.filter((r) => !r.ok && !listed.has(r.file)).map((r) => `${r.file}: want ${r.title} got ${r.got}`);
    expect(unexpected).toEqual([]);
  });

  it("lists no file that now matches (prune title-mismatches.txt)", () => {
    const fixed = results.filter((r) => r.ok && listed.has(r.file)).map((r) => r.file);
    expect(fixed).toEqual([]);
  });
});
