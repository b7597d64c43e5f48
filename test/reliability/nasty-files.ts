/**
 * The nasty corpus: hostile files, each built at test time next to a good console log, so a
 * test can check that the file costs bounded time and memory, gets a plain-words warning,
 * and that the rest of the bundle is still analysed. Big ones (bombs, the 200 MB line) are
 * `heavy` and run in the soak suite. Archive builders are the ingest tests' own.
 */
import { createWriteStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { buildElfCore } from "../../src/simulator/writers/elf-core-writer.js";
import { writeHexdump } from "../../src/simulator/writers/hexdump-writer.js";
import { deflatedZeros, gzippedZeros, makeTar, makeZip, zipEntry } from "../ingest/archive-builders.js";

export const MiB = 1024 * 1024;

/** A KASAN report the analysis must still find whatever sits beside it. */
export const GOOD_CONSOLE = [
  "[  812.000400] ==================================================================",
  "[  812.000456] BUG: KASAN: slab-use-after-free in ext4_htree_fill_tree+0x1f/0x80",
  "[  812.000460] Write of size 8 at addr ffff888012acfc20 by task syz-executor/4242",
  "[  812.000470] CPU: 1 PID: 4242 Comm: syz-executor Not tainted 6.12.0 #1",
  "[  812.000480] Call Trace:",
  "[  812.000481]  <TASK>",
  "[  812.000482]  ext4_htree_fill_tree+0x1f/0x80",
  "[  812.000483]  ext4_readdir+0x2a/0x90",
  "[  812.000484]  </TASK>",
  "[  812.000490] ==================================================================",
  "",
].join("\n");
export const GOOD_TITLE = /use-after-free.*ext4_htree_fill_tree/;

export interface NastyFile {
  name: string;
  /** What the file is, for the reliability table. */
  what: string;
  heavy: boolean;
  /** Writes the nasty file(s) into `dir` and returns their paths. */
  write(dir: string): Promise<string[]>;
  /** A plain-words warning the bundle must carry. */
  warning: RegExp;
  /** What the nasty file itself is still read as, when it is still readable. */
  kind?: string;
}

async function put(dir: string, name: string, data: Buffer | string): Promise<string[]> {
  const path = join(dir, name);
  await writeFile(path, data);
  return [path];
}

/** An x86_64 core with a note and three PT_LOAD headers, then rewritten: past the end, overlapping, absurd. */
export function coreWithBadProgramHeaders(): Buffer {
  const page = new Uint8Array(4096).fill(0x6b);
  const core = buildElfCore({
    arch: "x86_64",
    endianness: "little",
    vmcoreinfo: "OSRELEASE=6.12.0\nPAGESIZE=4096\n",
    segments: [
      { paddr: 0x1000000n, size: 0x2000n, contents: [{ offset: 0n, bytes: page }] },
      { paddr: 0x2000000n, size: 0x1000n },
      { paddr: 0x3000000n, size: 0x1000n },
    ],
  });
  const phoff = Number(core.readBigUInt64LE(32));
  const phnum = core.readUInt16LE(56);
  const loads: number[] = [];
  for (let i = 0; i < phnum; i++) if (core.readUInt32LE(phoff + i * 56) === 1) loads.push(phoff + i * 56);
  // Segment 2: data far past the end of the file.
  core.writeBigUInt64LE(BigInt(core.length) * 1000n, loads[1]! + 8);
  // Segment 3: overlaps segment 1 in physical memory, and its file range runs past the end.
  core.writeBigUInt64LE(0x1000800n, loads[2]! + 24);
  core.writeBigUInt64LE(1n << 62n, loads[2]! + 32);
  return core;
}

function hexdumpGoingBackwards(): string {
  const a = writeHexdump(0x2000n, new Uint8Array(64).fill(0x6b));
  const b = writeHexdump(0x1000n, new Uint8Array(64).fill(0x00));
  const c = writeHexdump(0x1fc0n, new Uint8Array(64).fill(0xaa));
  return a + b + c;
}

function traceWithBillionFrameOrder(): string {
  return [
    "# tracer: nop",
    "            java-4242    [003] .....   810.000000: mm_page_alloc: page=0 pfn=0x54d7 order=1000000000 migratetype=0 gfp_flags=GFP_KERNEL",
    "            java-4242    [003] .....   810.000001: mm_page_free: page=0 pfn=0x54d7 order=4294967295",
    "            java-4242    [003] .....   810.000002: mm_page_alloc: page=0 pfn=0x54d8 order=0 migratetype=0 gfp_flags=GFP_KERNEL",
    "",
  ].join("\n");
}

/** Zip entries nested `depth` deep, `width` copies of the inner zip at each level (42.zip style). */
async function nestedZipBomb(depth: number, width: number): Promise<Buffer> {
  const zeros = await deflatedZeros(64);
  let level = makeZip([{ name: "zeros", compressed: zeros, uncompressedSize: 64 * MiB }]);
  for (let d = 0; d < depth; d++) level = makeZip(Array.from({ length: width }, (_, i) => zipEntry(`l${d}-${i}.zip`, level)));
  return level;
}

export const NASTY: NastyFile[] = [
  {
    name: "gzip-bomb-flat.gz",
    what: "gzip bomb, flat (1 GiB of zeros in 1 MiB)",
    heavy: true,
    write: async (dir) => put(dir, "gzip-bomb-flat.gz", await gzippedZeros(1024)),
    warning: /more than 100 MiB|only the first/,
  },
  {
    name: "gzip-bomb-nested.gz",
    what: "gzip bomb, nested (gzip of gzip of gzip of 1 GiB of zeros)",
    heavy: true,
    write: async (dir) => put(dir, "gzip-bomb-nested.gz", gzipSync(gzipSync(await gzippedZeros(1024)))),
    warning: /more than|only the first|nested|gzip|compressed/i,
  },
  {
    name: "zip-bomb-flat.zip",
    what: "zip bomb, flat (40 entries of 1 GiB of zeros, honest sizes)",
    heavy: true,
    write: async (dir) => {
      const zeros = await deflatedZeros(1024);
      return put(dir, "zip-bomb-flat.zip", makeZip(Array.from({ length: 40 }, (_, i) => ({ name: `z${i}`, compressed: zeros, uncompressedSize: 1024 * MiB }))));
    },
    warning: /Declares 1 GiB|limit/,
  },
  {
    name: "zip-bomb-nested.zip",
    what: "zip bomb, nested (4 levels of 8 zips of 64 MiB of zeros: 256 GiB)",
    heavy: true,
    write: async (dir) => put(dir, "zip-bomb-nested.zip", await nestedZipBomb(4, 8)),
    warning: /nested more than|limit/,
  },
  {
    name: "traversal.tar",
    what: "tar entries with `..`, an absolute path, a symlink and a hard link",
    heavy: false,
    write: async (dir) =>
      put(
        dir,
        "traversal.tar",
        await makeTar([
          { name: "../../escape.txt", data: "owned" },
          { name: "/etc/cron.d/evil", data: "owned" },
          { name: "passwd", type: "symlink", linkname: "/etc/passwd" },
          { name: "hard", type: "link", linkname: "/etc/shadow" },
        ]),
      ),
    warning: /Refused archive entry/,
  },
  {
    name: "traversal.zip",
    what: "zip entries with `..`, an absolute path and a symlink",
    heavy: false,
    write: async (dir) => put(dir, "traversal.zip", makeZip([zipEntry("../../up", "x"), zipEntry("/abs/path", "x"), zipEntry("ln", "/etc/passwd", 0o120777)])),
    warning: /climbs out|absolute|symbolic link/,
  },
  {
    name: "bad-phdrs.vmcore",
    what: "ELF core whose program headers point past the end and overlap",
    heavy: false,
    write: async (dir) => put(dir, "bad-phdrs.vmcore", coreWithBadProgramHeaders()),
    warning: /truncated|cut short|overlap/,
    kind: "elf-vmcore",
  },
  {
    name: "backwards.hexdump",
    what: "hexdump whose addresses go backwards",
    heavy: false,
    write: async (dir) => put(dir, "backwards.hexdump", hexdumpGoingBackwards()),
    warning: /goes backwards/,
    kind: "hexdump",
  },
  {
    name: "single-line-200mb.txt",
    what: "a 200 MB single line (generated into a temp file)",
    heavy: true,
    write: async (dir) => {
      const path = join(dir, "single-line-200mb.txt");
      const out = createWriteStream(path);
      const chunk = Buffer.alloc(4 * MiB, "A");
      for (let i = 0; i < 50; i++) if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
      await new Promise<void>((r) => out.end(() => r()));
      return [path];
    },
    warning: /no line break|only the first/,
  },
  {
    name: "nul-bytes.log",
    what: "a console log with a run of NUL bytes (zero-filled after an unclean shutdown)",
    heavy: false,
    write: async (dir) =>
      put(dir, "nul-bytes.log", Buffer.concat([Buffer.from("[    1.000000] Linux version 6.12.0\n"), Buffer.alloc(100_000, 0), Buffer.from("\n[    2.0] x\u0000y\u0000z\n")])),
    warning: /NUL bytes/,
    kind: "console-log",
  },
  {
    name: "invalid-utf8.log",
    what: "invalid UTF-8 in a console log",
    heavy: false,
    write: async (dir) => put(dir, "invalid-utf8.log", Buffer.concat([Buffer.from("[    1.000000] eth0: "), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0x0a]), Buffer.from("[    1.1] ok\n")])),
    warning: /not valid UTF-8/,
    kind: "console-log",
  },
  {
    name: "billion-frame-order.trace",
    what: "a trace with a billion-frame `order`",
    heavy: false,
    write: async (dir) => put(dir, "billion-frame-order.trace", traceWithBillionFrameOrder()),
    warning: /order 1000000000 is impossible/,
    kind: "ftrace",
  },
];
