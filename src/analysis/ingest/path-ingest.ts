import { lstat, opendir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Limits } from "../config/casefile-config.js";
import type { Bundle } from "../model/artifact.js";
import { unreadableArtifact } from "./artifact-factory.js";
import { describeError } from "./byte-streams.js";
import { IngestSession } from "./ingest-session.js";
import { formatBytes } from "./limits.js";

/** Files up to this size get room kept for them in the bundle. */
const RESERVED_FILE_BYTES = 16 * 1024 * 1024;

async function ingestFile(session: IngestSession, path: string, size: number): Promise<void> {
  const { limits, budget } = session;
  const warnings: string[] = [];
  let readable = Math.min(size, limits.max_file_bytes);
  const sizeWarning =
    size > limits.max_file_bytes
      ? `Larger than ${formatBytes(limits.max_file_bytes)} (artifacts.max_file_bytes): ${formatBytes(size)}; only the first ${formatBytes(limits.max_file_bytes)} are analysed.`
      : undefined;
  if (readable > budget.bytesLeft) {
    if (budget.bytesLeft === 0) {
      budget.noteBundleFull();
      session.artifacts.push(unreadableArtifact(path, ["Not read: the bundle had already reached its size limit (artifacts.max_bundle_bytes)."], size));
      return;
    }
    readable = budget.bytesLeft;
    warnings.push(`Cut to ${formatBytes(readable)}: the bundle reached its size limit (artifacts.max_bundle_bytes).`);
    budget.noteBundleFull();
  }
  budget.bytesRead += readable;
  await session.visit({ name: path, bytes: { where: "disk", path, readable, size }, warnings, sizeWarning }, 0);
}

async function ingestDirectory(session: IngestSession, dir: string): Promise<void> {
  const names: string[] = [];
  try {
    for await (const entry of await opendir(dir)) names.push(entry.name);
  } catch (e) {
    session.artifacts.push(unreadableArtifact(dir, [`The directory cannot be read: ${describeError(e)}.`]));
    return;
  }
  names.sort();
  for (const name of names) {
    // lstat: a link inside a directory is reported, never followed.
    await ingestPath(session, join(dir, name), lstat);
  }
}

/** One path as what it is (directory, file, link, other); never throws: a path that cannot be read becomes an artifact with a warning. */
async function ingestPath(session: IngestSession, path: string, look: typeof stat): Promise<void> {
  try {
    const st = await look(path);
    if (st.isSymbolicLink()) session.artifacts.push(unreadableArtifact(path, ["A symbolic link inside a directory; not followed."]));
    else if (st.isDirectory()) await ingestDirectory(session, path);
    else if (st.isFile()) await ingestFile(session, path, st.size);
    else session.artifacts.push(unreadableArtifact(path, ["Not a regular file (device, socket or pipe); not read."]));
  } catch (e) {
    session.artifacts.push(unreadableArtifact(path, [`Cannot be read: ${describeError(e)}.`]));
  }
}

/**
 * Builds a bundle from files and directories (recursively), opening gzip, zip and tar
 * archives (nested, `.tar.gz` too) recognised by their magic bytes, never by their names.
 * Never throws for bad input: problems become warnings on the artifacts.
 */
export async function ingestPaths(paths: string[], limits: Limits, name?: string): Promise<Bundle> {
  const session = new IngestSession(limits);
  // Small plain files later in the list (a console log after an archive) keep their room in
  // the bundle: a bomb expanding in an earlier archive stops short of it.
  const small = await Promise.all(paths.map((p) => stat(p).then((st) => (st.isFile() && st.size <= RESERVED_FILE_BYTES ? st.size : 0), () => 0)));
  for (const [i, path] of paths.entries()) {
    session.budget.reserved = small.slice(i + 1).reduce((a, b) => a + b, 0);
    // stat: a path the user named is followed if it is a link.
    await ingestPath(session, path, stat);
  }
  session.budget.reserved = 0;
  return session.bundle(name ?? paths.join(" "));
}
