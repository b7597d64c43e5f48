import fc from "fast-check";
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadMemory } from "../../src/analysis/memory/index.js";
import { readCrashRdText } from "../../src/analysis/memory/crash-rd-reader.js";
import { readHexdumpText } from "../../src/analysis/memory/hexdump-reader.js";
import { readXxdText } from "../../src/analysis/memory/xxd-reader.js";
import { buildElfCore, writeElfCoreFile } from "../../src/simulator/writers/elf-core-writer.js";
import { writeHexdump } from "../../src/simulator/writers/hexdump-writer.js";
import { writeXxd } from "../../src/simulator/writers/xxd-writer.js";
import { artifact, PPC, X86 } from "./bundle-builder.js";

const dir = mkdtempSync(join(tmpdir(), "casefile-load-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const warningsOf = (w: Map<string, string[]>) => [...w.values()].flat().join("\n");

describe("damaged dumps give warnings, never exceptions", () => {
  it("a hexdump cut off before its end offset still yields its bytes", async () => {
    const bytes = new Uint8Array(256).map((_, i) => i);
    const text = writeHexdump(0x1000n, bytes).split("\n").slice(0, 8).join("\n");
    const { memory, warnings } = await loadMemory([artifact("cut.hex", "hexdump", text)], X86);
    expect(warningsOf(warnings)).toContain("may be truncated");
    expect([...(memory.read(0x1000n, 128) ?? [])]).toEqual([...bytes.subarray(0, 128)]);
  });

  it("a hexdump ending on '*' says the repeat length is unknown", () => {
    const { chunks, warnings } = readHexdumpText("00001000  aa aa aa aa aa aa aa aa  aa aa aa aa aa aa aa aa  |................|\n*\n", "p.hex");
    expect(warnings.join()).toContain("'*' repeat line is not followed by an address");
    expect(chunks[0].bytes.length).toBe(16);
  });

  it("garbled lines, a wrong ASCII column and backwards addresses are reported with line numbers", () => {
    const text = [
      "00002000  01 02 03 04 05 06 07 08  09 0a 0b 0c 0d 0e 0f 10  |................|",
      "00002010  41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  |ABCDEFGHXXXXXXXX|",
      "this line was pasted from somewhere else",
      "00001ff0  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|",
      "00002000",
    ].join("\n");
    const { chunks, warnings } = readHexdumpText(text, "g.hex");
    const all = warnings.join("\n");
    expect(all).toContain("1 line(s) are not hexdump -C lines and were skipped (first at line 3)");
    expect(all).toContain("ASCII column that disagrees with their bytes (first at line 2)");
    expect(all).toContain("g.hex:4: address 0x1ff0 goes backwards");
    expect(chunks.map((c) => c.address)).toEqual([0x2000n, 0x1ff0n]);
  });

  it("xxd and crash rd readers skip what they cannot read", () => {
    expect(readXxdText("0000: zz\n00001000: 0102 0304  ....\n", "x").warnings.join()).toContain("not xxd lines");
    const rd = readCrashRdText("ffff888000001000:  init_task+0x10 ffff888000002000   ........\n", "rd", "little");
    expect(rd.warnings.join()).toContain("'rd -s'");
    expect(rd.chunks).toEqual([]);
  });

  it("random text never throws in any reader", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        readHexdumpText(s, "r");
        readXxdText(s, "r");
        readCrashRdText(s, "r", "big");
      }),
      { numRuns: 300 },
    );
  });

  it("two artifacts disagreeing about a byte are reported, and the first one's bytes are kept", async () => {
    const a = new Uint8Array(64).fill(0x6b);
    const b = a.slice();
    b[0x21] = 0x6a;
    const { memory, warnings } = await loadMemory([artifact("one.hex", "hexdump", writeHexdump(0x5000n, a)), artifact("two.xxd", "xxd", writeXxd(0x5000n, b))], X86);
    const w = warnings.get("two.xxd")?.join("\n") ?? "";
    expect(w).toContain("1 byte(s) in 0x5000-0x5040 differ between one.hex:2 and two.xxd:3");
    expect(w).toContain("0x6b vs 0x6a");
    expect(memory.read(0x5021n, 1)?.[0]).toBe(0x6b);
  });

  it("dumps at linear-map addresses land at physical addresses; vmalloc addresses are refused with a reason", async () => {
    const lin = writeXxd(0xc000000001230000n, new Uint8Array(32).fill(7));
    const vm = writeXxd(0xc008000000010000n, new Uint8Array(32).fill(9));
    const { memory, warnings } = await loadMemory([artifact("lin.xxd", "xxd", lin), artifact("vm.xxd", "xxd", vm)], PPC);
    expect(memory.read(0x1230000n, 32)?.[31]).toBe(7);
    expect(warnings.get("vm.xxd")?.join()).toContain("outside the kernel's linear map");
  });
});

describe("ELF cores", () => {
  const spec = {
    arch: "ppc64" as const,
    endianness: "big" as const,
    vmcoreinfo: "OSRELEASE=6.6.0.ppc64\nPAGESIZE=65536\n",
    segments: [
      { paddr: 0x0n, size: 0x20000n, contents: [{ offset: 0x10008n, bytes: Uint8Array.from([1, 2, 3, 4]) }] },
      { paddr: 0x40000000n, size: 0x20000n },
    ],
  };

  it("a big-endian ppc64 core: segments by p_paddr, hints from e_machine, EI_DATA and VMCOREINFO", async () => {
    const path = join(dir, "be-core");
    writeFileSync(path, buildElfCore(spec));
    const { memory, hints, vmcoreinfo, warnings } = await loadMemory([artifact("vmcore", "elf-vmcore", new Uint8Array(0), path)], X86);
    expect(warningsOf(warnings)).toBe("");
    expect(vmcoreinfo).toEqual({ OSRELEASE: "6.6.0.ppc64", PAGESIZE: "65536" });
    expect(hints[0]).toMatchObject({ arch: "ppc64", endianness: "big", pageSize: 65536, linearMapBase: 0xc000000000000000n });
    expect([...(memory.read(0x10008n, 4) ?? [])]).toEqual([1, 2, 3, 4]);
    expect(memory.sourceOf(0x10008n)).toBe("vmcore@0x10008");
    expect(memory.covered(0x20000n, 0x40000000n)).toEqual([]);
    memory.close();
  });

  it("a truncated core warns and treats the missing pages as not dumped", async () => {
    const path = join(dir, "cut-core");
    await writeElfCoreFile(path, spec);
    truncateSync(path, 0x8000 + 0x1000);
    const { memory, warnings } = await loadMemory([artifact("vmcore", "elf-vmcore", new Uint8Array(0), path)], X86);
    expect(warningsOf(warnings)).toMatch(/truncated .* PT_LOAD segment\(s\) are cut short/s);
    expect(memory.read(0x20000n - 16n, 16)).toBeNull();
    memory.close();
  });

  it("no path, compressed kdump, garbage: plain-words warnings", async () => {
    const kdump = join(dir, "kdump");
    writeFileSync(kdump, Buffer.concat([Buffer.from("KDUMP   "), Buffer.alloc(100)]));
    const junk = join(dir, "junk");
    writeFileSync(junk, Buffer.from("not an elf file at all, just text"));
    const headerOnly = join(dir, "header-only");
    writeFileSync(headerOnly, buildElfCore(spec).subarray(0, 70));
    const { memory, warnings } = await loadMemory(
      [
        artifact("piped", "elf-vmcore", new Uint8Array(0)),
        artifact("kdump", "elf-vmcore", new Uint8Array(0), kdump),
        artifact("junk", "elf-vmcore", new Uint8Array(0), junk),
        artifact("header-only", "elf-vmcore", new Uint8Array(0), headerOnly),
      ],
      X86,
    );
    expect(warnings.get("piped")?.join()).toContain("must be a plain (uncompressed) file");
    expect(warnings.get("kdump")?.join()).toContain("makedumpfile -E");
    expect(warnings.get("junk")?.join()).toContain("not an ELF file");
    expect(warnings.get("header-only")?.join()).toContain("truncated inside its program headers");
    expect(memory.isEmpty).toBe(true);
  });

  it("random bytes after a valid ELF header never throw", async () => {
    const base = buildElfCore(spec);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.integer({ min: 16, max: 200 }), async (noise, at) => {
        const buf = Buffer.from(base);
        buf.set(noise.subarray(0, Math.max(0, buf.length - at)), at);
        const path = join(dir, "fuzz");
        writeFileSync(path, buf);
        const { memory } = await loadMemory([artifact("fuzz", "elf-vmcore", new Uint8Array(0), path)], X86);
        memory.close();
      }),
      { numRuns: 100 },
    );
  });
});

describe("region finding never throws", () => {
  it("on random pages with random fills, stated bounds and DMA addresses", async () => {
    const { findCorruptedRegion } = await import("../../src/analysis/memory/index.js");
    const { PhysicalMemory } = await import("../../src/analysis/memory/physical-memory.js");
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 0, maxLength: 600 }),
        fc.constantFrom(0x00, 0x6b, 0xaa, 0x5a, 0xcc, -1),
        fc.integer({ min: 0, max: 4095 }),
        fc.option(fc.record({ start: fc.integer({ min: 0, max: 8191 }), len: fc.integer({ min: 0, max: 300 }) })),
        fc.constantFrom(X86, PPC),
        async (noise, fill, at, stated, machine) => {
          const page = new Uint8Array(4096).fill(fill < 0 ? 0x11 : fill);
          page.set(noise.subarray(0, 4096 - at), at);
          const memory = new PhysicalMemory();
          memory.addChunk(0x10000n, { address: 0x10000n, bytes: page, lineOffsets: [0], lines: [1] }, "m.hex");
          const crash = stated
            ? ({ corrupted: { start: 0x10000n + BigInt(stated.start), end: 0x10000n + BigInt(stated.start + stated.len), firstByte: null, expected: null }, object: null, address: null, size: null, pfn: null, source: "c:1", bugType: null } as never)
            : null;
          const f = findCorruptedRegion({ memory, crash, symbols: null, machine, dmaAddresses: at % 2 ? [0x10000n] : [] });
          if (f.region) expect(f.region.end).toBeGreaterThanOrEqual(f.region.start);
        },
      ),
      { numRuns: 200 },
    );
  });
});
