import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/analysis/config/casefile-config.js";
import { ingestPaths } from "../../src/analysis/ingest/index.js";
import { gzip, makeTar, makeZip, withTempDir, zipEntry } from "../ingest/archive-builders.js";
import { GOOD_CONSOLE } from "./nasty-files.js";

/**
 * Archives damaged at random (bytes overwritten, cut short, garbage appended) never make
 * ingest throw: it always returns a bundle, whose artifacts carry the warnings.
 */
const limits = { ...DEFAULT_CONFIG.artifacts, max_file_bytes: 4 * 1024 * 1024, max_bundle_bytes: 16 * 1024 * 1024 };

async function archives(): Promise<Record<string, Buffer>> {
  const tar = await makeTar([
    { name: "console.log", data: GOOD_CONSOLE },
    { name: "dir/trace.txt", data: "# tracer: nop\n" },
    { name: "link", type: "symlink", linkname: "console.log" },
  ]);
  const zip = makeZip([zipEntry("console.log", GOOD_CONSOLE), zipEntry("inner.tar", tar)]);
  return { tar, zip, tgz: gzip(tar), gz: gzip(GOOD_CONSOLE), nested: makeZip([zipEntry("a.tgz", gzip(tar)), zipEntry("b.zip", zip)]) };
}

const damage = fc.record({
  flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
  cut: fc.option(fc.nat(), { nil: null }),
  tail: fc.uint8Array({ maxLength: 64 }),
});

describe("randomly damaged archives never make ingest throw", () => {
  it("tar, zip, tar.gz, gz and nested archives", async () => {
    const originals = await archives();
    await withTempDir(async (dir) => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...Object.keys(originals)), damage, async (kind, d) => {
          const bytes = Buffer.from(originals[kind]!);
          for (const [at, v] of d.flips) bytes[at % bytes.length] = v;
          const cut = d.cut === null ? bytes : bytes.subarray(0, d.cut % (bytes.length + 1));
          const path = join(dir, `damaged-${kind}`);
          await writeFile(path, Buffer.concat([cut, d.tail]));
          const bundle = await ingestPaths([path], limits);
          try {
            expect(bundle.artifacts.length).toBeGreaterThan(0);
            for (const a of bundle.artifacts) expect(Array.isArray(a.warnings)).toBe(true);
          } finally {
            await bundle.dispose();
          }
        }),
        { numRuns: 200 },
      );
    });
  }, 120_000);
});
