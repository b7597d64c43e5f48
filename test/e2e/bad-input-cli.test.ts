/**
 * Bad input at the CLI boundary (built CLI): nothing usable is exit 2 with one plain line on
 * stderr and nothing on stdout; a usable bundle with junk beside it is exit 0 with the junk listed
 * in `artifacts` with its warning; a bad option is exit 2; the same input gives byte-identical
 * output.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { casefileVerdictSchema, verdictProblems, type CasefileVerdictJson } from "../../src/analysis/model/casefile-verdict-schema.js";
import { gzippedZeros, makeTar } from "../ingest/archive-builders.js";
import { BUILD_TIMEOUT_MS, ROOT, ensureBuilt, jsonLines, runCli } from "./build-once.js";

/** A symbolised syzkaller report (Apache-2.0, see test/fixtures/e2e/README.md). */
const GOOD_LOG = join(ROOT, "test/fixtures/e2e/syzkaller-guilty-45-cm109.txt");
const EXAMPLE = join(ROOT, "examples/stale-dma-power");
const EXAMPLE_CONFIG = join(ROOT, "examples/casefile.yml");

let root: string;
let binary: string;
let truncatedGz: string;

beforeAll(async () => {
  ensureBuilt();
  root = await mkdtemp(join(tmpdir(), "casefile-e2e-bad-"));
  binary = join(root, "random.bin");
  // Any 64 KiB of random bytes is binary to the sniffer (NULs and invalid UTF-8 throughout).
  await writeFile(binary, randomBytes(64 * 1024));
  truncatedGz = join(root, "console.log.gz");
  const gz = gzipSync(await readFile(GOOD_LOG));
  await writeFile(truncatedGz, gz.subarray(0, Math.floor(gz.length / 2)));
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe("casefile analyze on bad input", () => {
  it("random binary only: exit 2, one line saying why, nothing on stdout (JSON or Markdown)", async () => {
    for (const format of [["--json"], []]) {
      const run = await runCli(["analyze", binary, ...format]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      const line = oneLine(run.stderr);
      expect(line).toMatch(/^casefile: /);
      expect(line).toContain(binary);
      expect(line).toMatch(/not recognise|console log, trace, memory dump/);
    }
  });

  it("a path that does not exist: exit 2, one line naming it", async () => {
    const missing = join(root, "no-such-bundle");
    const run = await runCli(["analyze", missing, "--json"]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(oneLine(run.stderr)).toContain(missing);
  });

  it("one good console log beside a binary file and a truncated .gz: exit 0, the junk listed with warnings", async () => {
    const run = await runCli(["analyze", GOOD_LOG, binary, truncatedGz, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const lines = jsonLines(run.stdout) as CasefileVerdictJson[];
    expect(lines).toHaveLength(1);
    const v = lines[0]!;
    expect(verdictProblems(v, casefileVerdictSchema)).toEqual([]);
    expect(v.crash?.frame).toBe("cm109_submit_buzz_toggle");
    const bin = v.artifacts.find((a) => a.name === binary);
    expect(bin).toMatchObject({ kind: "unknown", bytes: 64 * 1024 });
    expect(bin!.warnings.length).toBeGreaterThan(0);
    expect(bin!.warnings[0]).toMatch(/[Bb]inary/);
    const gz = v.artifacts.filter((a) => a.name.startsWith(truncatedGz));
    expect(gz.length).toBeGreaterThan(0);
    expect(gz.flatMap((a) => a.warnings).join(" ")).toMatch(/truncated|unexpected end|corrupt|incomplete/i);
    expect(v.artifacts.find((a) => a.name === GOOD_LOG)).toMatchObject({ kind: "console-log", warnings: [] });
  });

  it("--each: the unusable bundle still gets its line, in order, and the run exits 0 when another one is usable", async () => {
    const run = await runCli(["analyze", "--each", binary, GOOD_LOG, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const lines = jsonLines(run.stdout) as CasefileVerdictJson[];
    expect(lines.map((v) => v.bundle)).toEqual([binary, GOOD_LOG]);
    expect(lines[0]!.crash).toBeNull();
    expect(lines[0]!.artifacts[0]!.kind).toBe("unknown");
    expect(lines[1]!.crash).not.toBeNull();
  });

  it("--arch bogus: exit 2, the first stderr line names the value and the arches allowed, nothing on stdout", async () => {
    const run = await runCli(["analyze", GOOD_LOG, "--arch", "bogus", "--json"]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    const first = run.stderr.split("\n")[0]!;
    expect(first).toContain("bogus");
    expect(first).toContain("x86_64, ppc64le, ppc64 or arm64");
  });

  it("--page-size that is not a power of two: exit 2", async () => {
    const run = await runCli(["analyze", GOOD_LOG, "--page-size", "5000", "--json"]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.split("\n")[0]).toContain("5000");
  });
});

describe("determinism", () => {
  it("the same input twice gives byte-identical JSON and Markdown", async () => {
    const args = [EXAMPLE, GOOD_LOG, binary, "--config", EXAMPLE_CONFIG];
    const [json1, json2, md1, md2] = await Promise.all([
      runCli(["analyze", ...args, "--json"]),
      runCli(["analyze", ...args, "--json"]),
      runCli(["analyze", ...args]),
      runCli(["analyze", ...args]),
    ]);
    for (const r of [json1, json2, md1, md2]) expect(r!.code, r!.stderr).toBe(0);
    expect(json1!.stdout.length).toBeGreaterThan(1000);
    expect(json2!.stdout).toBe(json1!.stdout);
    expect(md2!.stdout).toBe(md1!.stdout);
    const v = jsonLines(json1!.stdout)[0] as CasefileVerdictJson;
    expect(verdictProblems(v)).toEqual([]);
    expect(v.verdict).toBe("stale-dma");
  });
});

describe("hostile archives through the CLI", () => {
  it("a tar.gz with a ../ entry, a gzip bomb over the file limit and an invalid UTF-8 log: exit 0, warnings, nothing written outside", async () => {
    const dir = join(root, "hostile");
    const cwd = join(dir, "cwd");
    await mkdir(cwd, { recursive: true });
    const log = await readFile(GOOD_LOG);
    const tarGz = gzipSync(await makeTar([{ name: "../../escape.txt", data: log }, { name: "notes.txt", data: "hello" }]));
    await writeFile(join(dir, "bundle.tar.gz"), tarGz);
    await writeFile(join(dir, "bomb.log.gz"), await gzippedZeros(64));
    // A console log with invalid UTF-8 sprinkled through (a serial console's line noise).
    const noisy = Buffer.concat([Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x0a]), log, Buffer.from([0xed, 0xa0, 0x80, 0x0a])]);
    await writeFile(join(dir, "serial.log"), noisy);
    const config = join(dir, "limits.yml");
    await writeFile(config, "artifacts:\n  max_file_bytes: 8388608\n");
    const run = await runCli(["analyze", join(dir, "bundle.tar.gz"), join(dir, "bomb.log.gz"), join(dir, "serial.log"), "--json", "--config", config], { cwd });
    expect(run.code, run.stderr).toBe(0);
    const v = jsonLines(run.stdout)[0] as CasefileVerdictJson;
    expect(verdictProblems(v)).toEqual([]);
    expect(v.crash?.frame).toBe("cm109_submit_buzz_toggle");
    const bomb = v.artifacts.filter((a) => a.name.includes("bomb.log.gz"));
    expect(bomb.flatMap((a) => a.warnings).join(" ")).toMatch(/limit|larger|exceeds|max_file_bytes/i);
    const warned = [...v.warnings, ...v.artifacts.flatMap((a) => a.warnings)].join(" ");
    expect(warned).toMatch(/\.\./);
    for (const escaped of [join(cwd, "../escape.txt"), join(dir, "../escape.txt"), join(tmpdir(), "escape.txt")]) expect(existsSync(escaped), escaped).toBe(false);
  });
});
