import { writeFile } from "node:fs/promises";
import type { Artifact, ArtifactKind } from "../model/artifact.js";
import { sniffKind } from "./artifact-kind.js";
import { bufferStream, fileStream, readFileHead } from "./byte-streams.js";
import { contentWarnings } from "./content-warnings.js";
import type { IngestItem } from "./ingest-context.js";
import { HEAD_BYTES } from "./limits.js";
import type { Spool } from "./spool.js";

/** The first ≤64 KiB of an item. */
export async function itemHead(item: IngestItem): Promise<Buffer> {
  const b = item.bytes;
  if (b.where === "memory") return b.buffer.subarray(0, HEAD_BYTES);
  const length = b.where === "disk" ? b.readable : b.bytes;
  if (length === 0) return Buffer.alloc(0);
  return readFileHead(b.path, Math.min(HEAD_BYTES, length));
}

/** An artifact that could not be read at all: listed so the reader sees what was skipped and why. */
export function unreadableArtifact(name: string, warnings: string[], bytes: number | null = 0): Artifact {
  return { name, kind: "unknown", bytes, head: Buffer.alloc(0), open: () => bufferStream(Buffer.alloc(0)), warnings };
}

/**
 * Turns a recognised item into an Artifact. An ELF core held in memory is written to a
 * counter-named spool file first, so random-access readers get a `path`.
 */
export async function makeArtifact(item: IngestItem, head: Buffer, spool: Spool, kindOverride?: ArtifactKind): Promise<Artifact> {
  const kind = kindOverride ?? sniffKind(head);
  let bytes = item.bytes;
  if (kind === "elf-vmcore" && bytes.where === "memory") {
    const path = await spool.nextPath();
    await writeFile(path, bytes.buffer, { flag: "wx", mode: 0o600 });
    bytes = { where: "file", path, bytes: bytes.buffer.length };
  }
  const warnings = [...item.warnings];
  if (item.sizeWarning && !(kind === "elf-vmcore" && bytes.where === "disk")) warnings.push(item.sizeWarning);
  const length = bytes.where === "memory" ? bytes.buffer.length : bytes.where === "file" ? bytes.bytes : bytes.readable;
  for (const w of contentWarnings(head, kind, length)) if (!warnings.includes(w)) warnings.push(w);

  if (bytes.where === "memory") {
    const buffer = bytes.buffer;
    return { name: item.name, kind, bytes: buffer.length, head, open: () => bufferStream(buffer), warnings };
  }
  if (bytes.where === "file") {
    const { path, bytes: n } = bytes;
    return { name: item.name, kind, bytes: n, head, open: () => fileStream(path, n), path, warnings };
  }
  const { path, readable, size } = bytes;
  // An on-disk vmcore is read at random, never whole, so it is handed over at its full size.
  const whole = kind === "elf-vmcore" || readable === size;
  const n = kind === "elf-vmcore" ? size : readable;
  return { name: item.name, kind, bytes: n, head, open: () => fileStream(path, n), ...(whole ? { path } : {}), warnings };
}
