import fc from "fast-check";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readCrashRdText } from "../../src/analysis/memory/crash-rd-reader.js";
import { openElfCore, readCoreBytes, closeElfCore } from "../../src/analysis/memory/elf-core-reader.js";
import { readHexdumpText } from "../../src/analysis/memory/hexdump-reader.js";
import { readXxdText } from "../../src/analysis/memory/xxd-reader.js";
import { writeCrashRd } from "../../src/simulator/writers/crash-rd-writer.js";
import { buildElfCore } from "../../src/simulator/writers/elf-core-writer.js";
import { writeHexdump } from "../../src/simulator/writers/hexdump-writer.js";
import { writeXxd } from "../../src/simulator/writers/xxd-writer.js";
import type { DumpChunk } from "../../src/analysis/memory/dump-chunk.js";

// Bytes with long runs, so hexdump's `*` squeezing and xxd's zero skipping are exercised.
const runnyBytes = fc
  .array(fc.record({ value: fc.integer({ min: 0, max: 255 }), count: fc.integer({ min: 1, max: 80 }), random: fc.boolean() }), { minLength: 1, maxLength: 12 })
  .chain((runs) =>
    fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 200, maxLength: 200 }).map((noise) => {
      const out: number[] = [];
      for (const r of runs) for (let i = 0; i < r.count; i++) out.push(r.random ? noise[(out.length + i) % noise.length] : r.value);
      return Uint8Array.from(out);
    }),
  );
const address = fc.bigInt({ min: 0n, max: (1n << 40n) - 1n });

function single(chunks: DumpChunk[]): { address: bigint; bytes: Uint8Array } {
  expect(chunks).toHaveLength(1);
  return chunks[0];
}

/** A reader's result is exactly the dump written: no warnings, one chunk at its address with its bytes. */
function expectReadBack(read: { chunks: DumpChunk[]; warnings: string[] }, addr: bigint, bytes: Uint8Array): void {
  expect(read.warnings).toEqual([]);
  const c = single(read.chunks);
  expect(c.address).toBe(addr);
  expect(Buffer.from(c.bytes).equals(Buffer.from(bytes))).toBe(true);
}

describe("text dump readers read back what the writers wrote", () => {
  it("hexdump -C, squeezed or not", () => {
    fc.assert(
      fc.property(address, runnyBytes, fc.boolean(), (addr, bytes, squeeze) => {
        expectReadBack(readHexdumpText(writeHexdump(addr, bytes, { squeeze }), "m.txt"), addr, bytes);
      }),
      { numRuns: 150 },
    );
  });

  it("xxd, with and without autoskip", () => {
    fc.assert(
      fc.property(address, runnyBytes, fc.boolean(), (addr, bytes, autoskip) => {
        expectReadBack(readXxdText(writeXxd(addr, bytes, { autoskip }), "m.txt"), addr, bytes);
      }),
      { numRuns: 150 },
    );
  });

  it("crash rd in every width and both byte orders", () => {
    fc.assert(
      fc.property(
        address,
        runnyBytes,
        fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const),
        fc.constantFrom("little" as const, "big" as const),
        (addr, raw, width, endianness) => {
          const bytes = raw.subarray(0, raw.length - (raw.length % width));
          fc.pre(bytes.length > 0);
          expectReadBack(readCrashRdText(writeCrashRd(addr, bytes, { width, endianness }), "rd.txt", endianness), addr, bytes);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("crash rd word values depend on the dumped machine's byte order", () => {
    const text = "        17e7b000:  000000001e687067                    gph.....\n";
    expect([...single(readCrashRdText(text, "rd", "little").chunks).bytes]).toEqual([0x67, 0x70, 0x68, 0x1e, 0, 0, 0, 0]);
    expect([...single(readCrashRdText(text, "rd", "big").chunks).bytes]).toEqual([0, 0, 0, 0, 0x1e, 0x68, 0x70, 0x67]);
  });
});

describe("ELF core reader reads back what the writer wrote", () => {
  const dir = mkdtempSync(join(tmpdir(), "casefile-elf-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;

  it("segments by p_paddr, VMCOREINFO, both byte orders", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("x86_64" as const, "ppc64le" as const, "ppc64" as const, "arm64" as const),
        fc.array(fc.record({ gapPages: fc.integer({ min: 0, max: 4 }), pages: fc.integer({ min: 1, max: 3 }), fill: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 4 }),
        (arch, segs) => {
          const endianness = arch === "ppc64" ? "big" : "little";
          let paddr = 0x100000n;
          const segments = segs.map((s) => {
            paddr += BigInt(s.gapPages * 4096);
            const seg = { paddr, size: BigInt(s.pages * 4096), contents: [{ offset: 16n, bytes: new Uint8Array(32).fill(s.fill) }] };
            paddr += seg.size;
            return seg;
          });
          const path = join(dir, `core${n++}`);
          writeFileSync(path, buildElfCore({ arch, endianness, vmcoreinfo: "OSRELEASE=6.12.0\nPAGESIZE=65536\n", segments }));
          const { core, warnings } = openElfCore(path, "vmcore");
          expect(warnings).toEqual([]);
          expect(core).not.toBeNull();
          if (!core) return;
          try {
            expect(core.arch).toBe(arch);
            expect(core.endianness).toBe(endianness);
            expect(core.vmcoreinfo).toEqual({ OSRELEASE: "6.12.0", PAGESIZE: "65536" });
            expect(core.hints.pageSize).toBe(65536);
            expect(core.segments.map((s) => s.paddr)).toEqual(segments.map((s) => s.paddr));
            core.segments.forEach((s, i) => {
              const got = readCoreBytes(core, s.fileOffset + 15n, 34);
              expect([...got]).toEqual([0, ...new Array(32).fill(segs[i].fill), 0]);
            });
          } finally {
            closeElfCore(core);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
