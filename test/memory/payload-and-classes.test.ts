import { describe, expect, it } from "vitest";
import { classifyAlignment, framesOf, granuleOf } from "../../src/analysis/memory/alignment.js";
import { deviationRuns, dominantFill, fillMask } from "../../src/analysis/memory/known-fills.js";
import { linearToPhysical, toPhysical } from "../../src/analysis/memory/linear-map.js";
import { decodeEthernet, decodeInfiniband, decodeStorage, describeText, isHighEntropy } from "../../src/analysis/memory/payload-decoder.js";
import { vmcoreinfoHints } from "../../src/analysis/memory/vmcoreinfo.js";
import { WordClassifier } from "../../src/analysis/memory/word-classifier.js";
import { ARCH_DEFAULTS } from "../../src/analysis/model/machine.js";
import { SymbolMap } from "../../src/analysis/symbols/symbol-map.js";
import { writeHexdump } from "../../src/simulator/writers/hexdump-writer.js";
import { analyse, artifact, rng, systemMap, X86 } from "./bundle-builder.js";

function ipv6RoceFrame(payloadZeros: number): Uint8Array {
  const payload = 256;
  const b = new Uint8Array(14 + 40 + 8 + 12 + payload + 4);
  const r = rng(77);
  for (let i = 0; i < b.length; i++) b[i] = 1 + Math.floor(r() * 255);
  b.set([0xb8, 0xce, 0xf6, 0x01, 0x02, 0x03, 0x0c, 0x42, 0xa1, 0x04, 0x05, 0x06, 0x86, 0xdd], 0);
  const plen = 8 + 12 + payload + 4;
  b.set([0x60, 0x00, 0x00, 0x00, plen >> 8, plen & 0xff, 17, 64], 14);
  b.set([0xfd, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07], 22);
  b.set([0xfd, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x09], 38);
  b.set([0xc3, 0x50, 0x12, 0xb7, plen >> 8, plen & 0xff, 0, 0], 54);
  b.set([0x64, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05], 62);
  b.fill(0, 74 + 40, 74 + 40 + payloadZeros);
  return b;
}

describe("payload decoder names what a device wrote", () => {
  it("RoCEv2 over IPv6 (UD SEND-only)", () => {
    const p = decodeEthernet(ipv6RoceFrame(0), 0);
    expect(p?.description).toBe("RoCEv2 packet: Ethernet, IPv6 fd00::7 → fd00::9, UDP 4791, BTH opcode 0x64 UD SEND-only, QP 0x1");
    expect(p?.end).toBe(14 + 40 + 280);
  });

  it("native InfiniBand with LRH and GRH", () => {
    const b = new Uint8Array(128);
    b.set([0x00, 0x03, 0x00, 0x12, 0x00, 0x20, 0x00, 0x34], 0);
    b.set([0x60, 0, 0, 0, 0, 64, 0x1b, 64], 8);
    b[8 + 8 + 15] = 1;
    b[8 + 24 + 15] = 2;
    b.set([0x0a, 0x00, 0xff, 0xff, 0x00, 0x00, 0x01, 0x02, 0x80, 0, 0, 1], 48);
    expect(decodeInfiniband(b, 0)?.description).toBe("InfiniBand packet: LRH LID 0x34 → 0x12, GRH ::1 → ::2, BTH opcode 0x0a RDMA-WRITE-only, QP 0x102");
    expect(decodeInfiniband(new Uint8Array(128).fill(0x6b), 0)).toBeNull();
  });

  it("storage and text", () => {
    const sb = new Uint8Array(4096);
    sb[0x438] = 0x53;
    sb[0x439] = 0xef;
    expect(decodeStorage(sb, 0)?.description).toContain("ext4 superblock");
    const cq = new Uint8Array(256);
    for (let e = 0; e < 8; e++) cq.set([0, 0, 0, 0, 0, 0, 0, 0, 10 + e, 0, 3, 0, e, 0, 1, 0], e * 16);
    expect(decodeStorage(cq, 0)?.description).toBe("NVMe completion queue entries (8, SQ 3)");
    expect(describeText(Buffer.from("2026-11-23 INFO request served in 3 ms\n"))?.description).toMatch(/^ASCII log text/);
    const noise = new Uint8Array(1024).map((_, i) => (i * 2654435761) >>> 24);
    expect(isHighEntropy(noise)).toBe(true);
    expect(isHighEntropy(new Uint8Array(1024).fill(0x41))).toBe(false);
  });
});

describe("alignment classes follow the page size", () => {
  it("64 KiB pages: a 4 KiB-aligned start is not a page start", () => {
    expect(classifyAlignment(0x54d71000n, 0x54d71800n, 65536, 128)).toBe("cache-line");
    expect(classifyAlignment(0x54d71000n, 0x54d71800n, 4096, 64)).toBe("page");
    expect(classifyAlignment(0x54d71000n, 0x54d71801n, 65536, 128)).toBe("word");
    expect(classifyAlignment(0x54d71003n, 0x54d71004n, 65536, 128)).toBe("unaligned");
    expect(granuleOf(0x54d70000n)).toBe(65536);
    expect(granuleOf(0x54d71000n)).toBe(4096);
    expect(granuleOf(0x123450c4n)).toBe(4);
    expect(framesOf(0x54d7f000n, 0x54d81000n, 65536)).toEqual([0x54d7n, 0x54d8n]);
    expect(framesOf(0x54d7f000n, 0x54d81000n, 4096)).toEqual([0x54d7fn, 0x54d80n]);
  });
});

describe("machine facts from memory", () => {
  it("arm64 VMCOREINFO gives the linear map from VA_BITS and PHYS_OFFSET", () => {
    const h = vmcoreinfoHints({ OSRELEASE: "6.8.0-45-generic", PAGESIZE: "4096", "NUMBER(VA_BITS)": "48", "NUMBER(PHYS_OFFSET)": "0x80000000" }, "vmcore");
    expect(h.arch).toBe("arm64");
    // PAGE_OFFSET 0xffff000000000000 maps physical 0x80000000.
    expect(linearToPhysical(0xffff000000001000n, { ...ARCH_DEFAULTS.arm64, linearMapBase: h.linearMapBase ?? null })).toBe(0x80001000n);
  });

  it("linear map conversion per arch; other kernel addresses do not convert", () => {
    expect(toPhysical(0xffff888012acfc20n, X86)).toBe(0x12acfc20n);
    expect(toPhysical(0xc000000054d70000n, ARCH_DEFAULTS.ppc64le)).toBe(0x54d70000n);
    expect(toPhysical(0xffffc90003000000n, X86)).toBeNull();
    expect(toPhysical(0x54d70000n, X86)).toBe(0x54d70000n);
  });

  it("word classes: pointers, symbols, small values, list poison, text, foreign", () => {
    const w = new WordClassifier(X86, SymbolMap.parse(systemMap("x86_64")).map);
    expect(w.classify(0xffff888012345678n)).toBe("linear");
    expect(w.classify(0xffffffff81008040n)).toBe("text");
    expect(w.symbolOf(0xffffffff81008040n)).toBe("tcp_prot+0x40");
    expect(w.classify(0xffffffffa0123456n)).toBe("module");
    expect(w.classify(0xffffea0000fca840n)).toBe("vmemmap");
    expect(w.classify(0xdead000000000122n)).toBe("poison");
    expect(w.classify(0xfffffffffffffff4n)).toBe("small");
    expect(w.classify(0x1234n)).toBe("small");
    expect(w.classify(0x9f3c5e2a77b1d004n)).toBe("foreign");
    const ascii = Buffer.from("INFO req");
    expect(w.classify(w.word(ascii, 0), ascii, 0)).toBe("ascii");
  });
});

describe("known fills", () => {
  it("SLUB free poison with its 0xa5 end marker and red zone counts as fill; deviations are exact", () => {
    const b = new Uint8Array(200).fill(0x6b);
    b[127] = 0xa5;
    b.fill(0xbb, 128, 144);
    b.fill(0x5a, 144, 200);
    b[0x30] = 0x00;
    b[0x31] = 0x6b; // a store whose middle byte equals the poison stays one run
    b[0x32] = 0x01;
    const d = dominantFill(b.subarray(0, 144));
    expect(d?.fill.kind).toBe("slub-free");
    expect(deviationRuns(fillMask(b.subarray(0, 144), d!.fill))).toEqual([{ start: 0x30, end: 0x33 }]);
  });
});

describe("stale DMA into a zeroed page", () => {
  it("the packet's own length bounds the region past the zero stretches in its payload", async () => {
    const base = 0x7079f000n;
    const page = new Uint8Array(4096);
    const frame = ipv6RoceFrame(40);
    page.set(frame, 0);
    const { findings } = await analyse({ arch: "x86_64", console: null, memory: [artifact("zero.hex", "hexdump", writeHexdump(base, page))], dmaAddresses: [base] });
    expect(findings.region?.start).toBe(base);
    expect(findings.region?.end).toBe(base + BigInt(frame.length));
    expect(findings.region?.content).toContain("RoCEv2 packet: Ethernet, IPv6 fd00::7 → fd00::9");
    expect(findings.evidence.find((e) => e.facet === "address-match")?.verdict).toBe("stale-dma");
  });
});

describe("nothing to find", () => {
  it("clean live pages with no crash report give no region", async () => {
    const base = 0x40000000n;
    const { kernelPage } = await import("./bundle-builder.js");
    const pages = new Uint8Array(3 * 4096);
    for (let i = 0; i < 3; i++) pages.set(kernelPage(X86, 4096, base + BigInt(i * 4096), 100 + i), i * 4096);
    // Three odd words in a row: unnamed, so too weak to report without a crash report pointing here.
    pages.set([0x13, 0x57, 0x9b, 0xdf, 0x24, 0x68, 0xac, 0xe0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xf1, 0xf2], 0x1808);
    const { findings } = await analyse({ arch: "x86_64", console: null, memory: [artifact("live.hex", "hexdump", writeHexdump(base, pages))] });
    expect(findings.region).toBeNull();
    expect(findings.evidence).toEqual([]);
    // The same bytes, when the crash report names the frame, are reported.
    const named = await analyse({ arch: "x86_64", console: "[ 1.000000] BUG: Bad page state in process kworker/0:1  pfn:40001\n", memory: [artifact("live.hex", "hexdump", writeHexdump(base, pages))] });
    expect(named.findings.region?.start).toBe(0x40001808n);
    expect(named.findings.region?.end).toBe(0x40001820n);
  });

  it("no memory and no crash report: says what to attach", async () => {
    const { findings } = await analyse({ arch: "x86_64", console: null, memory: [] });
    expect(findings.region).toBeNull();
    expect(findings.missing.join()).toContain("a memory dump of the corrupted page and the console log");
  });
});
