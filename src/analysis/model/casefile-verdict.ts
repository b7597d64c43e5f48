import type { ArtifactSummary } from "./artifact.js";
import type { CrashJson } from "./crash.js";
import type { EvidenceFacet } from "./evidence.js";
import type { Alignment, Owner, Suspect } from "./region.js";
import type { TimelineEntry } from "./timeline.js";
import type { VerdictKind } from "./verdict-kind.js";

export const SCHEMA = "casefile/v1";

/** The JSON verdict of verdict.md. Field names are a contract: extend, never rename. */
export interface CasefileVerdict {
  schema: typeof SCHEMA;
  bundle: string;
  verdict: VerdictKind;
  confidence: number;
  summary: string;
  crash: CrashJson | null;
  region: {
    start: string;
    end: string;
    length: number;
    alignment: Alignment;
    granule: number;
    source: string;
    content: string | null;
  } | null;
  frames: string[];
  timeline: TimelineEntry[];
  suspect: Suspect | null;
  owners: Owner[];
  labels: string[];
  evidence: EvidenceJson[];
  counter_evidence: EvidenceJson[];
  signature: string;
  artifacts: ArtifactSummary[];
  /** Extension: what to attach next when the verdict is open (capture advice). */
  missing: string[];
  /** Extension: frames handed to a new owner while a device mapping was live (sweep mode). */
  stale_mappings: StaleMappingJson[];
  /** Extension: the bytes around the region for the report's marked hex excerpt (hex string of `bytes`). */
  excerpt: { base: string; bytes: string; start: string; end: string } | null;
  /** Extension: every verdict that had evidence, with its score, best first (the weighing, for `/casefile explain`). */
  scores: { verdict: VerdictKind; score: number }[];
  /** Extension: the guilty source file from the crash report's symbolised frames, where known. */
  guilty_file: string | null;
  /** Extension: problems with the bundle as a whole (limits reached, unreadable paths). */
  warnings: string[];
  /** Extension: the machine the analysis assumed. */
  machine: { arch: string; page_size: number; cache_line: number; endianness: string };
}

export interface EvidenceJson {
  claim: string;
  weight: number;
  source: string | null;
  verdict: VerdictKind;
  facet: EvidenceFacet;
}

export interface StaleMappingJson {
  pfn: string;
  device: string;
  driver: string | null;
  mapped_at: number;
  reused_at: number;
  reuse: string;
  score: number;
  source: string;
}
