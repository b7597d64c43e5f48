import type { Readable } from "node:stream";
import { bufferStream, fileStream } from "./byte-streams.js";
import type { ItemBytes } from "./ingest-context.js";

/** A fresh stream over an item's bytes (a disk file is read whole here: archives are not cut). */
export function openItem(bytes: ItemBytes): Readable {
  if (bytes.where === "memory") return bufferStream(bytes.buffer);
  if (bytes.where === "file") return fileStream(bytes.path, bytes.bytes);
  return fileStream(bytes.path, bytes.size);
}
