import { marked } from "marked";
import { describe, expect, it } from "vitest";
import type { CasefileVerdict } from "../../src/analysis/model/casefile-verdict.js";
import { renderMarkdownReport } from "../../src/analysis/report/markdown-report.js";

function verdict(over: Partial<CasefileVerdict> = {}): CasefileVerdict {
  return {
    schema: "casefile/v1",
    bundle: "examples/stale-dma-power",
    verdict: "stale-dma",
    confidence: 0.93,
    summary: "Device 0001:01:00.0 (mlx5_core) wrote 2048 bytes into frame 0x54d7 after the frame was hot-removed and re-allocated.",
    crash: {
      title: "BUG: Bad page map in java",
      kind: "bad-page-map",
      frame: "__handle_mm_fault",
      address: null,
      access: null,
      size: null,
      task: "java",
      pid: 4242,
      cpu: 3,
      modules: ["mlx5_ib"],
      stack: ["__handle_mm_fault"],
      arch: "ppc64le",
      kernel: "6.12.0",
    },
    region: { start: "0x54d70000", end: "0x54d70800", length: 2048, alignment: "page", granule: 65536, source: "memory.txt:1", content: "RoCEv2 packet: Ethernet, IPv4 10.20.1.7 → 10.20.1.9" },
    frames: ["0x54d7"],
    timeline: [
      { ts: 810.932442, event: "dma_map", pfn: "0x54d7", device: "0001:01:00.0", cpu: 7, task: "kworker/7:1", pid: 88, detail: "dir=FROM_DEVICE size=65536", source: "trace.txt:5018", step: 1 },
      { ts: 811.5, event: "page_alloc", pfn: "0x54d7", device: null, cpu: 3, task: "java", pid: 4242, detail: "order=0 after page fault", source: "trace.txt:9001", step: 3 },
    ],
    suspect: { device: "0001:01:00.0", driver: "mlx5_core", function: null, file: null },
    owners: [{ owner: "@acme/rdma", label: "owner:rdma", reason: "driver mlx5_core matches mlx5_*" }],
    labels: ["crash:stale-dma", "owner:rdma"],
    evidence: [
      { claim: "frame 0x54d7 was mapped for DMA by 0001:01:00.0, hot-removed, then re-allocated with no unmap", weight: 0.8, source: "trace.txt:5018", verdict: "stale-dma", facet: "trace" },
      { claim: "the poison of a freed object was overwritten", weight: 0.45, source: "console.log:3", verdict: "use-after-free", facet: "crash-report" },
    ],
    counter_evidence: [],
    signature: "stale-dma|mlx5_core|__handle_mm_fault",
    artifacts: [{ name: "trace.txt", kind: "ftrace", bytes: 1000, events: 20010, warnings: ["line 7: not a trace line"] }],
    missing: [],
    stale_mappings: [],
    excerpt: { base: "0x54d70000", bytes: "aa".repeat(16) + "41".repeat(16), start: "0x54d70000", end: "0x54d70010" },
    scores: [
      { verdict: "stale-dma", score: 0.97 },
      { verdict: "use-after-free", score: 0.45 },
    ],
    guilty_file: null,
    warnings: [],
    machine: { arch: "ppc64le", page_size: 65536, cache_line: 128, endianness: "little" },
    ...over,
  };
}

describe("renderMarkdownReport", () => {
  it("opens with the verdict and confidence, then owner, crash, region and suspect", () => {
    const text = renderMarkdownReport(verdict());
    const lines = text.split("\n");
    expect(lines[0]).toBe("### casefile verdict: `stale-dma` — confidence 93%");
    expect(text).toContain("**Likely owner:** @acme/rdma — driver mlx5\\_core matches mlx5\\_\\*");
    expect(text).toContain("**Corrupted region:** `0x54d70000-0x54d70800` (2048 bytes, page-aligned, granule 65536), frame `0x54d7`");
    expect(text).toContain("**Suspect:** device `0001:01:00.0`, driver `mlx5_core`");
  });

  it("lists evidence with sources and shows a contradicting hypothesis as such", () => {
    const text = renderMarkdownReport(verdict());
    expect(text).toContain("- frame 0x54d7 was mapped for DMA by 0001:01:00.0, hot-removed, then re-allocated with no unmap — `trace.txt:5018` _(weight 0.80)_");
    expect(text).toMatch(/Counter-evidence and contradictions\n- the poison .* points at `use-after-free` instead/);
  });

  it("renders the timeline as a table and the marked hex excerpt in a code block", () => {
    const text = renderMarkdownReport(verdict());
    expect(text).toContain("| 810.932442 | `dma_map` | `0x54d7` | 0001:01:00.0 · kworker/7:1-88 · CPU 7 | dir=FROM\\_DEVICE size=65536 | `trace.txt:5018` |");
    expect(text).toContain("> 54d70000 [aa aa aa aa aa aa aa aa  aa aa aa aa aa aa aa aa] |................|");
  });

  it("says what to attach next when inconclusive", () => {
    const text = renderMarkdownReport(
      verdict({ verdict: "inconclusive", confidence: 0, scores: [{ verdict: "use-after-free", score: 0.45 }], missing: ["Attach the trace: `sudo casefile-collect bundle`"] }),
    );
    expect(text.split("\n")[0]).toBe("### casefile verdict: `inconclusive` (leaning `use-after-free` at 45%, not enough to decide)");
    expect(text).toContain("#### What to attach next\n- Attach the trace: `sudo casefile-collect bundle`");
  });

  it("escapes text from the bundle so an attachment cannot inject HTML into the comment", () => {
    const hostile = verdict({ summary: "<img src=x onerror=alert(1)> **bold**", crash: { ...verdict().crash!, title: "BUG: `x` <script>" } });
    const html = marked.parse(renderMarkdownReport(hostile)) as string;
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<strong>bold</strong>");
  });

  it("is the same text for the same verdict", () => {
    expect(renderMarkdownReport(verdict())).toBe(renderMarkdownReport(verdict()));
  });

  it("folds the artifact list and, with explain, shows the weighing", () => {
    const plain = renderMarkdownReport(verdict());
    expect(plain).toContain("<details><summary>Artifacts read (1, 1 with warnings)</summary>");
    expect(plain).not.toContain("How the evidence was weighed");
    expect(renderMarkdownReport(verdict(), { explain: true })).toContain("| `stale-dma` | 97% |");
  });
});
