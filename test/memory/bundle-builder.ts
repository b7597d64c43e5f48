/**
 * Builds realistic memory bundles for the memory tests: live kernel pages (pointers into the
 * linear map, kernel text from a System.map, small integers, zeros), poisoned pages and slab
 * objects, RoCEv2 packets, console logs in the kernel's own words, and Artifacts around them.
 */
import { Readable } from "node:stream";
import { parseConsoleLog } from "../../src/analysis/console/index.js";
import { findCorruptedRegion, loadMemory, type MemoryFindings, type MemoryLoad } from "../../src/analysis/memory/index.js";
import type { Artifact, ArtifactKind } from "../../src/analysis/model/artifact.js";
import type { CrashReport } from "../../src/analysis/model/crash.js";
import { ARCH_DEFAULTS, resolveMachine, type Arch, type MachineFacts } from "../../src/analysis/model/machine.js";
import { SymbolMap } from "../../src/analysis/symbols/symbol-map.js";
import { rng } from "../support/seeded-rng.js";

export { rng };

const TEXT_BASE: Record<Arch, bigint> = { x86_64: 0xffffffff81000000n, ppc64le: 0xc000000000010000n, ppc64: 0xc000000000010000n, arm64: 0xffff800080010000n };
const VMEMMAP: Record<Arch, bigint> = { x86_64: 0xffffea0000000000n, ppc64le: 0xc00c000000000000n, ppc64: 0xc00c000000000000n, arm64: 0xfffffc0000000000n };
const NAMES = ["_stext", "tcp_v4_rcv", "ip_rcv", "__netif_receive_skb", "mlx5e_poll_rx_cq", "kmem_cache_alloc", "kfree", "ext4_file_read_iter", "tcp_prot", "init_net", "ext4_dir_operations", "skb_release_data", "__handle_mm_fault", "schedule", "_etext"];

/** A System.map: symbols 0x1000 apart from the arch's text base. */
export function systemMap(arch: Arch): string {
  return NAMES.map((n, i) => `${(TEXT_BASE[arch] + BigInt(i) * 0x1000n).toString(16).padStart(16, "0")} ${i >= 8 && i <= 10 ? "D" : "T"} ${n}`).join("\n") + "\n";
}

/** Live kernel memory: what a slab page of struct sk_buff / dentry / list heads looks like. */
export function kernelPage(machine: MachineFacts, size: number, physBase: bigint, seed: number): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  const le = machine.endianness === "little";
  const base = machine.linearMapBase ?? 0xffff000000000000n;
  for (let at = 0; at < size; at += 8) {
    const x = r();
    let v: bigint;
    if (x < 0.3) v = 0n;
    else if (x < 0.55) v = BigInt(Math.floor(r() * 5000));
    else if (x < 0.82) v = base + physBase + BigInt(Math.floor(r() * 0x4000000)) * 64n;
    else if (x < 0.92) v = TEXT_BASE[machine.arch] + BigInt(Math.floor(r() * 14)) * 0x1000n + BigInt(Math.floor(r() * 0x400)) * 8n;
    else if (x < 0.97) v = VMEMMAP[machine.arch] + BigInt(Math.floor(r() * 0x100000)) * 64n;
    else v = (1n << 64n) - BigInt(1 + Math.floor(r() * 30)); // -errno
    dv.setBigUint64(at, BigInt.asUintN(64, v), le);
  }
  return out;
}

function ipChecksum(b: Uint8Array, at: number, len: number): number {
  let sum = 0;
  for (let i = 0; i < len; i += 2) sum += (b[at + i] << 8) | b[at + i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

/** A RoCEv2 frame as a ConnectX NIC DMAs it: Ethernet, IPv4, UDP 4791, BTH, payload, ICRC. */
export function roceFrame(opts: { length: number; src: string; dst: string; opcode: number; qp: number; seed: number }): Uint8Array {
  const b = new Uint8Array(opts.length);
  const r = rng(opts.seed);
  for (let i = 0; i < b.length; i++) b[i] = Math.floor(r() * 256);
  b.set([0xb8, 0xce, 0xf6, 0xa1, 0xb2, 0xc3, 0x0c, 0x42, 0xa1, 0xd4, 0xe5, 0xf6, 0x08, 0x00], 0);
  const ip = 14;
  const total = opts.length - 14;
  b.set([0x45, 0x02, total >> 8, total & 0xff, 0x1c, 0x46, 0x40, 0x00, 0x40, 17, 0, 0], ip);
  b.set(opts.src.split(".").map(Number), ip + 12);
  b.set(opts.dst.split(".").map(Number), ip + 16);
  const sum = ipChecksum(b, ip, 20);
  b[ip + 10] = sum >> 8;
  b[ip + 11] = sum & 0xff;
  const udp = ip + 20;
  const ulen = total - 20;
  b.set([0xc3, 0x50, 0x12, 0xb7, ulen >> 8, ulen & 0xff, 0, 0], udp);
  const bth = udp + 8;
  b.set([opts.opcode, 0x40, 0xff, 0xff, 0x00, (opts.qp >> 16) & 0xff, (opts.qp >> 8) & 0xff, opts.qp & 0xff, 0x80, 0x12, 0x34, 0x56], bth);
  return b;
}

export function artifact(name: string, kind: ArtifactKind, data: string | Uint8Array, path?: string): Artifact {
  const buf = typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data);
  return { name, kind, bytes: buf.length, head: buf.subarray(0, 65536), open: () => Readable.from([buf]), path, warnings: [] };
}

export interface AnalysedBundle {
  load: MemoryLoad;
  findings: MemoryFindings;
  machine: MachineFacts;
}

/** Console log + memory artifacts + System.map, analysed as the pipeline does. */
export async function analyse(opts: { arch: Arch; console: string | null; memory: Artifact[]; systemMap?: string | null; dmaAddresses?: bigint[]; crash?: CrashReport }): Promise<AnalysedBundle> {
  const facts = opts.console ? parseConsoleLog(opts.console, "console.log") : null;
  if (facts && opts.crash) facts.crash = opts.crash;
  const provisional = resolveMachine(facts?.machine ?? [], { arch: opts.arch });
  const load = await loadMemory(opts.memory, provisional);
  const machine = resolveMachine([...load.hints, ...(facts?.machine ?? [])], { arch: opts.arch });
  const symbols = opts.systemMap === null ? null : SymbolMap.parse(opts.systemMap ?? systemMap(opts.arch)).map;
  const findings = findCorruptedRegion({ memory: load.memory, crash: facts?.crash ?? null, symbols, machine, dmaAddresses: opts.dmaAddresses });
  load.memory.close();
  return { load, findings, machine };
}

export const X86 = ARCH_DEFAULTS.x86_64;
export const PPC = ARCH_DEFAULTS.ppc64le;

/** Writes a little-endian (or big-endian) 64-bit value into bytes. */
export function put64(bytes: Uint8Array, at: number, v: bigint, little = true): void {
  new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(at, BigInt.asUintN(64, v), little);
}

/** A crash report as the console part would hand it over, for report kinds whose details live in `text`. */
export function crashReport(kind: string, title: string, text: string): CrashReport {
  return {
    title, kind, frame: null, address: null, access: null, size: null, task: null, pid: null, cpu: null, modules: [], stack: [], arch: null, kernel: null,
    bugType: null, object: null, corrupted: null, pfn: null, device: null, dmaAddress: null, files: [], source: "console.log:1", text,
  };
}
