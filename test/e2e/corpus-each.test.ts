/**
 * `casefile analyze --each <every syzkaller linux-report file> --json` through the built CLI, one
 * process for the whole corpus (Apache-2.0, see ../shared/corpus/README.md): one verdict line per
 * file in argument order, each a valid casefile/v1 verdict naming its bundle; a crash exactly for
 * the files with a TITLE header. The title rate is measured on the logs as the console parser's
 * own corpus test reads them (header and REPORT section cut off, written to a temp folder): the
 * raw corpus files start with `TITLE: <the title>`, metadata that is not console output.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConsoleLog } from "../../src/analysis/console/index.js";
import { casefileVerdictSchema, verdictProblems, type CasefileVerdictJson } from "../../src/analysis/model/casefile-verdict-schema.js";
import { BUILD_TIMEOUT_MS, ensureBuilt, jsonLines, runCli, type CliResult } from "./build-once.js";

const CORPUS = join(import.meta.dirname, "../../../shared/corpus/syzkaller/linux-report");
const MIN_TITLE_RATE = 0.9;
/**
 * Corpus files whose log the console parser titles but ingest does not recognise as a console
 * log (no kernel line in it), so the CLI reports no crash. Reported to the ingest owner; this
 * list may only shrink: the test fails when one of them agrees.
 * - 129: the log is the single line "INFO:" (syzbot: "INFO: corrupted").
 * - 601: syz-executor's SYZFAIL output, no kernel line.
 * - 705: a Go runtime panic of syz-fuzzer, no kernel line.
 */
const NOT_SNIFFED_AS_CONSOLE = ["129", "601", "705"];

interface CorpusFile {
  path: string;
  title: string | null;
  log: string;
}

function readCorpusFile(path: string): CorpusFile {
  const text = readFileSync(path, "latin1");
  const blank = text.indexOf("\n\n");
  const header = blank === -1 ? "" : text.slice(0, blank);
  let log = blank === -1 ? text : text.slice(blank + 2);
  const report = log.indexOf("\nREPORT:\n");
  if (report !== -1) log = log.slice(0, report);
  return { path, title: /^TITLE: (.*)$/m.exec(header)?.[1] ?? null, log };
}

if (!existsSync(CORPUS)) throw new Error(`the syzkaller corpus is missing at ${CORPUS}`);
const files = readdirSync(CORPUS)
  .sort((a, b) => Number(a) - Number(b))
  .map((f) => readCorpusFile(join(CORPUS, f)));

let logsDir: string;
let logPaths: string[];
let run: CliResult;
let raw: CasefileVerdictJson[];
let logs: CasefileVerdictJson[];

beforeAll(async () => {
  ensureBuilt();
  logsDir = mkdtempSync(join(tmpdir(), "casefile-e2e-corpus-"));
  logPaths = files.map((f, i) => {
    const p = join(logsDir, `${i}.log`);
    writeFileSync(p, f.log, "latin1");
    return p;
  });
  run = await runCli(["analyze", "--each", ...files.map((f) => f.path), ...logPaths, "--json"]);
  const lines = jsonLines(run.stdout) as CasefileVerdictJson[];
  raw = lines.slice(0, files.length);
  logs = lines.slice(files.length);
}, BUILD_TIMEOUT_MS);

afterAll(() => {
  if (logsDir) rmSync(logsDir, { recursive: true, force: true });
});

describe("casefile analyze --each over the syzkaller corpus", () => {
  it("exits 0 with exactly one JSON line per file, in argument order, each naming its bundle", () => {
    expect(run.code, run.stderr).toBe(0);
    expect(files.length).toBeGreaterThan(500);
    expect(raw.length + logs.length).toBe(2 * files.length);
    expect(raw.map((v) => v.bundle)).toEqual(files.map((f) => f.path));
    expect(logs.map((v) => v.bundle)).toEqual(logPaths);
  });

  it("prints only valid casefile/v1 verdicts", () => {
    const invalid = [...raw, ...logs].flatMap((v) => verdictProblems(v, casefileVerdictSchema).map((p) => `${v.bundle}: ${p}`));
    expect(invalid).toEqual([]);
  });

  it("gives a crash for every file with a TITLE header and crash: null for every file without", () => {
    const wrong = raw.filter((v, i) => (files[i]!.title !== null) !== (v.crash !== null)).map((v) => `${v.bundle}: ${v.crash?.title ?? "null"}`);
    expect(wrong).toEqual([]);
    expect(raw.filter((v) => v.crash === null).length).toBe(files.filter((f) => f.title === null).length);
  });

  it("titles the crashes through the CLI exactly as the console parser does, at least 90% exactly syzbot's", () => {
    const titled = files.map((f, i) => ({ f, got: logs[i]!.crash?.title ?? null })).filter((r) => r.f.title !== null);
    const rate = titled.filter((r) => r.got === r.f.title).length / titled.length;
    expect(rate).toBeGreaterThanOrEqual(MIN_TITLE_RATE);
    // The CLI (ingest, kind sniffing, analysis) must not lose or change what the parser finds.
    const differ = files
      .map((f, i) => ({ file: f.path, parser: parseConsoleLog(f.log, logPaths[i]!).crash?.title ?? null, cli: logs[i]!.crash?.title ?? null }))
      .filter((d) => d.parser !== d.cli);
    expect(differ.map((d) => d.file.split("/").pop())).toEqual(NOT_SNIFFED_AS_CONSOLE);
    expect(differ.every((d) => d.cli === null)).toBe(true);
  });

  it("titles the raw corpus files (with their TITLE header) at least 90% exactly as syzbot does", () => {
    // The header is test-data metadata; a title quoting a crash line must not start a report.
    const titled = files.map((f, i) => ({ f, got: raw[i]!.crash?.title ?? null })).filter((r) => r.f.title !== null);
    const rate = titled.filter((r) => r.got === r.f.title).length / titled.length;
    expect(rate).toBeGreaterThanOrEqual(MIN_TITLE_RATE);
  });

  it("finds no crash in logs without one, read as logs", () => {
    const found = logs.filter((v, i) => files[i]!.title === null && v.crash !== null).map((v) => `${v.bundle}: ${v.crash!.title}`);
    expect(found).toEqual([]);
  });
});
