import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { Readable } from "node:stream";

const CHUNK = 64 * 1024;

/** A byte stream over a buffer, in 64 KiB chunks so consumers see ordinary stream behaviour. */
export function bufferStream(buffer: Buffer): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= buffer.length) {
        this.push(null);
        return;
      }
      const end = Math.min(buffer.length, offset + CHUNK);
      const chunk = buffer.subarray(offset, end);
      offset = end;
      this.push(chunk);
    },
  });
}

/** The first `bytes` bytes of a file, streamed (`bytes` caps an oversized file at its limit). */
export function fileStream(path: string, bytes: number): Readable {
  if (bytes <= 0) return bufferStream(Buffer.alloc(0));
  return createReadStream(path, { start: 0, end: bytes - 1, highWaterMark: CHUNK });
}

/** Reads up to `n` bytes from the start of a file. */
export async function readFileHead(path: string, n: number): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(n);
    let filled = 0;
    while (filled < n) {
      const { bytesRead } = await handle.read(buffer, filled, n - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

/** Plain words for a thrown value, for artifact warnings. */
export function describeError(error: unknown): string {
  if (error && typeof error === "object") {
    const e = error as { code?: string; message?: string };
    switch (e.code) {
      case "ENOENT":
        return "no such file or directory";
      case "EACCES":
      case "EPERM":
        return "permission denied";
      case "EISDIR":
        return "is a directory";
      case "Z_BUF_ERROR":
        return "the compressed data ends early (truncated)";
      case "Z_DATA_ERROR":
        return "the compressed data is corrupt";
    }
    if (e.message === "unexpected end of file") return "the compressed data ends early (truncated)";
    if (e.message) return e.message;
  }
  return String(error);
}
