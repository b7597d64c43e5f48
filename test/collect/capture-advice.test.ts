import { describe, expect, it } from "vitest";
import type { ArtifactKind } from "../../src/analysis/model/artifact.js";
import { VERDICT_KINDS } from "../../src/analysis/model/verdict-kind.js";
import { ARCHES } from "../../src/analysis/model/machine.js";
import { captureAdvice } from "../../src/analysis/report/capture-advice.js";

const have = (...kinds: ArtifactKind[]) => new Set<ArtifactKind>(kinds);

describe("captureAdvice", () => {
  it("an inconclusive console-only bundle is told to arm tracing and dump the frame, with commands", () => {
    const lines = captureAdvice({ verdict: "inconclusive", arch: "x86_64", have: have("console-log"), frames: ["0x2b3c4"] });
    const text = lines.join("\n");
    expect(text).toMatch(/`dma:\*`/);
    expect(text).toMatch(/`kmem:mm_page_alloc`/);
    expect(text).toMatch(/exceptions:page_fault_kernel/);
    expect(text).toContain("`sudo scripts/casefile-collect arm`");
    expect(text).toContain("rd -p -64 0x2b3c4000 512");
    expect(text).toContain("--pfn 0x2b3c4");
    expect(text).toMatch(/System\.map/);
    expect(text).toMatch(/lspci -k/);
    expect(text).not.toMatch(/whole console log/);
  });

  it("uses the arch's page size and page-fault events: ppc64le 64K pages, arm64 none", () => {
    const ppc = captureAdvice({ verdict: "stale-dma", arch: "ppc64le", have: have("console-log"), frames: ["0x2b3c4"] }).join("\n");
    expect(ppc).toContain("physical 0x2b3c40000, 65536 bytes");
    expect(ppc).toContain("rd -p -64 0x2b3c40000 8192");
    expect(ppc).toContain("powerpc:hash_fault");
    const arm = captureAdvice({ verdict: "stale-dma", arch: "arm64", have: have("console-log"), frames: [] }).join("\n");
    expect(arm).not.toMatch(/page_fault|hash_fault/);
    expect(arm).toContain("--pfn PFN");
    expect(arm).toContain("crash> vtop ADDR");
    const custom = captureAdvice({ verdict: "bit-flip", arch: "arm64", have: have(), frames: ["10"], pageSize: 16384 }).join("\n");
    expect(custom).toContain("physical 0x40000, 16384 bytes");
  });

  it("says nothing more once the bundle holds what the verdict needs", () => {
    expect(captureAdvice({ verdict: "use-after-free", arch: "x86_64", have: have("console-log"), frames: [] })).toEqual([]);
    expect(captureAdvice({ verdict: "stale-dma", arch: "x86_64", have: have("console-log", "ftrace", "hexdump", "lspci", "symbol-map"), frames: ["0x1"] })).toEqual([]);
    expect(captureAdvice({ verdict: "dma-fault", arch: "x86_64", have: have("trace-cmd", "lspci"), frames: [] })).toEqual([]);
  });

  it("with a vmcore, points at the trace inside it instead of a fresh capture", () => {
    const text = captureAdvice({ verdict: "stale-dma", arch: "x86_64", have: have("console-log", "elf-vmcore"), frames: ["0x54d7"] }).join("\n");
    expect(text).toContain("trace dump -t trace.dat");
    expect(text).not.toMatch(/Attach a dump of page frame/);
  });

  it("gives plain lines for every verdict and arch, and ignores malformed frames", () => {
    for (const verdict of VERDICT_KINDS) {
      for (const arch of ARCHES) {
        const lines = captureAdvice({ verdict, arch, have: have(), frames: ["zz", "0x10"] });
        expect(lines.length).toBeGreaterThan(0);
        for (const l of lines) expect(l).toMatch(/^[A-Z].*[.)`]$/s);
      }
    }
  });
});
