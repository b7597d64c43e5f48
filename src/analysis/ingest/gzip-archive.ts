import { pipeline, type Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { unreadableArtifact } from "./artifact-factory.js";
import { sniffContainer } from "./container-kind.js";
import type { IngestContext, IngestItem } from "./ingest-context.js";
import { openItem } from "./item-stream.js";
import { formatBytes } from "./limits.js";
import { materialize } from "./materialize.js";
import { expandTar } from "./tar-archive.js";

/** The first `n` bytes of a stream (fewer if it ends or fails first); the stream is then destroyed. */
async function peek(stream: Readable, n: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let have = 0;
  try {
    for await (const c of stream) {
      chunks.push(c as Buffer);
      have += (c as Buffer).length;
      if (have >= n) break;
    }
  } catch {
    // a damaged stream: whatever came first is all there is
  }
  stream.destroy();
  return Buffer.concat(chunks).subarray(0, n);
}

/**
 * Decompresses a gzip item once (all members), counting every byte: a bomb stops at the
 * per-file limit, a truncated stream keeps what came before the cut.
 */
export async function expandGzip(ctx: IngestContext, item: IngestItem, layers: number): Promise<void> {
  const gunzipped = () =>
    pipeline(openItem(item.bytes), createGunzip(), () => {
      // errors surface through the iteration of the consumer
    });
  // A .tar.gz streams straight into the tar reader: the per-file limit is for the files inside.
  if (sniffContainer(await peek(gunzipped(), 512)) === "tar") {
    await expandTar(ctx, item, layers, gunzipped);
    return;
  }
  const gunzip = gunzipped();
  const max = ctx.limits.max_file_bytes;
  const result = await materialize(gunzip, { maxBytes: max, budget: ctx.budget, spool: ctx.spool, drainExcess: false });
  gunzip.destroy();
  const warnings = [...item.warnings];
  if (result.truncated) {
    warnings.push(`Decompresses to more than ${formatBytes(max)} (artifacts.max_file_bytes); only the first ${formatBytes(max)} are analysed.`);
  }
  if (result.bundleFull) warnings.push("Cut short: the bundle reached its size limit (artifacts.max_bundle_bytes).");
  if (result.error) {
    warnings.push(`The gzip data is damaged (${result.error}); only the ${formatBytes(result.bytes)} before the damage are analysed.`);
  }
  if (result.bytes === 0 && result.error) {
    ctx.artifacts.push(unreadableArtifact(item.name, warnings));
    return;
  }
  await ctx.visit({ name: item.name, bytes: result.stored, warnings }, layers, true);
}
