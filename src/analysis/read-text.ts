import type { Artifact } from "./model/artifact.js";

/**
 * Reads a text artifact whole, up to `maxBytes` (console logs, symbol maps: small next to traces).
 * Invalid UTF-8 becomes U+FFFD rather than an error; what is cut off is said in a warning.
 */
export async function readText(artifact: Artifact, maxBytes: number): Promise<{ text: string; truncated: boolean; error: string | null }> {
  const chunks: Buffer[] = [];
  let total = 0;
  let truncated = false;
  const stream = artifact.open();
  try {
    for await (const chunk of stream) {
      const buf = chunk as Buffer;
      if (total + buf.length > maxBytes) {
        chunks.push(buf.subarray(0, maxBytes - total));
        total = maxBytes;
        truncated = true;
        break;
      }
      chunks.push(buf);
      total += buf.length;
    }
  } catch (err) {
    return { text: Buffer.concat(chunks).toString("utf8"), truncated, error: err instanceof Error ? err.message : String(err) };
  } finally {
    stream.destroy();
  }
  return { text: Buffer.concat(chunks).toString("utf8"), truncated, error: null };
}
