import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseCount, parseGap, registerSimulate } from "../../src/cli/simulate-command.js";

describe("casefile simulate: command line", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it("reads counts and durations as people write them", () => {
    expect(parseCount("5000")).toBe(5000);
    expect(parseCount("2e6")).toBe(2_000_000);
    expect(parseCount("300k")).toBe(300_000);
    expect(parseCount("100M")).toBe(100_000_000);
    expect(() => parseCount("lots")).toThrow(/a count such as/);
    expect(parseGap("250us")).toBeCloseTo(0.00025, 9);
    expect(parseGap("0.5ms")).toBeCloseTo(0.0005, 9);
    expect(parseGap("2")).toBe(2);
    expect(parseGap("3m")).toBe(180);
    expect(() => parseGap("0s")).toThrow(/more than zero/);
    expect(() => parseGap("soon")).toThrow(/a duration such as/);
  });

  it("writes a bundle with the knobs given and says what it wrote", async () => {
    const out = await mkdtemp(join(tmpdir(), "casefile-simcli-"));
    const writes: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      const program = new Command("casefile").exitOverride();
      registerSimulate(program);
      await program.parseAsync(["simulate", "bit-flip", "--out", out, "--seed", "3", "--arch", "ppc64le", "--noise", "2k", "--trace-format", "trace-cmd", "--memory", "xxd", "--kernel", "legacy"], { from: "user" });
      const truth = JSON.parse(await readFile(join(out, "truth.json"), "utf8"));
      expect(truth).toMatchObject({ scenario: "bit-flip", seed: 3, verdict: "bit-flip", machine: { arch: "ppc64le", page_size: 65536 } });
      expect(truth.files.map((f: { kind: string }) => f.kind).sort()).toEqual(["console-log", "symbol-map", "trace-cmd", "xxd"]);
      expect(writes.join("")).toMatch(/bit-flip seed 3 \(ppc64le, 65536 B pages\) -> bit-flip; 4 files, \d+ bytes, 20\d\d trace events/);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it("lists the scenarios, and refuses an unknown one with exit code 2", async () => {
    const writes: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    const errors: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      errors.push(String(chunk));
      return true;
    });
    const program = new Command("casefile").exitOverride();
    registerSimulate(program);
    await program.parseAsync(["simulate", "--list"], { from: "user" });
    expect(writes.join("")).toMatch(/^stale-dma-power\s+ppc64le\s+POWER, 64K pages/m);
    const again = new Command("casefile").exitOverride();
    registerSimulate(again);
    await again.parseAsync(["simulate", "no-such", "--out", join(tmpdir(), "casefile-never")], { from: "user" });
    expect(process.exitCode).toBe(2);
    expect(errors.join("")).toMatch(/unknown scenario "no-such"/);
  });
});
