import { pipeline, type Readable } from "node:stream";
import { extract as tarExtract } from "tar-stream";
import { unreadableArtifact } from "./artifact-factory.js";
import { describeError } from "./byte-streams.js";
import { entryDisplayName, refusedEntryName } from "./entry-name.js";
import type { IngestContext, IngestItem } from "./ingest-context.js";
import { openItem } from "./item-stream.js";
import { formatBytes } from "./limits.js";
import { materialize } from "./materialize.js";

/**
 * Streams a tar archive entry by entry. Regular files are materialised (memory or a
 * counter-named spool file) and visited; `..`, absolute, link and device entries are refused
 * and listed with a warning. Nothing is ever written under an entry's own name. `open`
 * overrides where the tar bytes come from (a `.tar.gz` streams straight out of gunzip).
 */
export async function expandTar(ctx: IngestContext, item: IngestItem, layers: number, open?: () => Readable): Promise<void> {
  const extract = tarExtract();
  pipeline((open ?? (() => openItem(item.bytes)))(), extract, () => {
    // errors surface through the iteration below
  });
  const max = ctx.limits.max_file_bytes;
  let files = 0;
  let damage: string | null = null;
  try {
    for await (const entry of extract) {
      const header = entry.header;
      const name = entryDisplayName(item.name, header.name);
      if (ctx.budget.exhausted) {
        ctx.budget.noteBundleFull();
        entry.resume();
        break;
      }
      if (!ctx.budget.takeEntry()) {
        entry.resume();
        break;
      }
      const drain = () => materialize(entry, { maxBytes: 0, budget: ctx.budget, spool: ctx.spool, drainExcess: true });
      if (header.type === "directory") {
        await drain();
        continue;
      }
      const refused = refusedEntryName(header.name);
      const type = header.type ?? "file";
      let refusal: string | null = refused;
      if (!refusal && (type === "symlink" || type === "link")) {
        refusal = `it is a ${type === "symlink" ? "symbolic" : "hard"} link${header.linkname ? ` to ${header.linkname}` : ""}`;
      } else if (!refusal && type !== "file" && type !== "contiguous-file") {
        refusal = `it is a ${type} entry, not a regular file`;
      }
      if (refusal) {
        await drain();
        ctx.artifacts.push(unreadableArtifact(name, [`Refused archive entry: ${refusal}; it was not read.`]));
        continue;
      }
      const result = await materialize(entry, { maxBytes: max, budget: ctx.budget, spool: ctx.spool, drainExcess: true });
      files++;
      const warnings: string[] = [];
      if (result.truncated) warnings.push(`Larger than ${formatBytes(max)} (artifacts.max_file_bytes); only the first ${formatBytes(max)} are analysed.`);
      if (result.bundleFull) warnings.push("Cut short: the bundle reached its size limit (artifacts.max_bundle_bytes).");
      if (result.error) {
        warnings.push(`The archive is damaged inside this entry (${result.error}); only the ${formatBytes(result.bytes)} before the damage are analysed.`);
        damage = result.error;
      }
      await ctx.visit({ name, bytes: result.stored, warnings }, layers);
      if (result.bundleFull || result.error) break;
    }
  } catch (e) {
    damage ??= describeError(e);
    ctx.artifacts.push(
      unreadableArtifact(item.name, [
        `The tar archive is damaged (${damage})${files ? `; the ${files} entries before the damage are analysed` : "; no entry could be read"}.`,
      ]),
    );
  } finally {
    extract.destroy();
  }
}
