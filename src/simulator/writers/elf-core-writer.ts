import { open } from "node:fs/promises";
import type { Arch, Endianness } from "../../analysis/model/machine.js";

/**
 * Writes a kdump-style ELF64 core (formats.md §3): `ET_CORE`, either byte order, one `PT_NOTE`
 * holding the `VMCOREINFO` note (`KEY=value` lines), then one `PT_LOAD` per physical range with
 * `p_paddr` set and `p_vaddr` in the kernel's linear map, as /proc/vmcore and
 * `makedumpfile -E` lay them out. Segment data starts page-aligned in the file.
 *
 * `buildElfCore` returns small cores in memory (tests); `writeElfCoreFile` writes only the
 * bytes given in `contents`, leaving the rest of each segment as a file hole, so a 1 GiB core
 * costs a few KiB of disk (benchmarks). Both read as zeros where nothing was written.
 */
export interface ElfCoreSegment {
  paddr: bigint;
  /** Defaults to linearMapBase + paddr. */
  vaddr?: bigint;
  size: bigint;
  /** Bytes to place at offsets inside the segment; the rest reads as zero. */
  contents?: { offset: bigint; bytes: Uint8Array }[];
}

export interface ElfCoreSpec {
  arch: Arch;
  endianness: Endianness;
  /** The VMCOREINFO note text, e.g. "OSRELEASE=6.12.0\nPAGESIZE=65536\n"; omitted when undefined. */
  vmcoreinfo?: string;
  /** Base used for default p_vaddr values (x86_64 0xffff888000000000, ppc64 0xc000000000000000). */
  linearMapBase?: bigint;
  segments: ElfCoreSegment[];
}

const EM: Record<Arch, number> = { x86_64: 62, ppc64le: 21, ppc64: 21, arm64: 183 };
const DEFAULT_BASE: Record<Arch, bigint> = {
  x86_64: 0xffff888000000000n,
  ppc64le: 0xc000000000000000n,
  ppc64: 0xc000000000000000n,
  arm64: 0xffff000000000000n,
};
const EHDR = 64;
const PHDR = 56;
const DATA_ALIGN = 4096n;

interface Layout {
  headers: Buffer;
  /** File offset of each segment's data. */
  offsets: bigint[];
  fileSize: bigint;
}

function layout(spec: ElfCoreSpec): Layout {
  const le = spec.endianness === "little";
  const note = spec.vmcoreinfo === undefined ? Buffer.alloc(0) : vmcoreinfoNote(spec.vmcoreinfo, le);
  const phnum = spec.segments.length + (note.length > 0 ? 1 : 0);
  const noteOffset = EHDR + PHDR * phnum;
  const headerEnd = BigInt(noteOffset + note.length);
  const offsets: bigint[] = [];
  let cursor = roundUp(headerEnd, DATA_ALIGN);
  for (const seg of spec.segments) {
    offsets.push(cursor);
    cursor = roundUp(cursor + seg.size, DATA_ALIGN);
  }
  const lastEnd = spec.segments.length ? offsets[offsets.length - 1] + spec.segments[spec.segments.length - 1].size : headerEnd;

  const h = Buffer.alloc(noteOffset + note.length);
  const u16 = (v: number, at: number) => (le ? h.writeUInt16LE(v, at) : h.writeUInt16BE(v, at));
  const u32 = (v: number, at: number) => (le ? h.writeUInt32LE(v, at) : h.writeUInt32BE(v, at));
  const u64 = (v: bigint, at: number) => (le ? h.writeBigUInt64LE(BigInt.asUintN(64, v), at) : h.writeBigUInt64BE(BigInt.asUintN(64, v), at));
  h.set([0x7f, 0x45, 0x4c, 0x46, 2 /* ELFCLASS64 */, le ? 1 : 2, 1 /* EV_CURRENT */, 0], 0);
  u16(4, 16); // ET_CORE
  u16(EM[spec.arch], 18);
  u32(1, 20);
  u64(0n, 24); // e_entry
  u64(BigInt(EHDR), 32); // e_phoff
  u64(0n, 40); // e_shoff
  u32(spec.arch === "ppc64le" ? 2 : 0, 48); // e_flags: ELFv2 ABI on ppc64le
  u16(EHDR, 52);
  u16(PHDR, 54);
  u16(phnum, 56);
  u16(0, 58);
  u16(0, 60);
  u16(0, 62);
  let ph = EHDR;
  if (note.length > 0) {
    u32(4, ph); // PT_NOTE
    u32(0, ph + 4);
    u64(BigInt(noteOffset), ph + 8);
    u64(0n, ph + 16);
    u64(0n, ph + 24);
    u64(BigInt(note.length), ph + 32);
    u64(BigInt(note.length), ph + 40);
    u64(0n, ph + 48);
    ph += PHDR;
  }
  const base = spec.linearMapBase ?? DEFAULT_BASE[spec.arch];
  spec.segments.forEach((seg, i) => {
    u32(1, ph); // PT_LOAD
    u32(7, ph + 4); // RWX, as kexec-tools writes
    u64(offsets[i], ph + 8);
    u64(seg.vaddr ?? base + seg.paddr, ph + 16);
    u64(seg.paddr, ph + 24);
    u64(seg.size, ph + 32);
    u64(seg.size, ph + 40);
    u64(0n, ph + 48);
    ph += PHDR;
  });
  note.copy(h, noteOffset);
  return { headers: h, offsets, fileSize: lastEnd };
}

function vmcoreinfoNote(text: string, le: boolean): Buffer {
  const name = Buffer.from("VMCOREINFO\0", "latin1");
  const desc = Buffer.from(text, "latin1");
  const nameLen = Number(roundUp(BigInt(name.length), 4n));
  const descLen = Number(roundUp(BigInt(desc.length), 4n));
  const b = Buffer.alloc(12 + nameLen + descLen);
  const u32 = (v: number, at: number) => (le ? b.writeUInt32LE(v, at) : b.writeUInt32BE(v, at));
  u32(name.length, 0);
  u32(desc.length, 4);
  u32(0, 8);
  name.copy(b, 12);
  desc.copy(b, 12 + nameLen);
  return b;
}

function roundUp(v: bigint, a: bigint): bigint {
  return ((v + a - 1n) / a) * a;
}

/** A whole core in memory, for small test cores. */
export function buildElfCore(spec: ElfCoreSpec): Buffer {
  const { headers, offsets, fileSize } = layout(spec);
  const out = Buffer.alloc(Number(fileSize));
  headers.copy(out, 0);
  spec.segments.forEach((seg, i) => {
    for (const c of seg.contents ?? []) out.set(c.bytes, Number(offsets[i] + c.offset));
  });
  return out;
}

/** Writes the core to `path` as a sparse file: only headers and `contents` take disk space. */
export async function writeElfCoreFile(path: string, spec: ElfCoreSpec): Promise<void> {
  const { headers, offsets, fileSize } = layout(spec);
  const fh = await open(path, "w");
  try {
    await fh.write(headers, 0, headers.length, 0);
    for (let i = 0; i < spec.segments.length; i++) {
      for (const c of spec.segments[i].contents ?? []) {
        await fh.write(c.bytes, 0, c.bytes.length, Number(offsets[i] + c.offset));
      }
    }
    await fh.truncate(Number(fileSize));
  } finally {
    await fh.close();
  }
}
