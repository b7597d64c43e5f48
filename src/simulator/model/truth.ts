import type { ArtifactKind } from "../../analysis/model/artifact.js";
import type { Alignment } from "../../analysis/model/region.js";
import type { VerdictKind } from "../../analysis/model/verdict-kind.js";

/**
 * `truth.json`: what a correct analysis of a simulated bundle concludes. Tests assert the JSON
 * verdict against it. A null field means "the bundle does not establish this": tests do not
 * assert it (a dma-fault caught by the IOMMU corrupted nothing, so it has no region).
 */
export interface Truth {
  schema: "casefile-sim/v1";
  scenario: string;
  seed: number;
  /** The story in plain words, for people reading the example bundles. */
  story: string;
  verdict: VerdictKind;
  /** Physical [start, end) of the corrupted bytes, lowercase hex with 0x. */
  region: { start: string; end: string; length: number; alignment: Alignment } | null;
  /** The corrupted frame(s) the case is about (pfns, lowercase hex with 0x); empty when none is established. */
  frames: string[];
  suspect: { device: string | null; driver: string | null; function: string | null } | null;
  /** The primary owner that examples/casefile.yml's rules give this case. */
  owner: string | null;
  /** The crash report's family and the function its syzbot-style title names (null: not asserted). */
  crash: { kind: string | null; frame: string | null } | null;
  machine: { arch: string; page_size: number; cache_line: number; endianness: string };
  /** The story's trace events (the rest is noise and decoys). */
  key_events: { ts: number; event: string; pfn: string | null; device: string | null }[];
  /** For inconclusive bundles: what a reporter should attach next ("trace", "memory", ...). */
  missing: string[];
  files: { name: string; kind: ArtifactKind; bytes: number }[];
  /** Trace lines written (events, noise included), 0 without a trace. */
  trace_events: number;
}
