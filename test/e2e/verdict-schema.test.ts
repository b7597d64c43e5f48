/**
 * The zod schema of casefile/v1 must refuse what breaks the contract (a renamed field, an
 * uppercase address, a verdict outside the list) and accept extra fields, or the end-to-end
 * tests that lean on it prove nothing.
 */
import { describe, expect, it } from "vitest";
import { casefileVerdictSchema, contractVerdictSchema, verdictProblems } from "../../src/analysis/model/casefile-verdict-schema.js";

function valid(): Record<string, unknown> {
  return {
    schema: "casefile/v1",
    bundle: "bundle/",
    verdict: "stale-dma",
    confidence: 0.93,
    summary: "Device 0001:01:00.0 (mlx5_core) wrote 2048 bytes into frame 0x54d7",
    crash: {
      title: "BUG: Bad page map in java",
      kind: "bad-page-map",
      frame: "__handle_mm_fault",
      address: "0x54d70000",
      access: "read",
      size: 8,
      task: "java",
      pid: 4242,
      cpu: 3,
      modules: ["mlx5_ib"],
      stack: ["__handle_mm_fault"],
      arch: "ppc64le",
      kernel: "6.12.0",
    },
    region: { start: "0x54d70000", end: "0x54d70800", length: 2048, alignment: "page", granule: 65536, source: "memory.txt:1", content: null },
    frames: ["0x54d7"],
    timeline: [{ ts: 810.9, event: "dma_map", pfn: "0x54d7", device: "0001:01:00.0", detail: "dir=FROM_DEVICE", source: "trace.txt:5018", cpu: 1, task: "t", pid: 1, step: 1 }],
    suspect: { device: "0001:01:00.0", driver: "mlx5_core", function: null, file: null },
    owners: [{ owner: "@acme/rdma", label: "owner:rdma", reason: "driver mlx5_core matches mlx5_*" }],
    labels: ["crash:stale-dma", "owner:rdma"],
    evidence: [{ claim: "corruption starts at the mapped DMA address", weight: 0.4, source: "trace.txt:5018", verdict: "stale-dma", facet: "address-match" }],
    counter_evidence: [],
    signature: "stale-dma|mlx5_core|-|bug-bad-page-map",
    artifacts: [{ name: "trace.txt.gz", kind: "ftrace", bytes: 2400000, events: 20010, warnings: [] }],
    missing: [],
    stale_mappings: [],
    excerpt: { base: "0x54d70000", bytes: "00ff", start: "0x54d70000", end: "0x54d70002" },
    scores: [{ verdict: "stale-dma", score: 0.98 }],
    guilty_file: null,
    warnings: [],
    machine: { arch: "ppc64le", page_size: 65536, cache_line: 128, endianness: "little" },
  };
}

describe("casefile/v1 schema", () => {
  it("accepts a full verdict, and extra fields anywhere", () => {
    expect(verdictProblems(valid())).toEqual([]);
    const extra = { ...valid(), future_field: 1, crash: { ...(valid().crash as object), extra: true } };
    expect(verdictProblems(extra)).toEqual([]);
  });

  it("names what breaks the contract", () => {
    const cases: [string, (v: Record<string, unknown>) => void, string][] = [
      ["renamed field", (v) => { v.counterEvidence = v.counter_evidence; delete v.counter_evidence; }, "counter_evidence"],
      ["uppercase address", (v) => { (v.region as Record<string, unknown>).start = "0x54D70000"; }, "region.start"],
      ["address without 0x", (v) => { v.frames = ["54d7"]; }, "frames.0"],
      ["unknown verdict", (v) => { v.verdict = "stale-cache"; }, "verdict"],
      ["confidence above 1", (v) => { v.confidence = 93; }, "confidence"],
      ["pid as a string", (v) => { (v.crash as Record<string, unknown>).pid = "4242"; }, "crash.pid"],
      ["unknown alignment", (v) => { (v.region as Record<string, unknown>).alignment = "huge-page"; }, "region.alignment"],
      ["wrong schema", (v) => { v.schema = "casefile/v2"; }, "schema"],
      ["missing extension", (v) => { delete v.machine; }, "machine"],
      ["unknown evidence facet", (v) => { (v.evidence as Record<string, unknown>[])[0]!.facet = "hunch"; }, "evidence.0.facet"],
    ];
    for (const [what, breakIt, where] of cases) {
      const v = valid();
      breakIt(v);
      const problems = verdictProblems(v);
      expect(problems.some((p) => p.startsWith(`${where}:`)), `${what}: ${problems.join("; ")}`).toBe(true);
    }
  });

  it("the contract schema alone does not require casefile's extensions", () => {
    const v = valid();
    for (const k of ["missing", "stale_mappings", "excerpt", "scores", "guilty_file", "warnings", "machine"]) delete v[k];
    expect(verdictProblems(v, contractVerdictSchema)).toEqual([]);
    expect(verdictProblems(v, casefileVerdictSchema).length).toBeGreaterThan(0);
  });
});
