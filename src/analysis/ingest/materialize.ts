import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import { describeError } from "./byte-streams.js";
import { type IngestBudget, MEMORY_BUNDLE_BYTES, MEMORY_ENTRY_BYTES } from "./limits.js";
import type { Spool } from "./spool.js";

/** Bytes that were decompressed once and now lie in memory or in a spooled temp file. */
export type StoredBytes = { where: "memory"; buffer: Buffer } | { where: "file"; path: string; bytes: number };

export interface Materialized {
  stored: StoredBytes;
  /** Bytes kept (at most the per-file limit). */
  bytes: number;
  /** The source had more than the per-file limit; only the first part was kept. */
  truncated: boolean;
  /** Reading stopped because the bundle's byte limit was reached. */
  bundleFull: boolean;
  /** The source failed part-way (truncated or corrupt archive, read error); what came before is kept. */
  error: string | null;
}

export interface MaterializeOptions {
  maxBytes: number;
  budget: IngestBudget;
  spool: Spool;
  /** Keep reading (and counting) past `maxBytes` without keeping: tar entries must be drained. */
  drainExcess: boolean;
  /** Always write to a file (random-access readers need a path). */
  toFile?: boolean;
}

export function storedLength(stored: StoredBytes): number {
  return stored.where === "memory" ? stored.buffer.length : stored.bytes;
}

/**
 * Reads a decompressing stream once, counting every byte against the bundle budget while it
 * streams (a bomb's declared sizes are never trusted), keeping at most `maxBytes`: small
 * results in memory, large ones in a counter-named file of the private spool.
 */
export async function materialize(source: AsyncIterable<unknown>, options: MaterializeOptions): Promise<Materialized> {
  const { maxBytes, budget, spool } = options;
  let chunks: Buffer[] = [];
  let kept = 0;
  let file: FileHandle | null = null;
  let filePath = "";
  let truncated = false;
  let bundleFull = false;
  let error: string | null = null;

  const toFile = async (): Promise<void> => {
    filePath = await spool.nextPath();
    file = await open(filePath, "wx", 0o600);
    for (const c of chunks) await file.write(c);
    budget.memoryHeld -= kept;
    chunks = [];
  };
  if (options.toFile) await toFile();

  try {
    for await (const raw of source) {
      let chunk = raw as Buffer;
      if (chunk.length > budget.bytesLeft) {
        chunk = chunk.subarray(0, budget.bytesLeft);
        bundleFull = true;
      }
      budget.bytesRead += chunk.length;
      if (kept < maxBytes) {
        let piece = chunk;
        if (kept + piece.length > maxBytes) {
          piece = piece.subarray(0, maxBytes - kept);
          truncated = true;
        }
        if (!file && (kept + piece.length > MEMORY_ENTRY_BYTES || budget.memoryHeld + piece.length > MEMORY_BUNDLE_BYTES)) {
          await toFile();
        }
        if (file) {
          await (file as FileHandle).write(piece);
        } else {
          chunks.push(piece);
          budget.memoryHeld += piece.length;
        }
        kept += piece.length;
      } else if (chunk.length > 0) {
        truncated = true;
      }
      if (bundleFull) break;
      if (truncated && !options.drainExcess) break;
    }
  } catch (e) {
    error = describeError(e);
  } finally {
    if (file) await (file as FileHandle).close();
  }
  if (bundleFull) budget.noteBundleFull();
  const stored: StoredBytes = filePath ? { where: "file", path: filePath, bytes: kept } : { where: "memory", buffer: Buffer.concat(chunks) };
  return { stored, bytes: kept, truncated, bundleFull, error };
}
