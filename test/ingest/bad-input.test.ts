import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync } from "node:fs";
import { readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, type Limits } from "../../src/analysis/config/casefile-config.js";
import { ingestPaths } from "../../src/analysis/ingest/path-ingest.js";
import { deflatedZeros, elfCore, gzip, gzippedZeros, makeTar, makeZip, withTempDir, zipEntry } from "./archive-builders.js";

const MiB = 1024 * 1024;
const limits = DEFAULT_CONFIG.artifacts;
const CONSOLE = "[  812.000456] BUG: KASAN: use-after-free in foo+0x1/0x2\n[  812.000460] Read of size 8 at addr ffff888012acfc20 by task a/1\n";
const warningsOf = (a: { warnings: string[] }) => a.warnings.join(" ");

async function ingestOne(dir: string, name: string, data: Buffer, l: Limits = limits) {
  await writeFile(join(dir, name), data);
  return ingestPaths([join(dir, name)], l);
}

describe("bad input never crashes ingest", () => {
  it("random binary is listed as unknown with a warning", async () => {
    await withTempDir(async (dir) => {
      const bundle = await ingestOne(dir, "blob", randomBytes(100_000));
      expect(bundle.artifacts).toHaveLength(1);
      expect(bundle.artifacts[0].kind).toBe("unknown");
      expect(warningsOf(bundle.artifacts[0])).toMatch(/Binary content/);
      await bundle.dispose();
    });
  });

  it("a truncated .gz keeps the bytes before the cut and says it is truncated", async () => {
    await withTempDir(async (dir) => {
      const whole = gzip(CONSOLE.repeat(2000));
      const bundle = await ingestOne(dir, "log.gz", whole.subarray(0, Math.floor(whole.length / 2)));
      const [a] = bundle.artifacts;
      expect(a.kind).toBe("console-log");
      expect(warningsOf(a)).toMatch(/truncated/);
      expect(a.bytes).toBeGreaterThan(0);
      expect(a.bytes).toBeLessThan(CONSOLE.length * 2000);
      await bundle.dispose();
    });
  });

  it("a gzip holding only a header is listed with a warning", async () => {
    await withTempDir(async (dir) => {
      const bundle = await ingestOne(dir, "x.gz", gzip("hello").subarray(0, 12));
      expect(bundle.artifacts).toHaveLength(1);
      expect(warningsOf(bundle.artifacts[0])).toMatch(/truncated/);
      await bundle.dispose();
    });
  });

  it("a zip bomb (1 GiB of zeros, honest sizes) stops at the per-file limit", async () => {
    await withTempDir(async (dir) => {
      const body = await deflatedZeros(1024);
      const zip = makeZip([{ name: "zeros", compressed: body, uncompressedSize: 1024 * MiB }, zipEntry("console", CONSOLE)]);
      const small = { ...limits, max_file_bytes: 4 * MiB };
      const bundle = await ingestOne(dir, "bomb.zip", zip, small);
      const [bomb, log] = bundle.artifacts;
      expect(bomb.bytes).toBe(4 * MiB);
      expect(warningsOf(bomb)).toMatch(/Declares 1 GiB/);
      expect(log.kind).toBe("console-log");
      await bundle.dispose();
    });
  });

  it("a zip bomb that lies about its size is counted while it streams, never trusted", async () => {
    await withTempDir(async (dir) => {
      const body = await deflatedZeros(256);
      const zip = makeZip([{ name: "zeros", compressed: body, uncompressedSize: 1000 }]);
      const bundle = await ingestOne(dir, "liar.zip", zip, { ...limits, max_file_bytes: 2 * MiB });
      const [a] = bundle.artifacts;
      expect(a.bytes).toBeLessThanOrEqual(2 * MiB);
      expect(a.warnings.length).toBeGreaterThan(0);
      await bundle.dispose();
    });
  });

  it("a gzip bomb stops at the per-file limit and a tar.gz bomb at the bundle limit", async () => {
    await withTempDir(async (dir) => {
      const l = { ...limits, max_file_bytes: 4 * MiB, max_bundle_bytes: 16 * MiB };
      const bundle = await ingestOne(dir, "bomb.gz", await gzippedZeros(1024), l);
      expect(bundle.artifacts[0].bytes).toBe(4 * MiB);
      expect(warningsOf(bundle.artifacts[0])).toMatch(/more than 4 MiB/);
      await bundle.dispose();

      // A tar of many zero files, gzipped: each entry is drained and counted until the bundle is full.
      const zeros = Buffer.alloc(MiB);
      const tar = await makeTar(Array.from({ length: 40 }, (_, i) => ({ name: `z${i}`, data: zeros })));
      const b2 = await ingestOne(dir, "bomb.tgz", gzip(tar), l);
      expect(b2.warnings.join(" ")).toMatch(/reached its limit of 16 MiB/);
      expect(b2.artifacts.length).toBeLessThanOrEqual(17);
      await b2.dispose();
    });
  });

  it("a tar with `..`, absolute and link entries refuses them and writes nothing outside the spool", async () => {
    await withTempDir(async (dir) => {
      const tar = await makeTar([
        { name: "../../escape.txt", data: "owned" },
        { name: "/etc/evil", data: "owned" },
        { name: "link", type: "symlink", linkname: "/etc/passwd" },
        { name: "hard", type: "link", linkname: "console" },
        { name: "console", data: CONSOLE },
      ]);
      const bundle = await ingestOne(join(dir), "t.tar", tar);
      const names = bundle.artifacts.map((a) => a.name.slice(a.name.indexOf(":") + 1));
      expect(names).toEqual(["../../escape.txt", "/etc/evil", "link", "hard", "console"]);
      for (const a of bundle.artifacts.slice(0, 4)) expect(warningsOf(a)).toMatch(/Refused archive entry/);
      expect(bundle.artifacts[4].kind).toBe("console-log");
      expect(await readdir(dir)).toEqual(["t.tar"]);
      for (const escaped of [join(dir, "..", "escape.txt"), join(dir, "..", "..", "escape.txt"), join(tmpdir(), "escape.txt"), "/etc/evil"]) {
        expect(existsSync(escaped)).toBe(false);
      }
      await bundle.dispose();
    });
  });

  it("a zip with `..` and symlink entries refuses them and reads the rest", async () => {
    await withTempDir(async (dir) => {
      const zip = makeZip([zipEntry("../up", "x"), zipEntry("ln", "/etc/passwd", 0o120777), zipEntry("ok", CONSOLE)]);
      const bundle = await ingestOne(dir, "z.zip", zip);
      expect(bundle.artifacts.map((a) => a.kind)).toEqual(["unknown", "unknown", "console-log"]);
      expect(warningsOf(bundle.artifacts[0])).toMatch(/climbs out/);
      expect(warningsOf(bundle.artifacts[1])).toMatch(/symbolic link/);
      await bundle.dispose();
    });
  });

  it("a 50 MB single line is listed with a warning, read as a stream", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "line");
      const out = createWriteStream(path);
      const chunk = Buffer.alloc(MiB, "A");
      for (let i = 0; i < 50; i++) out.write(chunk);
      await new Promise((r) => out.end(r));
      const bundle = await ingestPaths([path], limits);
      const [a] = bundle.artifacts;
      expect(a.bytes).toBe(50 * MiB);
      expect(a.head.length).toBe(64 * 1024);
      expect(warningsOf(a)).toMatch(/no line break/);
      await bundle.dispose();
    });
  });

  it("invalid UTF-8 in a console log is a warning, not a failure", async () => {
    await withTempDir(async (dir) => {
      const data = Buffer.concat([Buffer.from(CONSOLE), Buffer.from([0xc3, 0x28, 0xff, 0x0a]), Buffer.from(CONSOLE)]);
      const bundle = await ingestOne(dir, "log", data);
      expect(bundle.artifacts[0].kind).toBe("console-log");
      expect(warningsOf(bundle.artifacts[0])).toMatch(/not valid UTF-8/);
      await bundle.dispose();
    });
  });

  it("a damaged tar and a damaged zip are listed with warnings", async () => {
    await withTempDir(async (dir) => {
      const tar = await makeTar([{ name: "a", data: CONSOLE }, { name: "b", data: Buffer.alloc(5000, "x") }]);
      const zip = makeZip([zipEntry("a", CONSOLE)]);
      await writeFile(join(dir, "t"), tar.subarray(0, 1500));
      await writeFile(join(dir, "z"), zip.subarray(0, zip.length - 10));
      const bundle = await ingestPaths([join(dir, "t"), join(dir, "z")], limits);
      expect(bundle.artifacts[0].kind).toBe("console-log");
      expect(bundle.artifacts.slice(1).some((a) => /damaged/.test(warningsOf(a)))).toBe(true);
      expect(bundle.artifacts.some((a) => a.name === join(dir, "z") && /zip archive/.test(warningsOf(a)))).toBe(true);
      await bundle.dispose();
    });
  });

  it("stops at the nesting depth and the entry count limits", async () => {
    await withTempDir(async (dir) => {
      let nested = await makeTar([{ name: "log", data: CONSOLE }]);
      for (let i = 0; i < 3; i++) nested = await makeTar([{ name: `level${i}.tar`, data: nested }]);
      const b1 = await ingestOne(dir, "deep.tar", nested, { ...limits, max_nesting_depth: 1 });
      expect(b1.artifacts).toHaveLength(1);
      expect(warningsOf(b1.artifacts[0])).toMatch(/nested more than 1 levels/);
      await b1.dispose();
      const b2 = await ingestOne(dir, "deep.tar", nested, limits);
      expect(b2.artifacts.map((a) => a.kind)).toEqual(["console-log"]);
      await b2.dispose();

      const many = await makeTar(Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, data: CONSOLE })));
      const b3 = await ingestOne(dir, "many.tar", many, { ...limits, max_archive_entries: 5 });
      expect(b3.artifacts).toHaveLength(5);
      expect(b3.warnings.join(" ")).toMatch(/after 5 entries/);
      await b3.dispose();
    });
  });

  it("an on-disk vmcore over the per-file limit is handed over whole: it is read at random, never loaded", async () => {
    await withTempDir(async (dir) => {
      const bundle = await ingestOne(dir, "vmcore", elfCore("le", 20_000), { ...limits, max_file_bytes: 1000 });
      const [a] = bundle.artifacts;
      expect(a.kind).toBe("elf-vmcore");
      expect(a.bytes).toBe(20_000);
      expect(a.path).toBe(join(dir, "vmcore"));
      expect(a.warnings).toEqual([]);
      await bundle.dispose();
    });
  });

  it("an oversized plain file is cut at the per-file limit with a warning", async () => {
    await withTempDir(async (dir) => {
      const bundle = await ingestOne(dir, "big", Buffer.from(CONSOLE.repeat(100)), { ...limits, max_file_bytes: 1000 });
      const [a] = bundle.artifacts;
      expect(a.bytes).toBe(1000);
      expect(a.path).toBeUndefined();
      expect(warningsOf(a)).toMatch(/only the first 1000 bytes/);
      await bundle.dispose();
    });
  });
});

describe("formats casefile does not open are named, with what to do", () => {
  it("kdump-compressed dumps, xz and zstd get specific advice", async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, "a"), Buffer.concat([Buffer.from("KDUMP   "), randomBytes(4000)]));
      await writeFile(join(dir, "b"), Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), randomBytes(100)]));
      await writeFile(join(dir, "c"), Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), randomBytes(100)]));
      const bundle = await ingestPaths([join(dir, "a"), join(dir, "b"), join(dir, "c")], limits);
      expect(bundle.artifacts.map((a) => a.kind)).toEqual(["unknown", "unknown", "unknown"]);
      expect(warningsOf(bundle.artifacts[0])).toMatch(/makedumpfile -E/);
      expect(warningsOf(bundle.artifacts[1])).toMatch(/xz-compressed/);
      expect(warningsOf(bundle.artifacts[2])).toMatch(/zstd-compressed/);
      await bundle.dispose();
    });
  });

  it("a truncated .tar.gz keeps the entries before the cut", async () => {
    await withTempDir(async (dir) => {
      const tgz = gzip(await makeTar([{ name: "log", data: CONSOLE }, { name: "rest", data: randomBytes(200_000) }]));
      const bundle = await ingestOne(dir, "cut.tgz", tgz.subarray(0, tgz.length - 1000));
      expect(bundle.artifacts[0].kind).toBe("console-log");
      expect(bundle.artifacts.slice(1).map(warningsOf).join(" ")).toMatch(/damaged|truncated/);
      await bundle.dispose();
    });
  });
});
