import { existsSync } from "node:fs";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/analysis/config/casefile-config.js";
import { ingestPaths } from "../../src/analysis/ingest/path-ingest.js";
import { mergeBundles } from "../../src/analysis/ingest/merge-bundles.js";
import { elfCore, gzip, makeTar, makeZip, readAll, withTempDir, zipEntry } from "./archive-builders.js";

const limits = DEFAULT_CONFIG.artifacts;
const FIX = join(import.meta.dirname, "../fixtures/ingest");
const CONSOLE = "[  812.000456] BUG: KASAN: use-after-free in foo+0x1/0x2\n[  812.000460] Read of size 8 at addr ffff888012acfc20 by task a/1\n";

describe("ingestPaths", () => {
  it("walks directories recursively and keeps plain files' own paths", async () => {
    await withTempDir(async (dir) => {
      await mkdir(join(dir, "sub"));
      await writeFile(join(dir, "a-log"), CONSOLE);
      await writeFile(join(dir, "sub", "zz"), await readFile(join(FIX, "System.map.txt")));
      const bundle = await ingestPaths([dir], limits);
      expect(bundle.name).toBe(dir);
      expect(bundle.artifacts.map((a) => [a.name, a.kind, a.path])).toEqual([
        [join(dir, "a-log"), "console-log", join(dir, "a-log")],
        [join(dir, "sub", "zz"), "symbol-map", join(dir, "sub", "zz")],
      ]);
      expect((await readAll(bundle.artifacts[0].open())).toString()).toBe(CONSOLE);
      // open() streams afresh each call
      expect((await readAll(bundle.artifacts[0].open())).toString()).toBe(CONSOLE);
      await bundle.dispose();
    });
  });

  it("opens .tar.gz, .zip and nested archives by content, whatever their names", async () => {
    await withTempDir(async (dir) => {
      const trace = await readFile(join(FIX, "ftrace-noheader.txt"));
      const inner = makeZip([zipEntry("deep/events", await readFile(join(FIX, "events.jsonl")))]);
      const tgz = gzip(await makeTar([
        { name: "logs", type: "directory" },
        { name: "logs/console", data: CONSOLE },
        { name: "trace.gz", data: gzip(trace) },
        { name: "inner.bin", data: inner },
      ]));
      await writeFile(join(dir, "bundle.txt"), tgz); // misleading name on purpose
      const bundle = await ingestPaths([join(dir, "bundle.txt")], limits, "my bundle");
      expect(bundle.name).toBe("my bundle");
      const p = join(dir, "bundle.txt");
      expect(bundle.artifacts.map((a) => [a.name, a.kind, a.bytes])).toEqual([
        [`${p}:logs/console`, "console-log", CONSOLE.length],
        [`${p}:trace.gz`, "ftrace", trace.length],
        [`${p}:inner.bin:deep/events`, "jsonl-events", expect.any(Number)],
      ]);
      expect((await readAll(bundle.artifacts[1].open())).equals(trace)).toBe(true);
      expect(bundle.artifacts.every((a) => a.warnings.length === 0)).toBe(true);
      expect(bundle.artifacts.every((a) => a.path === undefined)).toBe(true);
      await bundle.dispose();
    });
  });

  it("spools an ELF core from an archive to a counter-named private file, removed by dispose()", async () => {
    await withTempDir(async (dir) => {
      const core = elfCore("be", 10_000);
      await writeFile(join(dir, "c.tar"), await makeTar([{ name: "vmcore-evil-name", data: core }]));
      await writeFile(join(dir, "plain-core"), elfCore("le"));
      const bundle = await ingestPaths([join(dir, "c.tar"), join(dir, "plain-core")], limits);
      const [spooled, plain] = bundle.artifacts;
      expect(spooled.kind).toBe("elf-vmcore");
      expect(spooled.path).toBeDefined();
      expect(spooled.path).not.toContain("vmcore-evil-name");
      expect(spooled.path!.startsWith(dir)).toBe(false);
      expect((await readFile(spooled.path!)).equals(core)).toBe(true);
      expect(plain.path).toBe(join(dir, "plain-core"));
      await bundle.dispose();
      expect(existsSync(spooled.path!)).toBe(false);
      expect(existsSync(dirname(spooled.path!))).toBe(false);
      await bundle.dispose(); // twice is safe
    });
  });

  it("spools large archive entries instead of holding them, and streams them back", async () => {
    await withTempDir(async (dir) => {
      const line = "            java-4242    [007] .....   810.932786: mm_page_alloc: page=000000009af26054 pfn=0x54d7 order=0\n";
      const big = Buffer.from(line.repeat(Math.ceil((12 * 1024 * 1024) / line.length)));
      await writeFile(join(dir, "t.tgz"), gzip(await makeTar([{ name: "trace", data: big }])));
      const bundle = await ingestPaths([join(dir, "t.tgz")], limits);
      const [a] = bundle.artifacts;
      expect(a.kind).toBe("ftrace");
      expect(a.bytes).toBe(big.length);
      expect(a.head.length).toBe(64 * 1024);
      expect(a.path).toBeDefined(); // spooled: the bytes lie uncompressed in a private file
      expect((await readAll(a.open())).equals(big)).toBe(true);
      await bundle.dispose();
    });
  });

  it("lists a missing path and a symlink inside a directory with warnings, and reads the rest", async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, "log"), CONSOLE);
      await symlink("/etc/passwd", join(dir, "link"));
      const bundle = await ingestPaths([join(dir, "missing"), dir], limits);
      const byName = Object.fromEntries(bundle.artifacts.map((a) => [a.name, a]));
      expect(byName[join(dir, "missing")].warnings.join(" ")).toMatch(/no such file/);
      expect(byName[join(dir, "link")].warnings.join(" ")).toMatch(/symbolic link/);
      expect(byName[join(dir, "log")].kind).toBe("console-log");
      await bundle.dispose();
    });
  });

  it("mergeBundles joins artifacts and warnings and disposes every part", async () => {
    let disposed = 0;
    const part = (n: string) => ({ name: n, artifacts: [], warnings: [`w ${n}`], dispose: async () => void disposed++ });
    const merged = mergeBundles("issue #1", [part("a"), part("b")]);
    expect(merged.name).toBe("issue #1");
    expect(merged.warnings).toEqual(["w a", "w b"]);
    await merged.dispose();
    expect(disposed).toBe(2);
  });
});
