import type { Readable } from "node:stream";

/** What an artifact is, recognised from its content (formats.md), never from its name. */
export type ArtifactKind =
  | "console-log"
  | "ftrace"
  | "trace-cmd"
  | "jsonl-events"
  | "hexdump"
  | "xxd"
  | "crash-rd"
  | "elf-vmcore"
  | "symbol-map"
  | "lspci"
  | "maintainers"
  | "codeowners"
  | "unknown";

/**
 * One artifact of a bundle. `open()` streams its (decompressed) bytes afresh each call, so a
 * 2 GB trace is never held in memory. `path` is set when the bytes lie uncompressed in a file
 * on disk, which random-access readers (ELF cores) need.
 */
export interface Artifact {
  /** Display name: file path, `archive.tar.gz:inner/path`, or `issue body, block 2`. */
  name: string;
  kind: ArtifactKind;
  /** Decompressed size in bytes, where known before reading (null for streams of unknown length). */
  bytes: number | null;
  /** The first bytes (up to 64 KiB), already read for recognition. */
  head: Buffer;
  open(): Readable;
  path?: string;
  /** Plain-words problems with this artifact; the analysis goes on without what could not be read. */
  warnings: string[];
}

/** The `artifacts` entries of the JSON verdict. */
export interface ArtifactSummary {
  name: string;
  kind: ArtifactKind;
  bytes: number;
  events?: number;
  warnings: string[];
}

export interface Bundle {
  /** Path(s) or issue reference, as the JSON verdict's `bundle`. */
  name: string;
  artifacts: Artifact[];
  /** Problems with the bundle as a whole (limits reached, unreadable paths). */
  warnings: string[];
  /** Removes any temporary files the bundle spooled. Safe to call twice. */
  dispose(): Promise<void>;
}
