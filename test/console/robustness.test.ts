/**
 * Bad input never crashes the console parser, and its patterns stay linear: random text,
 * random crash-like logs and hand-made worst cases for the patterns (long runs of the
 * characters the patterns repeat) all finish and give a well-formed result.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseConsoleLog, parseLspci } from "../../src/analysis/console/index.js";

const TOKENS = [
  "BUG: ", "KASAN: ", "WARNING: ", "INFO: ", "kernel BUG at ", "general protection fault", "Call Trace:", "Call trace:",
  "RIP: 0010:", "NIP [c0000000] ", "pc : ", " ? ", "+0x1c/0x80", " [inline]", "mm/slub.c:12", "[  12.345678] ",
  "[ T42] ", "[C3] ", "at: ", "[<ffffffff81000000>] ", "Read of size 8 at addr ffff888012345678 by task a/1",
  "DMA-API: ", "DMAR: [DMA Write] Request device [05:00.0] fault addr 0x1000 ", "AMD-Vi: Event logged [IO_PAGE_FAULT ",
  "Unhandled context fault: fsr=0x402, iova=0x1000", "pagealloc: memory corruption", "BUG kmalloc-64 (Not tainted): ",
  "Poison overwritten", "pfn:", "0x", "ffff", "-", ".", "/", "(", ")", "[", "]", "\n", " ", "\t", "\r", "\u0000", "é",
  "list_del corruption", "Kernel panic - not syncing: ", "fatal error: ", "Memory at 20000000 (drc index 1) was hot-removed",
  "mlx5_core 0000:01:00.0: ", "LE PAGE_SIZE=64K ", "CPU: 3 PID: 1 Comm: x Not tainted 6.1.0 #1", "is trying to release lock",
];

function wellFormed(text: string): void {
  const facts = parseConsoleLog(text, "fuzz.log");
  expect(Array.isArray(facts.devices)).toBe(true);
  expect(Array.isArray(facts.layoutEvents)).toBe(true);
  expect(Array.isArray(facts.machine)).toBe(true);
  if (facts.crash) {
    expect(typeof facts.crash.title).toBe("string");
    expect(facts.crash.title.length).toBeLessThanOrEqual(120);
    expect(facts.crash.source.startsWith("fuzz.log:")).toBe(true);
  }
}

describe("console parser robustness", () => {
  it("never throws on random text", () => {
    fc.assert(fc.property(fc.string({ maxLength: 2000 }), (s) => {
      wellFormed(s);
    }), { numRuns: 300 });
  });

  it("never throws on random crash-like logs", () => {
    const log = fc.array(fc.constantFrom(...TOKENS), { maxLength: 300 }).map((t) => t.join(""));
    fc.assert(fc.property(log, (s) => {
      wellFormed(s);
    }), { numRuns: 400 });
  });

  it("never throws on random lspci text", () => {
    fc.assert(fc.property(fc.string({ maxLength: 1000 }), (s) => {
      expect(Array.isArray(parseLspci(s, "l"))).toBe(true);
    }), { numRuns: 200 });
  });

  it("finishes worst cases for its patterns", () => {
    const worst = [
      "a".repeat(50 * 1024 * 1024),
      Array.from({ length: 1 << 20 }, (_, i) => String.fromCharCode((i * 7919) % 256)).join(""),
      "WARNING: " + " at a.a".repeat(600) + ".c",
      "WARNING: CPU: 0 PID: 1 at " + "a.".repeat(3000) + " x",
      "WARNING: [" + "] ".repeat(3000),
      "BUG: KASAN: " + "a-".repeat(3000) + "\n" + "Read of size ".repeat(300),
      "fatal error: x\n".repeat(50000),
      "BUG: unable to handle page fault for address: 0\nCall Trace:\n" + " a+0x1/0x2\n".repeat(100000),
      "[ 1.0] " + " ? ".repeat(3000),
      "DMAR: [DMA Write] Request device [" + "[".repeat(4000),
      "BUG " + "a".repeat(3000) + " (" + "(".repeat(1000),
      "BUG: bad unlock balance detected!\nis trying to release lock " + "[<ffff>] ".repeat(400),
      "general protection fault: 0000\nRIP: 0010:" + "[<1>] ".repeat(700),
      "BUG: KASAN: x in f+0x1/0x2\nRead of size 1\nCall Trace:\n " + "a.".repeat(2000) + " x.c:1\n",
      "kernel BUG at " + " in ".repeat(1500),
      "INFO: task " + "x".repeat(4000) + " blocked for more than ",
      "memory offlining [mem 0x" + "f".repeat(4000),
    ];
    for (const text of worst) wellFormed(text);
  });

  it("keeps the first crash when the log is garbage around it", () => {
    const noise = "\u0000\u00ff garbage \r\n".repeat(1000);
    const facts = parseConsoleLog(`${noise}[  1.000000] BUG: KASAN: use-after-free in foo+0x1/0x2\n[  1.000001] Read of size 8 at addr ffff888000000000 by task t/1\n[  1.000002] Call Trace:\n[  1.000003]  foo+0x1/0x2\n${noise}`, "g.log");
    expect(facts.crash?.title).toBe("KASAN: use-after-free Read in foo");
  });
});
