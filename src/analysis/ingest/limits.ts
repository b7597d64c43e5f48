import type { Limits } from "../config/casefile-config.js";

/** Below this size an archive entry stays in memory; above it, it is spooled to the private temp dir. */
export const MEMORY_ENTRY_BYTES = 8 * 1024 * 1024;
/** Total bytes a bundle keeps in memory before every further entry is spooled. */
export const MEMORY_BUNDLE_BYTES = 64 * 1024 * 1024;
/** `Artifact.head` holds at most this much. */
export const HEAD_BYTES = 64 * 1024;

/** "100 MiB", "512 bytes": sizes in warnings people read. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
}

/**
 * What one ingest may still spend, over the whole bundle: decompressed bytes read (kept or
 * drained), archive entries, bytes held in memory. Shared by every path of one call.
 */
export class IngestBudget {
  bytesRead = 0;
  /** Held back for the small files still to come, so an archive bomb cannot crowd them out. */
  reserved = 0;
  entries = 0;
  memoryHeld = 0;
  private readonly noted = new Set<string>();

  constructor(
    readonly limits: Limits,
    /** Bundle-level warnings, each said once. */
    readonly warnings: string[],
  ) {}

  get bytesLeft(): number {
    return Math.max(0, this.limits.max_bundle_bytes - this.reserved - this.bytesRead);
  }

  get exhausted(): boolean {
    return this.bytesLeft === 0;
  }

  /** Counts one archive entry; false once the bundle's entry limit is reached. */
  takeEntry(): boolean {
    if (this.entries >= this.limits.max_archive_entries) {
      this.warnOnce(
        "entries",
        `Stopped reading archives after ${this.limits.max_archive_entries} entries (artifacts.max_archive_entries); the remaining entries were not read.`,
      );
      return false;
    }
    this.entries++;
    return true;
  }

  noteBundleFull(): void {
    this.warnOnce(
      "bytes",
      `The bundle reached its limit of ${formatBytes(this.limits.max_bundle_bytes)} uncompressed (artifacts.max_bundle_bytes); the rest was not read.`,
    );
  }

  warnOnce(key: string, message: string): void {
    if (this.noted.has(key)) return;
    this.noted.add(key);
    this.warnings.push(message);
  }
}
