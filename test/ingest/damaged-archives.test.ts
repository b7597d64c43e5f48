import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/analysis/config/casefile-config.js";
import { ingestPaths } from "../../src/analysis/ingest/path-ingest.js";
import { gzip, makeTar, makeZip, withTempDir, zipEntry } from "./archive-builders.js";

const CONSOLE = "[  812.000456] BUG: KASAN: use-after-free in foo+0x1/0x2\n[  812.000460] Read of size 8 at addr ffff888012acfc20 by task a/1\n";
const limits = { ...DEFAULT_CONFIG.artifacts, max_file_bytes: 1 << 20, max_bundle_bytes: 4 << 20 };

describe("damaged archives (fast-check)", () => {
  it("flipping, cutting or overwriting bytes of a .tar.gz, .tar or .zip never throws and always lists something", async () => {
    const tar = await makeTar([
      { name: "console", data: CONSOLE },
      { name: "inner.tgz", data: gzip(await makeTar([{ name: "deep", data: CONSOLE }])) },
    ]);
    const originals = [gzip(tar), tar, makeZip([zipEntry("a", CONSOLE), zipEntry("b.gz", gzip(CONSOLE))])];
    await withTempDir(async (dir) => {
      const path = join(dir, "damaged");
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(0, 1, 2),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
          fc.option(fc.nat()),
          async (which, edits, cut) => {
            const bytes = Buffer.from(originals[which]);
            for (const [at, value] of edits) bytes[at % bytes.length] = value;
            const data = cut === null ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
            await writeFile(path, data);
            const bundle = await ingestPaths([path], limits);
            try {
              expect(bundle.artifacts.length).toBeGreaterThan(0);
              for (const a of bundle.artifacts) expect(a.bytes === null || a.bytes <= limits.max_file_bytes).toBe(true);
            } finally {
              await bundle.dispose();
            }
          },
        ),
        { numRuns: Number(process.env.CASEFILE_FUZZ_RUNS ?? 120) },
      );
    });
  });
});
