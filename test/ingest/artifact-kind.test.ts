import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sniffKind } from "../../src/analysis/ingest/artifact-kind.js";
import type { ArtifactKind } from "../../src/analysis/model/artifact.js";
import { elfCore } from "./archive-builders.js";

const FIX = join(import.meta.dirname, "../fixtures/ingest");
const CORPUS = join(import.meta.dirname, "../../../shared/corpus/syzkaller/linux-report");
const head = (file: string) => readFileSync(file).subarray(0, 64 * 1024);

describe("sniffKind recognises each format by content", () => {
  const cases: [string, ArtifactKind][] = [
    ["ftrace-noheader.txt", "ftrace"],
    ["trace-cmd-report.txt", "trace-cmd"],
    ["events.jsonl", "jsonl-events"],
    ["hexdump-c.txt", "hexdump"],
    ["xxd.txt", "xxd"],
    ["crash-rd.txt", "crash-rd"],
    ["System.map.txt", "symbol-map"],
    ["lspci-k.txt", "lspci"],
    ["MAINTAINERS.txt", "maintainers"],
    ["CODEOWNERS.txt", "codeowners"],
    ["dmesg-plain.txt", "console-log"],
  ];
  for (const [file, kind] of cases) {
    it(`${file} is ${kind}`, () => expect(sniffKind(head(join(FIX, file)))).toBe(kind));
  }

  it("ftrace with a `# tracer:` header", () => {
    expect(sniffKind(Buffer.from("# tracer: nop\n#\n# entries-in-buffer/entries-written: 0/0   #P:8\n"))).toBe("ftrace");
  });

  it("ELF cores of both endiannesses; other ELF files are unknown", () => {
    expect(sniffKind(elfCore("le"))).toBe("elf-vmcore");
    expect(sniffKind(elfCore("be"))).toBe("elf-vmcore");
    const exec = elfCore("le");
    exec.writeUInt16LE(2, 16); // ET_EXEC
    expect(sniffKind(exec)).toBe("unknown");
  });

  it("console logs with printk timestamps and crash markers", () => {
    const log = "[  812.000456] BUG: KASAN: use-after-free in foo+0x1/0x2\n[  812.000460] Read of size 8 at addr ffff888012acfc20 by task a/1\n";
    expect(sniffKind(Buffer.from(log))).toBe("console-log");
    expect(sniffKind(Buffer.from("general protection fault, probably for non-canonical address 0xdffffc0000000000: 0000 [#1] PREEMPT SMP KASAN\n"))).toBe("console-log");
  });

  it("an ftrace dump inside a console log stays a console log", () => {
    const lines = Array.from({ length: 20 }, (_, i) => `[  81.${String(i).padStart(6, "0")}] kworker-1 [000] .... 80.0: dma_map_page: x`);
    expect(sniffKind(Buffer.from(`[  80.000000] Kernel panic - not syncing: Fatal exception\n${lines.join("\n")}\n`))).toBe("console-log");
  });

  it("random binary and empty input are unknown", () => {
    expect(sniffKind(Buffer.alloc(0))).toBe("unknown");
    expect(sniffKind(Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x00, 0x10]))).toBe("unknown");
  });

  it("every syzkaller corpus file is a console log, with or without TITLE header and timestamps", () => {
    const wrong = readdirSync(CORPUS).filter((f) => sniffKind(head(join(CORPUS, f))) !== "console-log");
    expect(wrong).toEqual([]);
  });

  it("never throws, always returns a kind (fast-check)", () => {
    const kinds = new Set<string>(["console-log", "ftrace", "trace-cmd", "jsonl-events", "hexdump", "xxd", "crash-rd", "elf-vmcore", "symbol-map", "lspci", "maintainers", "codeowners", "unknown"]);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => kinds.has(sniffKind(Buffer.from(bytes)))),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom("cpus=4", "# tracer: nop", "{\"event\":\"x\"}", "[  1.000000] BUG: x", "\x7fELF")), { maxLength: 40 }), (lines) =>
        kinds.has(sniffKind(Buffer.from(lines.join("\n")))),
      ),
      { numRuns: 300 },
    );
  });
});
