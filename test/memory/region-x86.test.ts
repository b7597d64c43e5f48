import { describe, expect, it } from "vitest";
import { writeCrashRd } from "../../src/simulator/writers/crash-rd-writer.js";
import { writeHexdump } from "../../src/simulator/writers/hexdump-writer.js";
import { writeXxd } from "../../src/simulator/writers/xxd-writer.js";
import { analyse, artifact, crashReport, kernelPage, put64, roceFrame, X86 } from "./bundle-builder.js";

// x86_64, 4 KiB pages, 64-byte cache lines, linear map at 0xffff888000000000.

const BANNER = `[    0.000000] Linux version 6.12.0 (mockbuild@x86-64-01) (gcc 14.2.1) #1 SMP PREEMPT_DYNAMIC
[    0.000000] DMI: Supermicro SYS-1029U-TRT/X11DPU, BIOS 3.4 10/20/2020`;

function stack(ts: string, frames: string[]): string {
  return [`[${ts}] CPU: 3 UID: 0 PID: 4242 Comm: kworker/u9:0 Not tainted 6.12.0 #1`, `[${ts}] Hardware name: Supermicro SYS-1029U-TRT/X11DPU, BIOS 3.4 10/20/2020`, `[${ts}] Call Trace:`, `[${ts}]  <TASK>`, ...frames.map((f) => `[${ts}]  ${f}`), `[${ts}]  </TASK>`].join("\n");
}

describe("x86_64 bundles (4 KiB pages)", () => {
  it("stale DMA: a RoCEv2 packet at the start of a live slab page", async () => {
    const base = 0x687de000n;
    const page = kernelPage(X86, 4096, base, 11);
    page.set(roceFrame({ length: 1072, src: "10.20.1.7", dst: "10.20.1.9", opcode: 0x04, qp: 0x6e3312, seed: 5 }), 0);
    const consoleLog = `${BANNER}
[  812.004512] BUG: Bad page state in process kworker/u9:0  pfn:687de
[  812.004530] page: refcount:0 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x687de
[  812.004533] flags: 0x200000000000000(node=0|zone=2)
[  812.004540] page dumped because: nonzero mapcount
[  812.004545] Modules linked in: mlx5_ib mlx5_core ib_core
${stack("  812.004560", ["dump_stack_lvl+0x5d/0x80", "bad_page+0x7b/0x110", "free_unref_page+0x2a5/0x4f0"])}
`;
    const { findings } = await analyse({ arch: "x86_64", console: consoleLog, memory: [artifact("memory.txt", "hexdump", writeHexdump(base, page))] });
    const r = findings.region;
    expect(r).not.toBeNull();
    expect(r?.start).toBe(0x687de000n);
    expect(r?.end).toBe(0x687de430n);
    expect(r?.alignment).toBe("page");
    expect(r?.granule).toBe(8192);
    expect(r?.source).toBe("memory.txt:1");
    expect(r?.content).toBe("RoCEv2 packet: Ethernet, IPv4 10.20.1.7 → 10.20.1.9, UDP 4791, BTH opcode 0x04 SEND-only, QP 0x6e3312");
    expect(findings.frames).toEqual([0x687den]);
    const verdicts = findings.evidence.map((e) => `${e.verdict}/${e.facet}`);
    expect(verdicts).toContain("stale-dma/content");
    expect(verdicts).toContain("stale-dma/alignment");
    expect(findings.excerpt?.base).toBe(0x687de000n);
    expect(findings.excerpt?.region).toEqual({ start: 0x687de000n, end: 0x687de430n });
    expect(findings.excerpt?.bytes.length).toBe(128);
  });

  it("bit flip: one byte of a poisoned free page is 0xab", async () => {
    const base = 0x3f2a1000n;
    const page = new Uint8Array(4096).fill(0xaa);
    page[0x7c3] = 0xab;
    const consoleLog = `${BANNER}
[ 1093.221004] pagealloc: single bit error
[ 1093.221010] ffff88803f2a17c3: ab                                               .
${stack(" 1093.221020", ["dump_stack_lvl+0x48/0x60", "__kernel_unpoison_pages.cold+0x4f/0x6e", "get_page_from_freelist+0x8f6/0x1160"])}
[ 1093.221042] page:ffffea0000fca840 refcount:1 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x3f2a1
[ 1093.221048] page dumped because: pagealloc: corrupted page details
`;
    const text = writeHexdump(base, page);
    expect(text.split("\n").length).toBeLessThan(10); // squeezed like the real tool
    const { findings } = await analyse({ arch: "x86_64", console: consoleLog, memory: [artifact("page.hex", "hexdump", text)] });
    expect(findings.region?.start).toBe(0x3f2a17c3n);
    expect(findings.region?.end).toBe(0x3f2a17c4n);
    expect(findings.region?.alignment).toBe("unaligned");
    expect(findings.region?.granule).toBe(1);
    const flip = findings.evidence.find((e) => e.verdict === "bit-flip");
    expect(flip?.facet).toBe("fill");
    expect(flip?.claim).toContain("0xab where page poison 0xaa was expected");
    expect(flip?.claim).toContain("bit 0");
    expect(findings.evidence.some((e) => e.verdict === "stale-dma")).toBe(false);
  });

  it("use-after-free: 8 bytes at a field offset of a freed kmalloc-256 object (crash rd -64 at virtual addresses)", async () => {
    const obj = new Uint8Array(320);
    obj.fill(0x6b, 0, 255);
    obj[255] = 0xa5;
    obj.fill(0xbb, 256, 264);
    put64(obj, 264, 0xffff888088a2de40n);
    obj.fill(0x5a, 272, 320);
    put64(obj, 0x18, 1n);
    const consoleLog = `${BANNER}
[ 2205.113201] =============================================================================
[ 2205.113210] BUG kmalloc-256 (Not tainted): Poison overwritten
[ 2205.113215] -----------------------------------------------------------------------------
[ 2205.113222] 0xffff888088a2dd18-0xffff888088a2dd1f @offset=3352. First byte 0x1 instead of 0x6b
[ 2205.113230] Allocated in nvme_alloc_request+0x3c/0x90 age=12 cpu=2 pid=311
[ 2205.113240] Freed in nvme_free_request+0x21/0x40 age=3 cpu=2 pid=311
[ 2205.113250] Slab 0xffffea0002228b40 objects=16 used=16 fp=0x0000000000000000 flags=0x100000000010200(slab|head|node=0|zone=1)
[ 2205.113255] Object 0xffff888088a2dd00 @offset=3328 fp=0x0000000000000000
${stack(" 2205.113300", ["dump_stack_lvl+0x5d/0x80", "check_bytes_and_report.cold+0x3d/0x5e", "check_object+0x1b1/0x280"])}
`;
    const { findings, load } = await analyse({ arch: "x86_64", console: consoleLog, memory: [artifact("rd.txt", "crash-rd", writeCrashRd(0xffff888088a2dd00n, obj, { width: 8 }))] });
    expect([...load.warnings.values()].flat()).toEqual([]);
    expect(findings.region?.start).toBe(0x88a2dd18n);
    expect(findings.region?.end).toBe(0x88a2dd20n);
    expect(findings.region?.alignment).toBe("word");
    expect(findings.region?.granule).toBe(8);
    expect(findings.region?.source).toBe("rd.txt:2");
    const uaf = findings.evidence.find((e) => e.verdict === "use-after-free" && e.facet === "fill");
    expect(uaf?.claim).toContain("offset 0x18 of the freed 256-byte kmalloc-256 object");
    expect(findings.frames).toEqual([0x88a2dn]);
  });

  it("out-of-bounds: a kmalloc-192 object's right red zone overwritten by a string (xxd)", async () => {
    const base = 0x12345000n;
    const dump = kernelPage(X86, 256, base, 3);
    dump.set(Buffer.from("eth0"), 0xc0);
    dump.fill(0xcc, 0xc4, 0xd8);
    put64(dump, 0xd8, 0xffff888012345180n);
    dump.fill(0x5a, 0xe0, 0x100);
    const consoleLog = `${BANNER}
[  301.500100] =============================================================================
[  301.500110] BUG kmalloc-192 (Tainted: G    B             ): Right Redzone overwritten
[  301.500115] -----------------------------------------------------------------------------
[  301.500120] 0xffff8880123450c0-0xffff8880123450c3 @offset=192. First byte 0x65 instead of 0xcc
[  301.500130] Slab 0xffffea000048d140 objects=21 used=21 fp=0x0000000000000000 flags=0x100000000000200(slab|node=0|zone=1)
[  301.500140] Object 0xffff888012345000 @offset=0 fp=0xffff888012345180
${stack("  301.500200", ["dump_stack_lvl+0x5d/0x80", "check_bytes_and_report.cold+0x3d/0x5e", "check_object+0x22e/0x280"])}
`;
    const { findings } = await analyse({ arch: "x86_64", console: consoleLog, memory: [artifact("slab.xxd", "xxd", writeXxd(base, dump))] });
    expect(findings.region?.start).toBe(0x123450c0n);
    expect(findings.region?.end).toBe(0x123450c4n);
    expect(findings.region?.alignment).toBe("word");
    expect(findings.region?.granule).toBe(64);
    const oob = findings.evidence.find((e) => e.verdict === "out-of-bounds");
    expect(oob?.claim).toContain("right past the end of the 192-byte kmalloc-192 object at 0x12345000");
    expect(findings.region?.content).toBe("bytes 65 74 68 30: the 32-bit value 0x30687465");
  });

  it("out-of-bounds from KASAN's own bounds, with no dump: says which frame to dump", async () => {
    const consoleLog = `${BANNER}
[   96.100000] ==================================================================
[   96.100010] BUG: KASAN: slab-out-of-bounds in ext4_htree_fill_tree+0x6c1/0x9a0
[   96.100020] Write of size 4 at addr ffff888012acfc20 by task find/3131
${stack("   96.100030", ["dump_stack_lvl+0x5d/0x80", "kasan_report+0xb8/0xf0", "ext4_htree_fill_tree+0x6c1/0x9a0"])}
[   96.100100] The buggy address belongs to the object at ffff888012acfb60
[   96.100101]  which belongs to the cache kmalloc-192 of size 192
[   96.100102] The buggy address is located 0 bytes to the right of
[   96.100103]  allocated 192-byte region [ffff888012acfb60, ffff888012acfc20)
`;
    const { findings } = await analyse({ arch: "x86_64", console: consoleLog, memory: [] });
    expect(findings.region?.start).toBe(0x12acfc20n);
    expect(findings.region?.end).toBe(0x12acfc24n);
    expect(findings.region?.alignment).toBe("word");
    expect(findings.region?.granule).toBe(32);
    expect(findings.evidence.find((e) => e.verdict === "out-of-bounds")?.facet).toBe("crash-report");
    expect(findings.missing.join("\n")).toContain("a dump of frame 0x12acf");
    expect(findings.excerpt).toBeNull();
  });

  it("cache-line corruption: one whole 64-byte line of kernel pointers in a poisoned page", async () => {
    const base = 0x1b3c2000n;
    const page = new Uint8Array(4096).fill(0xaa);
    const words = [0xffff8881b3c2e040n, 0xffff8881b3c2e040n, 0xffffffff81008040n, 1n, 0x2c0n, 0xffff888104a7c900n, 0x0000000100000001n, 0xffff888104a7c9c0n];
    words.forEach((w, i) => put64(page, 0x9c0 + i * 8, w));
    const hexLines = [0, 16, 32, 48].map((o) => `[  455.300010] ffff88801b3c29${(0xc0 + o).toString(16)}: ${[...page.subarray(0x9c0 + o, 0x9d0 + o)].map((b) => b.toString(16).padStart(2, "0")).join(" ")}`).join("\n");
    const consoleLog = `${BANNER}
[  455.300000] pagealloc: memory corruption
${hexLines}
${stack("  455.300100", ["dump_stack_lvl+0x5d/0x80", "__kernel_unpoison_pages.cold+0x4f/0x6e"])}
[  455.300200] page:ffffea00006cf080 refcount:1 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x1b3c2
`;
    const { findings } = await analyse({ arch: "x86_64", console: consoleLog, memory: [artifact("mem.hex", "hexdump", writeHexdump(base, page))] });
    expect(findings.region?.start).toBe(0x1b3c29c0n);
    expect(findings.region?.end).toBe(0x1b3c2a00n);
    expect(findings.region?.alignment).toBe("cache-line");
    expect(findings.region?.granule).toBe(64);
    expect(findings.region?.content).toContain("kernel pointers to slab objects");
    expect(findings.region?.content).toContain("tcp_prot+0x40");
    const facets = findings.evidence.filter((e) => e.verdict === "cache-line-corruption").map((e) => e.facet);
    expect(facets).toEqual(expect.arrayContaining(["content", "alignment"]));
    expect(findings.evidence.some((e) => e.verdict === "stale-dma")).toBe(false);
  });

  it("cache-line corruption loses weight when a DMA mapping covered the frame", async () => {
    const base = 0x1b3c2000n;
    const page = new Uint8Array(4096).fill(0xaa);
    [0xffff8881b3c2e040n, 0xffff888104a7c900n, 5n, 0xffff888104a7c9c0n, 0xffff888104a7c980n, 7n, 0xffff888104a7c9c8n, 0xffffffff81002000n].forEach((w, i) => put64(page, 0x9c0 + i * 8, w));
    const { findings } = await analyse({ arch: "x86_64", console: null, memory: [artifact("mem.hex", "hexdump", writeHexdump(base, page))], dmaAddresses: [0x1b3c2000n] });
    expect(findings.region?.start).toBe(0x1b3c29c0n);
    const counter = findings.evidence.find((e) => e.counter);
    expect(counter?.verdict).toBe("cache-line-corruption");
  });

  it("software corruption: an unaligned string in a poisoned page", async () => {
    const base = 0x2e36e000n;
    const page = new Uint8Array(4096).fill(0xaa);
    page.set(Buffer.from("eth0: link up"), 0x235);
    const consoleLog = `${BANNER}
[  620.000000] pagealloc: memory corruption
[  620.000001] ffff88802e36e235: 65 74 68 30 3a 20 6c 69 6e 6b 20 75 70  eth0: link up
[  620.000100] page:ffffea0000b8db80 refcount:1 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x2e36e
`;
    const { findings } = await analyse({ arch: "x86_64", console: consoleLog, memory: [artifact("mem.hex", "hexdump", writeHexdump(base, page))] });
    expect(findings.region?.start).toBe(0x2e36e235n);
    expect(findings.region?.end).toBe(0x2e36e242n);
    expect(findings.region?.alignment).toBe("unaligned");
    expect(findings.region?.content).toBe('ASCII text ("eth0: link up")');
    const verdicts = new Set(findings.evidence.map((e) => e.verdict));
    expect([...verdicts]).toEqual(["software-corruption"]);
  });
});

describe("x86_64 reports without a dump", () => {
  it("KASAN use-after-free: the access inside the freed object is the region", async () => {
    const consoleLog = `[  50.000000] ==================================================================
[  50.000010] BUG: KASAN: slab-use-after-free in tcp_v4_rcv+0x1c2/0x1dd0
[  50.000020] Write of size 8 at addr ffff88801f3a6c48 by task swapper/0/0
[  50.000100] The buggy address belongs to the object at ffff88801f3a6c00
[  50.000101]  which belongs to the cache kmalloc-256 of size 256
[  50.000102] The buggy address is located 72 bytes inside of
[  50.000103]  freed 256-byte region [ffff88801f3a6c00, ffff88801f3a6d00)
`;
    const { findings } = await analyse({ arch: "x86_64", console: consoleLog, memory: [] });
    expect(findings.region?.start).toBe(0x1f3a6c48n);
    expect(findings.region?.end).toBe(0x1f3a6c50n);
    expect(findings.region?.source).toMatch(/^console\.log:\d+$/);
    const uaf = findings.evidence.find((e) => e.verdict === "use-after-free");
    expect(uaf?.claim).toContain("offset 0x48 inside the freed 256-byte kmalloc-256 object");
    expect(findings.missing.join()).toContain("a dump of frame 0x1f3a6");
  });
});

describe("hashed addresses in the report", () => {
  it("a page-poison dump with %p-hashed addresses is ignored; the dump of the frame still gives the exact byte", async () => {
    const base = 0x3f2a1000n;
    const page = new Uint8Array(4096).fill(0xaa);
    page[0x124] = 0xa8;
    const consoleLog = `[ 1093.221004] pagealloc: single bit error
[ 1093.221010] 000000004e1c3f9b: a8                                               .
[ 1093.221042] page: refcount:1 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x3f2a1
`;
    const { findings } = await analyse({ arch: "x86_64", console: consoleLog, memory: [artifact("page.hex", "hexdump", writeHexdump(base, page))] });
    expect(findings.region?.start).toBe(0x3f2a1124n);
    expect(findings.region?.end).toBe(0x3f2a1125n);
    expect(findings.region?.granule).toBe(4);
    expect(findings.evidence.find((e) => e.verdict === "bit-flip")?.claim).toContain("bit 1");
  });
});

describe("list_debug reports", () => {
  it("list_del corruption: the region is the prev->next word the report names, with its value", async () => {
    const base = 0x12d4c000n;
    const page = kernelPage(X86, 4096, base, 77);
    put64(page, 0x9c0, 0xffff888012d4e5c0n);
    const consoleLog = `[  183.399146] list_del corruption. prev->next should be ffff888012d4c200, but was ffff888012d4e5c0. (prev=ffff888012d4c9c0)
[  183.411000] kernel BUG at lib/list_debug.c:62!
`;
    const crash = crashReport("list-corruption", "BUG: corrupted list in __list_del_entry_valid_or_report", consoleLog);
    const { findings } = await analyse({ arch: "x86_64", console: consoleLog, crash, memory: [artifact("mem.hex", "hexdump", writeHexdump(base, page))] });
    // Live kernel memory with nothing foreign in it: the word the report names is the region.
    expect(findings.region?.start).toBe(0x12d4c9c0n);
    expect(findings.region?.end).toBe(0x12d4c9c8n);
    expect(findings.region?.content).toBe("bytes c0 e5 d4 12 80 88 ff ff: the 64-bit value 0xffff888012d4e5c0, a pointer into the linear map");
    expect(findings.evidence[0].claim).toBe("prev->next at 0x12d4c9c0 holds 0xffff888012d4e5c0 where 0xffff888012d4c200 was expected");
    expect(findings.frames).toEqual([0x12d4cn]);
  });

  it("list_del on an entry already deleted: LIST_POISON1 means use after list_del", async () => {
    const consoleLog = `[  90.000000] list_del corruption, ffff888012d4c9c0->next is LIST_POISON1 (dead000000000100)
[  90.000010] kernel BUG at lib/list_debug.c:56!
`;
    const crash = crashReport("list-corruption", "BUG: corrupted list in __list_del_entry_valid_or_report", consoleLog);
    const { findings } = await analyse({ arch: "x86_64", console: consoleLog, crash, memory: [] });
    expect(findings.region?.start).toBe(0x12d4c9c0n);
    expect(findings.evidence.find((e) => e.verdict === "use-after-free")?.claim).toContain("holds list poison 0xdead000000000100");
    expect(findings.missing.join()).toContain("a dump of frame 0x12d4c");
  });
});

describe("addresses that are not corrupted bytes", () => {
  it("a KASAN read and a NULL-pointer page fault give no region", async () => {
    const read = `[  50.000000] BUG: KASAN: slab-use-after-free in tcp_v4_rcv+0x1c2/0x1dd0
[  50.000020] Read of size 8 at addr ffff88801f3a6c48 by task swapper/0/0
[  50.000100] The buggy address belongs to the object at ffff88801f3a6c00
[  50.000101]  which belongs to the cache kmalloc-256 of size 256
`;
    const fault = `[  60.000000] BUG: kernel NULL pointer dereference, address: 0000000000000074
[  60.000010] #PF: supervisor read access in kernel mode
[  60.000020] Oops: 0000 [#1] PREEMPT SMP NOPTI
`;
    for (const consoleLog of [read, fault]) {
      const { findings } = await analyse({ arch: "x86_64", console: consoleLog, memory: [] });
      expect(findings.region).toBeNull();
      expect(findings.evidence).toEqual([]);
    }
  });
});
