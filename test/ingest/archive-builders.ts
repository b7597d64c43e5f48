import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { constants, createDeflateRaw, createGzip, deflateRawSync, gzipSync } from "node:zlib";
import type { Transform } from "node:stream";
import { pack as tarPack } from "tar-stream";

/** Test-only builders for archives, including hostile ones. */

export interface TarEntry {
  name: string;
  data?: Buffer | string;
  type?: "file" | "directory" | "symlink" | "link";
  linkname?: string;
}

export async function makeTar(entries: TarEntry[]): Promise<Buffer> {
  const pack = tarPack();
  const chunks: Buffer[] = [];
  pack.on("data", (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on("end", resolve);
    pack.on("error", reject);
  });
  for (const e of entries) {
    const data = e.data === undefined ? undefined : Buffer.from(e.data);
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name: e.name, type: e.type ?? "file", linkname: e.linkname, size: data?.length ?? 0 }, data ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve())),
    );
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export const gzip = (data: Buffer | string): Buffer => gzipSync(Buffer.from(data));

export interface ZipEntry {
  name: string;
  /** Raw deflate data, or the stored bytes when `stored`. */
  compressed: Buffer;
  stored?: boolean;
  /** What the headers declare (a bomb may lie). */
  uncompressedSize: number;
  /** Unix mode for the external attributes (symlinks are 0o120777). */
  mode?: number;
}

export function zipEntry(name: string, data: Buffer | string, mode?: number): ZipEntry {
  const bytes = Buffer.from(data);
  return { name, compressed: deflateRawSync(bytes), uncompressedSize: bytes.length, mode };
}

/** A minimal zip writer (CRC left 0: yauzl does not check it), enough to forge sizes. */
export function makeZip(entries: ZipEntry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, "utf8");
    const method = e.stored ? 0 : 8;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(0, 14);
    local.writeUInt32LE(e.compressed.length, 18);
    local.writeUInt32LE(e.uncompressedSize >>> 0, 22);
    local.writeUInt16LE(name.length, 26);
    parts.push(local, name, e.compressed);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(0x031e, 4); // made by unix
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x800, 8);
    cd.writeUInt16LE(method, 10);
    cd.writeUInt32LE(0, 16);
    cd.writeUInt32LE(e.compressed.length, 20);
    cd.writeUInt32LE(e.uncompressedSize >>> 0, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(((e.mode ?? 0o100644) << 16) >>> 0, 38);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    offset += local.length + name.length + e.compressed.length;
  }
  const cdBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cdBytes, end]);
}

/** `count` MiB of zeros through a compressor, without ever holding them: the body of a bomb. */
async function compressZeros(stream: Transform, mib: number): Promise<Buffer> {
  const out: Buffer[] = [];
  stream.on("data", (c: Buffer) => out.push(c));
  const ended = new Promise((resolve) => stream.on("end", resolve));
  const zero = Buffer.alloc(1 << 20);
  for (let i = 0; i < mib; i++) if (!stream.write(zero)) await new Promise((r) => stream.once("drain", r));
  stream.end();
  await ended;
  return Buffer.concat(out);
}

export const deflatedZeros = (mib: number) => compressZeros(createDeflateRaw({ level: 1, strategy: constants.Z_RLE }), mib);
export const gzippedZeros = (mib: number) => compressZeros(createGzip({ level: 1, strategy: constants.Z_RLE }), mib);

/** An ELF64 header with e_type ET_CORE, little- or big-endian, padded to `size`. */
export function elfCore(endian: "le" | "be", size = 4096): Buffer {
  const b = Buffer.alloc(size);
  b.write("\x7fELF", 0, "latin1");
  b[4] = 2; // ELFCLASS64
  b[5] = endian === "le" ? 1 : 2;
  b[6] = 1;
  if (endian === "le") b.writeUInt16LE(4, 16);
  else b.writeUInt16BE(4, 16);
  return b;
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "casefile-ingest-test-"));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}
