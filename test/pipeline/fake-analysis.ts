import { readFile } from "node:fs/promises";
import type { CasefileVerdict } from "../../src/analysis/model/casefile-verdict.js";
import type { AnalysisInput, AnalysisRunner } from "../../src/workers/analysis-runner.js";

/** A verdict shaped like the real one, for plumbing tests that must not depend on the analysis. */
export function fakeVerdict(overrides: Partial<CasefileVerdict> = {}): CasefileVerdict {
  return {
    schema: "casefile/v1",
    bundle: "acme/kernel#1",
    verdict: "use-after-free",
    confidence: 0.9,
    summary: "ext4_htree_fill_tree read a freed object.",
    crash: {
      title: "KASAN: use-after-free Read in ext4_htree_fill_tree",
      kind: "kasan",
      frame: "ext4_htree_fill_tree",
      address: "0xffff8880a1b2c3d4",
      access: "read",
      size: 8,
      task: "syz-executor",
      pid: 42,
      cpu: 1,
      modules: [],
      stack: ["ext4_htree_fill_tree", "ext4_readdir"],
      arch: "x86_64",
      kernel: null,
    },
    region: null,
    frames: [],
    timeline: [],
    suspect: null,
    owners: [],
    labels: ["crash:use-after-free"],
    evidence: [{ claim: "KASAN reports a use-after-free read", weight: 0.8, source: "console.log:3", verdict: "use-after-free", facet: "report" } as never],
    counter_evidence: [],
    signature: "use-after-free|ext4_htree_fill_tree",
    artifacts: [],
    missing: [],
    stale_mappings: [],
    excerpt: null,
    scores: [],
    guilty_file: null,
    warnings: [],
    machine: { arch: "x86_64", page_size: 4096, cache_line: 64, endianness: "little" },
    ...overrides,
  };
}

/** Records every analysis it is asked for and answers with a fixed verdict. */
export class FakeRunner implements AnalysisRunner {
  readonly inputs: { input: AnalysisInput; contents: string[] }[] = [];
  constructor(public verdict: CasefileVerdict = fakeVerdict()) {}

  async run(input: AnalysisInput): Promise<CasefileVerdict> {
    const contents = await Promise.all(input.files.map((f) => readFile(f.path, "utf8")));
    this.inputs.push({ input, contents });
    return { ...this.verdict, bundle: input.name, artifacts: input.files.map((f, i) => ({ name: f.display, kind: "console-log", bytes: contents[i].length, warnings: [] })) };
  }
}
