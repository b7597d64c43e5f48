import type { Limits } from "../config/casefile-config.js";
import type { Artifact } from "../model/artifact.js";
import type { IngestBudget } from "./limits.js";
import type { StoredBytes } from "./materialize.js";
import type { Spool } from "./spool.js";

/** Where an item's bytes are: a plain file given by the user, or bytes decompressed once (memory or spool). */
export type ItemBytes =
  | StoredBytes
  /** A plain file on disk; `readable` is its size capped by the limits, `size` the real one. */
  | { where: "disk"; path: string; readable: number; size: number };

/** Something to recognise: a file, an archive entry, a decompressed stream, a pasted block. */
export interface IngestItem {
  name: string;
  bytes: ItemBytes;
  /** Warnings gathered on the way in (truncated, over a limit), kept on the resulting artifact. */
  warnings: string[];
  /** "Only the first N MiB are read" for an oversized plain file: void for a vmcore, which is read at random. */
  sizeWarning?: string;
}

/** Everything one ingest call shares while it walks paths and archives. */
export interface IngestContext {
  limits: Limits;
  budget: IngestBudget;
  spool: Spool;
  artifacts: Artifact[];
  /**
   * Recognises an item and either expands it (archives) or lists it as an artifact.
   * `layers` counts archives opened around it; `insideGzip` lets `.tar.gz` count as one layer.
   */
  visit(item: IngestItem, layers: number, insideGzip?: boolean): Promise<void>;
}
