import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeCrashRd } from "../../src/simulator/writers/crash-rd-writer.js";
import { writeElfCoreFile } from "../../src/simulator/writers/elf-core-writer.js";
import { writeHexdump } from "../../src/simulator/writers/hexdump-writer.js";
import { writeXxd } from "../../src/simulator/writers/xxd-writer.js";
import { analyse, artifact, kernelPage, PPC, put64, roceFrame } from "./bundle-builder.js";

// ppc64le (POWER), 64 KiB pages, 128-byte cache lines, linear map at 0xc000000000000000.

const BANNER = `[    0.000000] Linux version 6.12.0-55.el10.ppc64le (mockbuild@ppc64le-01) (gcc 14.2.1) #1 SMP
[    0.000000] LE PAGE_SIZE=64K MMU=Radix SMP NR_CPUS=2048 NUMA pSeries`;
const VMCOREINFO = "OSRELEASE=6.12.0-55.el10.ppc64le\nPAGESIZE=65536\nSYMBOL(init_uts_ns)=c000000002a1c4e8\nCRASHTIME=1763894400\n";

function stack(ts: string, frames: string[]): string {
  return [
    `[${ts}] CPU: 12 UID: 0 PID: 4242 Comm: java Not tainted 6.12.0-55.el10.ppc64le #1`,
    `[${ts}] Hardware name: IBM,9080-HEX POWER10 (architected) 0x800200 0xf000006 of:IBM,FW1060.00 hv:phyp pSeries`,
    `[${ts}] NIP:  c0000000004f1a2c LR: c0000000004f19e0 CTR: 0000000000000000`,
    `[${ts}] Call Trace:`,
    ...frames.map((f, i) => `[${ts}] [c00000001f3cbd${(0x70 + i * 0x10).toString(16)}] [c0000000000010d9] ${f}`),
  ].join("\n");
}

const dir = mkdtempSync(join(tmpdir(), "casefile-ppc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("ppc64le bundles (64 KiB pages)", () => {
  it("stale DMA: a 2048-byte RoCEv2 receive at the start of frame 0x54d7, read from a kdump vmcore", async () => {
    const frame = kernelPage(PPC, 65536, 0x54d70000n, 21);
    frame.set(roceFrame({ length: 2048, src: "10.20.1.7", dst: "10.20.1.9", opcode: 0x04, qp: 0x6e3312, seed: 9 }), 0);
    const path = join(dir, "vmcore");
    await writeElfCoreFile(path, {
      arch: "ppc64le",
      endianness: "little",
      vmcoreinfo: VMCOREINFO,
      segments: [{ paddr: 0x54000000n, size: 0x1000000n, contents: [{ offset: 0xd70000n, bytes: frame }] }],
    });
    const consoleLog = `${BANNER}
[  812.100000] BUG: Bad page map in process java  pte:c00000054d70038e pmd:c0000000fb960000
[  812.100010] page: refcount:1 mapcount:-1 mapping:0000000000000000 index:0x0 pfn:0x54d7
[  812.100020] addr:00007fff9c120000 vm_flags:00100073 anon_vma:c00000001a2b3c00 mapping:0000000000000000 index:7fff9c12
${stack("  812.100030", ["print_bad_pte+0x1d8/0x2f0", "__handle_mm_fault+0x9a4/0x1690", "handle_mm_fault+0x1a0/0x3d0"])}
`;
    const { findings, load, machine } = await analyse({
      arch: "ppc64le",
      console: consoleLog,
      memory: [artifact("vmcore", "elf-vmcore", new Uint8Array(0), path)],
      dmaAddresses: [0x54d70000n],
    });
    expect(machine.pageSize).toBe(65536);
    expect(load.vmcoreinfo?.OSRELEASE).toBe("6.12.0-55.el10.ppc64le");
    expect(load.hints[0]).toMatchObject({ arch: "ppc64le", endianness: "little", pageSize: 65536, kernel: "6.12.0-55.el10.ppc64le", linearMapBase: 0xc000000000000000n });
    const r = findings.region;
    expect(r?.start).toBe(0x54d70000n);
    expect(r?.end).toBe(0x54d70800n);
    expect(r?.alignment).toBe("page");
    expect(r?.granule).toBe(65536);
    expect(r?.source).toBe("vmcore@0x54d70000");
    expect(r?.content).toBe("RoCEv2 packet: Ethernet, IPv4 10.20.1.7 → 10.20.1.9, UDP 4791, BTH opcode 0x04 SEND-only, QP 0x6e3312");
    expect(findings.frames).toEqual([0x54d7n]);
    const byFacet = Object.fromEntries(findings.evidence.filter((e) => e.verdict === "stale-dma").map((e) => [e.facet, e.claim]));
    expect(byFacet["address-match"]).toContain("exactly at the mapped DMA address 0x54d70000");
    expect(byFacet.alignment).toContain("64 KiB page boundary");
    expect(byFacet.content).toContain("RoCEv2 packet");
  });

  it("a 4 KiB-aligned start is not page-aligned with 64 KiB pages", async () => {
    const base = 0x54d70000n;
    const frame = kernelPage(PPC, 65536, base, 22);
    frame.set(roceFrame({ length: 2048, src: "10.20.1.7", dst: "10.20.1.9", opcode: 0x0a, qp: 0x1f00a2, seed: 10 }), 0x1000);
    const consoleLog = `${BANNER}
[  900.000000] BUG: Bad page state in process java  pfn:54d7
[  900.000010] page dumped because: nonzero _refcount
`;
    const { findings } = await analyse({ arch: "ppc64le", console: consoleLog, memory: [artifact("memory.txt", "hexdump", writeHexdump(base, frame))] });
    expect(findings.region?.start).toBe(0x54d71000n);
    expect(findings.region?.end).toBe(0x54d71800n);
    expect(findings.region?.alignment).toBe("cache-line");
    expect(findings.region?.granule).toBe(4096);
    expect(findings.region?.content).toBe("RoCEv2 packet: Ethernet, IPv4 10.20.1.7 → 10.20.1.9, UDP 4791, BTH opcode 0x0a RDMA-WRITE-only, QP 0x1f00a2");
    expect(findings.evidence.some((e) => e.facet === "alignment" && e.claim.includes("page boundary"))).toBe(false);
  });

  it("bit flip: one byte of a freed kmalloc-512 object is 0x6f (crash rd -p -8)", async () => {
    const obj = new Uint8Array(512).fill(0x6b);
    obj[511] = 0xa5;
    obj[0x55] = 0x6f;
    const consoleLog = `${BANNER}
[ 3001.000000] =============================================================================
[ 3001.000010] BUG kmalloc-512 (Not tainted): Poison overwritten
[ 3001.000020] -----------------------------------------------------------------------------
[ 3001.000030] 0xc00000000a1b2e55-0xc00000000a1b2e55 @offset=3669. First byte 0x6f instead of 0x6b
[ 3001.000040] Slab 0xc00c000000286c00 objects=128 used=128 fp=0x0000000000000000 flags=0x13ffffc000000200(slab|node=0|zone=0)
[ 3001.000050] Object 0xc00000000a1b2e00 @offset=3584 fp=0x0000000000000000
${stack(" 3001.000100", ["dump_stack_lvl+0x88/0xc4", "check_bytes_and_report+0x10c/0x1b0", "check_object+0x2d8/0x3f0"])}
`;
    const { findings } = await analyse({ arch: "ppc64le", console: consoleLog, memory: [artifact("rd.txt", "crash-rd", writeCrashRd(0xa1b2e00n, obj, { width: 1 }))] });
    expect(findings.region?.start).toBe(0xa1b2e55n);
    expect(findings.region?.end).toBe(0xa1b2e56n);
    expect(findings.region?.alignment).toBe("unaligned");
    const flip = findings.evidence.find((e) => e.verdict === "bit-flip");
    expect(flip?.claim).toContain("0x6f where SLUB free poison 0x6b was expected: exactly one bit (bit 2) differs");
    expect(findings.region?.source).toBe("rd.txt:6");
    expect(findings.frames).toEqual([0xa1bn]);
  });

  it("cache-line corruption: one whole 128-byte line of kernel data in a poisoned 64 KiB page (xxd)", async () => {
    const base = 0x7a310000n;
    const page = new Uint8Array(65536).fill(0xaa);
    const words = [
      0xc000000007a3c040n, 0xc000000007a3c040n, 0xc000000000018040n, 1n, 0x2c0n, 0xc0000000104a7c00n, 0x100000001n, 0xc0000000104a7c80n,
      0xc00c000001e8f000n, 0n, 0n, 0xc000000000013100n, 0x40n, 0xc0000000104a7d00n, 0xfffffffffffffff4n, 0xc0000000104a7d80n,
    ];
    words.forEach((w, i) => put64(page, 0x1280 + i * 8, w));
    const dumpLines = Array.from({ length: 8 }, (_, l) => `[ 455.300010] c000000007a31${(0x280 + l * 16).toString(16)}: ${[...page.subarray(0x1280 + l * 16, 0x1290 + l * 16)].map((b) => b.toString(16).padStart(2, "0")).join(" ")}`).join("\n");
    const consoleLog = `${BANNER}
[ 455.300000] pagealloc: memory corruption
${dumpLines}
[ 455.300200] page: refcount:1 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x7a31
`;
    const { findings } = await analyse({ arch: "ppc64le", console: consoleLog, memory: [artifact("page.xxd", "xxd", writeXxd(base, page, { autoskip: false }))] });
    expect(findings.region?.start).toBe(0x7a311280n);
    expect(findings.region?.end).toBe(0x7a311300n);
    expect(findings.region?.alignment).toBe("cache-line");
    expect(findings.region?.granule).toBe(128);
    expect(findings.region?.content).toContain("kernel pointers to slab objects");
    expect(findings.region?.content).toContain("tcp_prot+0x40");
    expect(findings.evidence.filter((e) => e.verdict === "cache-line-corruption").map((e) => e.facet).sort()).toEqual(["alignment", "content"]);
  });

  it("use-after-free: a 32-bit store at offset 0x40 of a freed kmalloc-128 object, read from a vmcore", async () => {
    const objPhys = 0x195e0a00n;
    const slab = new Uint8Array(0x400);
    const obj = 0xa00 % 0x400;
    slab.set(kernelPage(PPC, 0x400, 0x195e0000n, 4));
    slab.fill(0x6b, obj, obj + 127);
    slab[obj + 127] = 0xa5;
    slab.fill(0xbb, obj + 128, obj + 136);
    slab.set([0x01, 0x00, 0x00, 0x00], obj + 0x40);
    const path = join(dir, "vmcore-uaf");
    await writeElfCoreFile(path, {
      arch: "ppc64le",
      endianness: "little",
      vmcoreinfo: VMCOREINFO,
      segments: [{ paddr: 0x195e0000n, size: 0x10000n, contents: [{ offset: 0x800n, bytes: slab }] }],
    });
    const consoleLog = `${BANNER}
[ 5120.000000] BUG kmalloc-128 (Not tainted): Poison overwritten
[ 5120.000010] 0xc0000000195e0a40-0xc0000000195e0a43 @offset=2624. First byte 0x1 instead of 0x6b
[ 5120.000020] Object 0xc0000000195e0a00 @offset=2560 fp=0x0000000000000000
${stack(" 5120.000100", ["dump_stack_lvl+0x88/0xc4", "check_bytes_and_report+0x10c/0x1b0"])}
`;
    const { findings } = await analyse({ arch: "ppc64le", console: consoleLog, memory: [artifact("vmcore", "elf-vmcore", new Uint8Array(0), path)] });
    expect(findings.region?.start).toBe(objPhys + 0x40n);
    expect(findings.region?.end).toBe(objPhys + 0x44n);
    expect(findings.region?.alignment).toBe("word");
    expect(findings.region?.granule).toBe(64);
    expect(findings.region?.source).toBe("vmcore@0x195e0a40");
    expect(findings.evidence.find((e) => e.verdict === "use-after-free")?.claim).toContain("at offset 0x40 of the freed 128-byte kmalloc-128 object");
    expect(findings.frames).toEqual([0x195en]);
  });

  it("out-of-bounds: a pointer stored right past a kmalloc-96 object (hexdump)", async () => {
    const base = 0x195e0c00n;
    const dump = kernelPage(PPC, 256, base, 8);
    put64(dump, 0x60, 0xc0000000195e0d00n);
    dump.fill(0xcc, 0x68, 0x80);
    dump.fill(0x5a, 0x80, 0x100);
    const consoleLog = `${BANNER}
[  77.000000] BUG kmalloc-96 (Not tainted): Right Redzone overwritten
[  77.000010] 0xc0000000195e0c60-0xc0000000195e0c67 @offset=3168. First byte 0x0 instead of 0xcc
[  77.000020] Object 0xc0000000195e0c00 @offset=3072 fp=0xc0000000195e0d00
`;
    const { findings } = await analyse({ arch: "ppc64le", console: consoleLog, memory: [artifact("obj.hex", "hexdump", writeHexdump(base, dump))] });
    expect(findings.region?.start).toBe(0x195e0c60n);
    expect(findings.region?.end).toBe(0x195e0c68n);
    expect(findings.region?.alignment).toBe("word");
    expect(findings.region?.granule).toBe(32);
    expect(findings.evidence.find((e) => e.verdict === "out-of-bounds")?.claim).toContain("right past the end of the 96-byte kmalloc-96 object");
  });

  it("software corruption: unaligned log text inside live kernel memory (crash rd -64, little-endian words)", async () => {
    const base = 0x2b3c0000n;
    const page = kernelPage(PPC, 65536, base, 31);
    const text = "ERROR: device timeout";
    page.set(Buffer.from(text), 0x4d3);
    page[0x4d2] = 0x00;
    page[0x4d3 + text.length] = 0x00;
    const consoleLog = `${BANNER}
[ 1200.000000] BUG: Unable to handle kernel data access on read at 0x6f69766564203a52
[ 1200.000010] Faulting instruction address: 0xc0000000004f1a2c
${stack(" 1200.000020", ["__list_del_entry_valid+0x2c/0xd0", "list_lru_del+0x8c/0x1d0"])}
`;
    const { findings } = await analyse({ arch: "ppc64le", console: consoleLog, memory: [artifact("rd64.txt", "crash-rd", writeCrashRd(base, page, { width: 8, endianness: "little" }))] });
    expect(findings.region?.start).toBe(0x2b3c04d3n);
    expect(findings.region?.end).toBe(0x2b3c04e8n);
    expect(findings.region?.alignment).toBe("unaligned");
    expect(findings.region?.content).toBe('ASCII log text ("ERROR: device timeout")');
    expect(new Set(findings.evidence.map((e) => e.verdict))).toEqual(new Set(["software-corruption"]));
  });
});

describe("a vmcore with no crash report", () => {
  it("sweeps page starts for packet headers and finds the stale DMA frame", async () => {
    const frame = kernelPage(PPC, 65536, 0x3000000n, 41);
    frame.set(roceFrame({ length: 1500, src: "192.168.7.1", dst: "192.168.7.2", opcode: 0x04, qp: 0x99, seed: 2 }), 0);
    const other = kernelPage(PPC, 65536, 0x2000000n, 42);
    const path = join(dir, "vmcore-sweep");
    await writeElfCoreFile(path, {
      arch: "ppc64le",
      endianness: "little",
      vmcoreinfo: VMCOREINFO,
      segments: [{ paddr: 0n, size: 0x8000000n, contents: [{ offset: 0x2000000n, bytes: other }, { offset: 0x3000000n, bytes: frame }] }],
    });
    const { findings } = await analyse({ arch: "ppc64le", console: null, memory: [artifact("vmcore", "elf-vmcore", new Uint8Array(0), path)] });
    expect(findings.region?.start).toBe(0x3000000n);
    expect(findings.region?.end).toBe(0x3000000n + 1500n);
    expect(findings.region?.alignment).toBe("page");
    expect(findings.frames).toEqual([0x300n]);

    const clean = join(dir, "vmcore-clean");
    await writeElfCoreFile(clean, { arch: "ppc64le", endianness: "little", vmcoreinfo: VMCOREINFO, segments: [{ paddr: 0n, size: 0x4000000n, contents: [{ offset: 0x2000000n, bytes: other }] }] });
    const none = await analyse({ arch: "ppc64le", console: null, memory: [artifact("vmcore", "elf-vmcore", new Uint8Array(0), clean)] });
    expect(none.findings.region).toBeNull();
    expect(none.findings.missing.join()).toContain("the console log with the crash report, to say where in the vmcore to look");
  });
});
