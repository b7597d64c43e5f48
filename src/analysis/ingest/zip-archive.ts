import type { Readable } from "node:stream";
import yauzl from "yauzl";
import type { Entry, ZipFile } from "yauzl";
import { unreadableArtifact } from "./artifact-factory.js";
import { describeError } from "./byte-streams.js";
import { entryDisplayName, refusedEntryName } from "./entry-name.js";
import type { IngestContext, IngestItem } from "./ingest-context.js";
import { formatBytes } from "./limits.js";
import { materialize } from "./materialize.js";

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

const options = { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true } as const;

function openZip(item: IngestItem): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, zip?: ZipFile) => (err || !zip ? reject(err ?? new Error("cannot open the zip archive")) : resolve(zip));
    const b = item.bytes;
    if (b.where === "memory") yauzl.fromBuffer(b.buffer, options, done);
    else yauzl.open(b.path, options, done);
  });
}

function nextEntry(zip: ZipFile): Promise<Entry | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off("entry", onEntry);
      zip.off("end", onEnd);
      zip.off("error", onError);
    };
    const onEntry = (e: Entry) => (cleanup(), resolve(e));
    const onEnd = () => (cleanup(), resolve(null));
    const onError = (err: Error) => (cleanup(), reject(err));
    zip.on("entry", onEntry);
    zip.on("end", onEnd);
    zip.on("error", onError);
    zip.readEntry();
  });
}

function openEntry(zip: ZipFile, entry: Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => (err || !stream ? reject(err ?? new Error("cannot read the entry")) : resolve(stream)));
  });
}

/** Entry names are raw bytes here (decodeStrings off) so that a bad name refuses one entry, not the archive. */
function entryName(entry: Entry): string {
  const raw = entry.fileName as unknown as Buffer | string;
  if (typeof raw === "string") return raw;
  return raw.toString((entry.generalPurposeBitFlag & 0x800) !== 0 ? "utf8" : "latin1");
}

/**
 * Reads a zip archive through its central directory. Declared sizes are checked first but never
 * trusted: every entry is counted while it decompresses and cut at the per-file limit.
 */
export async function expandZip(ctx: IngestContext, item: IngestItem, layers: number): Promise<void> {
  const max = ctx.limits.max_file_bytes;
  let zip: ZipFile;
  try {
    zip = await openZip(item);
  } catch (e) {
    ctx.artifacts.push(unreadableArtifact(item.name, [`The zip archive cannot be read (${describeError(e)}).`]));
    return;
  }
  let files = 0;
  try {
    for (;;) {
      const entry = await nextEntry(zip);
      if (!entry) break;
      const rawName = entryName(entry);
      const name = entryDisplayName(item.name, rawName);
      if (ctx.budget.exhausted) {
        ctx.budget.noteBundleFull();
        break;
      }
      if (!ctx.budget.takeEntry()) break;
      if (rawName.endsWith("/")) continue;
      let refusal = refusedEntryName(rawName);
      if (!refusal && ((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) refusal = "it is a symbolic link";
      if (!refusal && entry.isEncrypted()) refusal = "it is encrypted";
      if (refusal) {
        ctx.artifacts.push(unreadableArtifact(name, [`Refused archive entry: ${refusal}; it was not read.`]));
        continue;
      }
      const warnings: string[] = [];
      if (entry.uncompressedSize > max) {
        warnings.push(`Declares ${formatBytes(entry.uncompressedSize)} uncompressed, more than ${formatBytes(max)} (artifacts.max_file_bytes); only the first ${formatBytes(max)} are analysed.`);
      }
      let stream: Readable;
      try {
        stream = await openEntry(zip, entry);
      } catch (e) {
        ctx.artifacts.push(unreadableArtifact(name, [`This zip entry cannot be read (${describeError(e)}).`]));
        continue;
      }
      const result = await materialize(stream, { maxBytes: max, budget: ctx.budget, spool: ctx.spool, drainExcess: false });
      stream.destroy();
      files++;
      if (result.truncated && warnings.length === 0) {
        warnings.push(`Decompresses to more than ${formatBytes(max)} (artifacts.max_file_bytes); only the first ${formatBytes(max)} are analysed.`);
      }
      if (result.bundleFull) warnings.push("Cut short: the bundle reached its size limit (artifacts.max_bundle_bytes).");
      if (result.error) warnings.push(`This zip entry is damaged (${result.error}); only the ${formatBytes(result.bytes)} before the damage are analysed.`);
      if (result.bytes === 0 && result.error) ctx.artifacts.push(unreadableArtifact(name, warnings));
      else await ctx.visit({ name, bytes: result.stored, warnings }, layers);
      if (result.bundleFull) break;
    }
  } catch (e) {
    ctx.artifacts.push(
      unreadableArtifact(item.name, [
        `The zip archive is damaged (${describeError(e)})${files ? `; the ${files} entries before the damage are analysed` : "; no entry could be read"}.`,
      ]),
    );
  } finally {
    zip.close();
  }
}
