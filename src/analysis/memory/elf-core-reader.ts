import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { Arch, Endianness, MachineHints } from "../model/machine.js";
import { parseVmcoreinfo, vmcoreinfoHints } from "./vmcoreinfo.js";

/**
 * Reads the headers of a kdump ELF core (formats.md §3) with random access: ELF64 `ET_CORE`,
 * either byte order, `PT_LOAD` segments by `p_paddr`, the `VMCOREINFO` note. Only headers and
 * notes are read here; page contents are read on demand through `readAt`, so a core of many
 * GiB costs what the analysis looks at.
 */
export interface ElfLoadSegment {
  paddr: bigint;
  vaddr: bigint;
  /** Bytes present in the file (p_filesz, cut short where the file is truncated). */
  fileSize: bigint;
  fileOffset: bigint;
}

export interface ElfCore {
  fd: number;
  arch: Arch | null;
  endianness: Endianness;
  segments: ElfLoadSegment[];
  vmcoreinfo: Record<string, string> | null;
  hints: MachineHints;
  warnings: string[];
}

const MACHINES: Record<number, (le: boolean) => Arch> = {
  62: () => "x86_64",
  21: (le) => (le ? "ppc64le" : "ppc64"),
  183: () => "arm64",
};
const PT_LOAD = 1;
const PT_NOTE = 4;
const MAX_NOTE_BYTES = 4 * 1024 * 1024;
const MAX_PHDRS = 1 << 20;

/** Opens and parses a core. Never throws: problems come back as `warnings` (and null when unusable). */
export function openElfCore(path: string, name: string): { core: ElfCore | null; warnings: string[] } {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    return { core: null, warnings: [`${name}: cannot open the core file (${(err as Error).message})`] };
  }
  try {
    const result = parse(fd, name);
    if (!result.core) closeSync(fd);
    return result;
  } catch (err) {
    closeSync(fd);
    return { core: null, warnings: [`${name}: unreadable ELF core (${(err as Error).message})`] };
  }
}

function readExact(fd: number, position: bigint, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, Number(position) + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? buf : buf.subarray(0, got);
}

function parse(fd: number, name: string): { core: ElfCore | null; warnings: string[] } {
  const warnings: string[] = [];
  const fileBytes = BigInt(fstatSync(fd).size);
  const e = readExact(fd, 0n, 64);
  if (e.length >= 8 && e.subarray(0, 8).toString("latin1") === "KDUMP   ") {
    return { core: null, warnings: [`${name}: this is a compressed kdump file (makedumpfile -c/-l/-p), which casefile does not read; convert it with 'makedumpfile -E' or attach the ELF /proc/vmcore`] };
  }
  if (e.length >= 12 && e.subarray(0, 12).toString("latin1") === "makedumpfile") {
    return { core: null, warnings: [`${name}: this is makedumpfile's flattened format; rebuild it with 'makedumpfile -R' first`] };
  }
  if (e.length < 64 || e[0] !== 0x7f || e[1] !== 0x45 || e[2] !== 0x4c || e[3] !== 0x46) {
    return { core: null, warnings: [`${name}: not an ELF file (too short or bad magic)`] };
  }
  if (e[4] !== 2) return { core: null, warnings: [`${name}: a 32-bit ELF core; only 64-bit kdump cores are read`] };
  if (e[5] !== 1 && e[5] !== 2) return { core: null, warnings: [`${name}: unknown ELF byte order ${e[5]}`] };
  const le = e[5] === 1;
  const u16 = (b: Buffer, at: number) => (le ? b.readUInt16LE(at) : b.readUInt16BE(at));
  const u32 = (b: Buffer, at: number) => (le ? b.readUInt32LE(at) : b.readUInt32BE(at));
  const u64 = (b: Buffer, at: number) => (le ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at));
  const type = u16(e, 16);
  if (type !== 4) warnings.push(`${name}: ELF type ${type} is not ET_CORE (4); reading its PT_LOAD segments anyway`);
  const machine = u16(e, 18);
  const arch = MACHINES[machine]?.(le) ?? null;
  if (!arch) warnings.push(`${name}: unknown ELF machine ${machine}; the arch must come from elsewhere`);
  const phoff = u64(e, 32);
  const phentsize = u16(e, 54);
  let phnum = u16(e, 56);
  if (phnum === 0xffff) {
    // PN_XNUM: the real count is in section header 0's sh_info.
    const shoff = u64(e, 40);
    const sh = readExact(fd, shoff, 64);
    phnum = sh.length === 64 ? u32(sh, 44) : 0;
  }
  if (phentsize < 56 || phnum === 0 || phnum > MAX_PHDRS) {
    return { core: null, warnings: [...warnings, `${name}: no usable program headers (phnum ${phnum}, phentsize ${phentsize})`] };
  }
  const table = readExact(fd, phoff, phnum * phentsize);
  const usable = Math.floor(table.length / phentsize);
  if (usable < phnum) warnings.push(`${name}: the file is truncated inside its program headers; ${usable} of ${phnum} read`);

  const segments: ElfLoadSegment[] = [];
  let vmcoreinfo: Record<string, string> | null = null;
  let truncatedSegments = 0;
  for (let i = 0; i < usable; i++) {
    const at = i * phentsize;
    const pType = u32(table, at);
    const offset = u64(table, at + 8);
    const vaddr = u64(table, at + 16);
    const paddr = u64(table, at + 24);
    const filesz = u64(table, at + 32);
    if (pType === PT_NOTE) {
      const size = filesz > BigInt(MAX_NOTE_BYTES) ? MAX_NOTE_BYTES : Number(filesz);
      const notes = readExact(fd, offset, size);
      const text = findNote(notes, "VMCOREINFO", u32);
      if (text !== null) vmcoreinfo = parseVmcoreinfo(text);
    } else if (pType === PT_LOAD && filesz > 0n) {
      let present = filesz;
      if (offset >= fileBytes) present = 0n;
      else if (offset + filesz > fileBytes) present = fileBytes - offset;
      if (present < filesz) truncatedSegments++;
      if (present > 0n) segments.push({ paddr, vaddr, fileSize: present, fileOffset: offset });
    }
  }
  if (truncatedSegments > 0) {
    warnings.push(`${name}: the core is truncated (${fileBytes} bytes on disk); ${truncatedSegments} PT_LOAD segment(s) are cut short and their missing pages are treated as not dumped`);
  }
  if (segments.length === 0) warnings.push(`${name}: no PT_LOAD segment with data; the core holds no memory`);
  if (segments.length > 1 && segments.every((s) => s.paddr === 0n)) {
    warnings.push(`${name}: every PT_LOAD has p_paddr 0, so this is not a kdump core (a process core dump?); its memory cannot be placed physically and is skipped`);
    segments.length = 0;
  }
  if (!vmcoreinfo) warnings.push(`${name}: no VMCOREINFO note; page size and kernel release must come from elsewhere`);

  const hints: MachineHints = vmcoreinfo ? vmcoreinfoHints(vmcoreinfo, `${name}:VMCOREINFO`) : { source: name };
  if (arch) hints.arch = arch;
  hints.endianness = le ? "little" : "big";
  const base = linearBaseFromSegments(segments);
  if (base !== null && hints.linearMapBase === undefined) hints.linearMapBase = base;
  return { core: { fd, arch, endianness: hints.endianness, segments, vmcoreinfo, hints, warnings }, warnings };
}

/** Walks ELF notes (namesz, descsz, type, name, desc, each padded to 4) for the named one. */
function findNote(buf: Buffer, wanted: string, u32: (b: Buffer, at: number) => number): string | null {
  let at = 0;
  while (at + 12 <= buf.length) {
    const namesz = u32(buf, at);
    const descsz = u32(buf, at + 4);
    const nameStart = at + 12;
    const descStart = nameStart + ((namesz + 3) & ~3);
    const next = descStart + ((descsz + 3) & ~3);
    if (namesz > buf.length || descsz > buf.length || next > buf.length + 3) return null;
    const noteName = buf.subarray(nameStart, nameStart + namesz).toString("latin1").replace(/\0+$/, "");
    if (noteName === wanted) return buf.subarray(descStart, Math.min(buf.length, descStart + descsz)).toString("latin1");
    if (next <= at) return null;
    at = next;
  }
  return null;
}

/**
 * kexec-tools and the kernel give linear-map segments p_vaddr = PAGE_OFFSET + p_paddr; the most
 * common difference is the linear map base, even under KASLR. The kernel text segment differs
 * and is outvoted.
 */
function linearBaseFromSegments(segments: ElfLoadSegment[]): bigint | null {
  const votes = new Map<bigint, number>();
  for (const s of segments) {
    if (s.vaddr === 0n || s.vaddr === 0xffffffffffffffffn) continue;
    const d = BigInt.asUintN(64, s.vaddr - s.paddr);
    if (d < 1n << 63n) continue; // user or identity mappings say nothing about the kernel map
    votes.set(d, (votes.get(d) ?? 0) + 1);
  }
  let best: bigint | null = null;
  let count = 0;
  for (const [d, n] of votes) if (n > count) [best, count] = [d, n];
  return best;
}

/** Reads bytes of the core file; short only where the file is. */
export function readCoreBytes(core: ElfCore, fileOffset: bigint, length: number): Buffer {
  return readExact(core.fd, fileOffset, length);
}

export function closeElfCore(core: ElfCore): void {
  try {
    closeSync(core.fd);
  } catch {
    // already closed
  }
}
