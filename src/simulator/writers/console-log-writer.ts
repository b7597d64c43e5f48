import type { SimMachine } from "../machine/sim-machine.js";
import { isPowerPc } from "../machine/sim-machine.js";
import type { KernelSymbols } from "../machine/kernel-symbols.js";
import type { SeededRandom } from "../random/seeded-random.js";

/**
 * Kernel console output exactly as printk and the crash-report code print it (formats.md §1):
 * timestamps, caller tags, KASAN / SLUB / page-poison / bad-page reports, page faults, IOMMU and
 * DMA-API faults, pseries hot-remove lines, register dumps and call traces. Report builders
 * return lines without the printk prefix; `ConsoleLog` stamps them.
 */

export interface ConsoleStyle {
  /** `[  812.000456][ T4242] ` caller tags (CONFIG_PRINTK_CALLER), as syzbot and newer distros print. */
  callerTag: boolean;
}

/** Collects printk lines in time order and renders the console log. */
export class ConsoleLog {
  private readonly lines: { ts: number; caller: string; text: string }[] = [];

  constructor(private readonly style: ConsoleStyle) {}

  /** Adds lines starting at `ts`, a few microseconds apart as a burst of printk is. Returns the next free ts. */
  add(ts: number, caller: string, texts: readonly string[], step = 0.000004): number {
    let t = ts;
    for (const text of texts) {
      this.lines.push({ ts: t, caller, text });
      t += step;
    }
    return t;
  }

  render(): string {
    const sorted = [...this.lines].sort((a, b) => a.ts - b.ts);
    let out = "";
    for (const l of sorted) {
      out += "[" + printkTime(l.ts) + "]";
      if (this.style.callerTag) out += "[" + l.caller.padStart(6) + "]";
      out += " " + l.text + "\n";
    }
    return out;
  }
}

/** `%5lu.%06lu` */
export function printkTime(ts: number): string {
  const micros = Math.round(ts * 1e6);
  const sec = Math.floor(micros / 1e6);
  return String(sec).padStart(5) + "." + String(micros - sec * 1e6).padStart(6, "0");
}

/** `T4242` for a task, `C3` for interrupt context. */
export function taskCaller(pid: number): string {
  return "T" + pid;
}

const hex16 = (v: bigint): string => v.toString(16).padStart(16, "0");

/** The process context a report was printed in. */
export interface ReportContext {
  machine: SimMachine;
  symbols: KernelSymbols;
  rng: SeededRandom;
  cpu: number;
  pid: number;
  comm: string;
  uid?: number;
  /** "G    B" after an earlier report tainted the kernel, else "Not tainted". */
  tainted?: string;
  modules: string[];
}

// ---------------------------------------------------------------- boot and device lines

export function bootBanner(m: SimMachine, cmdline: string): string[] {
  const lines = [
    `Linux version ${m.kernel} (mockbuild@build.example.com) (gcc (GCC) 14.2.1 20250110, GNU ld version 2.41-53.el10) #1 SMP PREEMPT_DYNAMIC Tue Oct 14 09:12:01 EDT 2025`,
    `Command line: ${cmdline}`,
  ];
  if (isPowerPc(m)) {
    lines.push(
      `Page sizes from device-tree:`,
      `base_shift=16: shift=16, sllp=0x0110, avpnm=0x00000000, tlbiel=1, penc=1`,
      `Using pSeries machine description`,
      `Page orders: linear mapping = 24, virtual = 16, io = 16, vmemmap = 24`,
    );
  }
  return lines;
}

/** `<driver> <device>: message` */
export function devPrintk(driver: string, device: string, message: string): string {
  return `${driver} ${device}: ${message}`;
}

export function modulesLinkedIn(modules: readonly string[]): string {
  return "Modules linked in: " + modules.join(" ");
}

/** `CPU: 3 UID: 0 PID: 4242 Comm: java Not tainted 6.12.0 #1` and `Hardware name:` */
export function cpuLine(c: ReportContext): string[] {
  return [
    `CPU: ${c.cpu}${c.machine.era === "legacy" ? "" : ` UID: ${c.uid ?? 0}`} PID: ${c.pid} Comm: ${c.comm} ${c.tainted ? "Tainted: " + c.tainted : "Not tainted"} ${c.machine.kernel} #1`,
    `Hardware name: ${c.machine.hardware}`,
  ];
}

// ---------------------------------------------------------------- call traces and registers

/**
 * `Call Trace:` with frames innermost first. x86 prints ` func+0x1c/0x80 [module]` inside
 * `<TASK>`; powerpc prints `[stack pointer] [return address] func+0x../0x..`.
 */
export function callTrace(c: ReportContext, frames: readonly string[], moduleOf: (fn: string) => string | null = () => null): string[] {
  if (isPowerPc(c.machine)) {
    const out = ["Call Trace:"];
    let sp = 0xc00000001f3cbd70n - BigInt(c.rng.int(0, 4096) * 16);
    frames.forEach((fn, i) => {
      const mod = moduleOf(fn);
      const ret = c.symbols.addressIn(fn, mod);
      out.push(`[${hex16(sp)}] [${hex16(ret)}] ${c.symbols.frame(fn, mod)}${i === 0 ? " (unreliable)" : ""}`);
      sp += BigInt(16 * c.rng.int(4, 24));
    });
    return out;
  }
  if (c.machine.era === "legacy") return ["Call Trace:", ...frames.map((fn) => " " + c.symbols.frame(fn, moduleOf(fn)))];
  return ["Call Trace:", " <TASK>", ...frames.map((fn) => "  " + c.symbols.frame(fn, moduleOf(fn))), " </TASK>"];
}

/** x86_64 register dump, with RIP in `func` (the oops's guilty frame) and CR2 when given. */
export function x86Registers(c: ReportContext, func: string, regs: { rax?: bigint; rdi?: bigint } = {}): string[] {
  const r = (): string => hex16((0xffff888000000000n | BigInt(c.rng.u32()) << 8n) & ~0x7n);
  const small = (): string => hex16(BigInt(c.rng.int(0, 0xffff)));
  const code = Array.from({ length: 42 }, (_, i) => (i === 30 ? "<" : "") + c.rng.int(0, 255).toString(16).padStart(2, "0") + (i === 30 ? ">" : "")).join(" ");
  return [
    `RIP: 0010:${c.symbols.frame(func)}`,
    `Code: ${code}`,
    `RSP: 0018:ffffc90000${c.rng.int(0x100000, 0xffffff).toString(16)} EFLAGS: 00010246`,
    `RAX: ${regs.rax !== undefined ? hex16(regs.rax) : r()} RBX: ${r()} RCX: ${small()}`,
    `RDX: ${small()} RSI: ${r()} RDI: ${regs.rdi !== undefined ? hex16(regs.rdi) : r()}`,
    `RBP: ffffc90000${c.rng.int(0x100000, 0xffffff).toString(16)} R08: ${small()} R09: ${r()}`,
    `R10: ${small()} R11: ${small()} R12: ${r()}`,
    `R13: ${r()} R14: ${small()} R15: ${r()}`,
    `FS:  00007f${c.rng.int(0x10000000, 0xffffffff).toString(16)}0000(0000) GS:ffff88907f${c.rng.int(0x100000, 0xffffff).toString(16)}00(0000) knlGS:0000000000000000`,
    `CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033`,
  ];
}

/** powerpc register dump (show_regs) for a data access fault at `dar`. */
export function ppcRegisters(c: ReportContext, func: string, caller: string, trap: number, dar: bigint, dsisr: number): string[] {
  const nip = c.symbols.addressIn(func);
  const lr = c.symbols.addressIn(caller);
  const gpr = (): string => hex16(c.rng.chance(0.5) ? 0xc000000000000000n | (BigInt(c.rng.u32()) << 4n) : BigInt(c.rng.int(0, 0xffff)));
  const out = [
    `NIP:  ${hex16(nip)} LR: ${hex16(lr)} CTR: ${hex16(BigInt(c.rng.int(0, 0xffffff)))}`,
    `REGS: c00000001f3cb${c.rng.int(0x100, 0xfff).toString(16)}0 TRAP: ${trap.toString(16).padStart(4, "0")}   ${c.tainted ? "Tainted: " + c.tainted : "Not tainted"}  (${c.machine.kernel})`,
    `MSR:  800000000280b033 <SF,VEC,VSX,EE,FP,ME,IR,DR,RI,LE>  CR: 24002284  XER: 20040000`,
    `CFAR: ${hex16(c.symbols.addressIn(func))} DAR: ${hex16(dar)} DSISR: ${dsisr.toString(16).padStart(8, "0")} IRQMASK: 0 `,
  ];
  for (let row = 0; row < 32; row += 4) {
    out.push(`GPR${String(row).padStart(2, "0")}: ${gpr()} ${gpr()} ${gpr()} ${gpr()} `);
  }
  out.push(`NIP [${hex16(nip)}] ${c.symbols.frame(func)}`, `LR [${hex16(lr)}] ${c.symbols.frame(caller)}`);
  return out;
}

function endTrace(): string {
  return "---[ end trace 0000000000000000 ]---";
}

// ---------------------------------------------------------------- KASAN

export interface KasanReport {
  /** "slab-use-after-free", "use-after-free", "slab-out-of-bounds", "double-free", ... */
  bugType: string;
  /** Function the title names. */
  frame: string;
  access: "Read" | "Write";
  size: number;
  /** Virtual address of the bad access (or the object, for double-free). */
  address: bigint;
  object: { start: bigint; size: number; cache: string };
  /** Frames of the bad access, innermost first, after the KASAN reporting frames. */
  stack: string[];
  allocStack: string[];
  freeStack: string[] | null;
  allocPid: number;
  freePid: number;
  pfn: bigint;
}

export function kasanReport(c: ReportContext, k: KasanReport): string[] {
  const legacy = c.machine.era === "legacy";
  const bugType = legacy ? k.bugType.replace(/^slab-use-after-free$/, "use-after-free").replace(/^double-free$/, "double-free or invalid-free") : k.bugType;
  const title = `BUG: KASAN: ${bugType} in ${c.symbols.frame(k.frame)}`;
  const second =
    k.bugType === "double-free"
      ? `Free of addr ${hex16(k.address)} by task ${c.comm}/${c.pid}`
      : `${k.access} of size ${k.size} at addr ${hex16(k.address)} by task ${c.comm}/${c.pid}`;
  const end = k.object.start + BigInt(k.object.size);
  const freed = k.freeStack !== null;
  let where: string;
  if (k.address >= end) where = `The buggy address is located ${k.address - end} bytes to the right of`;
  else if (k.address < k.object.start) where = `The buggy address is located ${k.object.start - k.address} bytes to the left of`;
  else where = `The buggy address is located ${k.address - k.object.start} bytes inside of`;
  const lines = [
    "==================================================================",
    title,
    second,
    "",
    ...cpuLine(c),
    ...callTrace(c, ["dump_stack_lvl", "print_report", "kasan_report", ...k.stack]),
    "",
    `Allocated by task ${k.allocPid}:`,
    ...["kasan_save_stack", "kasan_save_track", "__kasan_kmalloc", ...k.allocStack].map((f) => " " + c.symbols.frame(f)),
    "",
  ];
  if (k.freeStack) {
    lines.push(
      `Freed by task ${k.freePid}:`,
      ...["kasan_save_stack", "kasan_save_track", "kasan_save_free_info", "__kasan_slab_free", ...k.freeStack].map((f) => " " + c.symbols.frame(f)),
      "",
    );
  }
  lines.push(
    `The buggy address belongs to the object at ${hex16(k.object.start)}`,
    ` which belongs to the cache ${k.object.cache} of size ${k.object.size}`,
    where,
    ` ${freed ? "freed" : "allocated"} ${k.object.size}-byte region [${hex16(k.object.start)}, ${hex16(end)})`,
    "",
    "The buggy address belongs to the physical page:",
    ...pageBlock(c, k.pfn, 1, "kasan: bad access detected", true),
    "",
    "Memory state around the buggy address:",
    ...kasanShadow(k.address, k.object.start, k.object.size, freed),
    "==================================================================",
  );
  return lines;
}

/** The shadow-memory excerpt: 5 rows of 16 shadow bytes, each covering 8 bytes of memory. */
function kasanShadow(addr: bigint, objStart: bigint, objSize: number, freed: boolean): string[] {
  const rowOf = (a: bigint): bigint => a & ~0x7fn;
  const center = rowOf(addr);
  const out: string[] = [];
  const objEnd = objStart + BigInt(objSize);
  for (let r = -2n; r <= 2n; r++) {
    const base = center + r * 0x80n;
    const cells: string[] = [];
    for (let i = 0n; i < 16n; i++) {
      const a = base + i * 8n;
      if (a >= objStart && a < objEnd) cells.push(freed ? (a === objStart ? "fa" : "fb") : "00");
      else if (a >= objEnd && a < objEnd + 64n) cells.push("fc");
      else cells.push("00");
    }
    out.push(`${r === 0n ? ">" : " "}${hex16(base)}: ${cells.join(" ")}`);
    if (r === 0n) out.push(" ".repeat(1 + 16 + 2 + Number((addr - base) / 8n) * 3) + "^");
  }
  return out;
}

/** `page: refcount:1 mapcount:0 mapping:... index:0x0 pfn:0x...` block of dump_page. */
export function pageBlock(c: ReportContext, pfn: bigint, refcount: number, reason: string, slab: boolean): string[] {
  const flags = slab ? "0x4fff00000000200(slab|node=1|zone=1|lastcpupid=0x7ff)" : "0x4fff00000000000(node=1|zone=1|lastcpupid=0x7ff)";
  const raw = (): string => hex16(BigInt(c.rng.u32()) << 12n);
  return [
    `page: refcount:${refcount} mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x${pfn.toString(16)}`,
    `flags: ${flags}`,
    ...(slab ? ["page_type: f5(slab)"] : []),
    `raw: 04fff00000000${slab ? "200" : "000"} ${raw()} dead000000000100 dead000000000122`,
    `raw: 0000000000000000 0000000000100010 00000001ffffffff 0000000000000000`,
    `page dumped because: ${reason}`,
  ];
}

// ---------------------------------------------------------------- SLUB debug

export interface SlubReport {
  cache: string;
  /** "Poison overwritten", "Right Redzone overwritten", "Object already free" */
  what: string;
  /** Virtual address of the slab page's first byte (for @offset=). */
  slabBase: bigint;
  object: { start: bigint; size: number; bytes: Uint8Array };
  /** Range of differing bytes, [start, end), virtual; absent for "Object already free". */
  range: { start: bigint; end: bigint; first: number; expected: number } | null;
  /** Bytes right after the object (red zone), shown in the report. */
  redzone: Uint8Array;
  allocatedIn: string[];
  freedIn: string[];
  /** Where the check ran (the stack dumped), innermost first. */
  stack: string[];
  objectsPerSlab: number;
}

export function slubReport(c: ReportContext, s: SlubReport): string[] {
  const lines = [
    "=============================================================================",
    `BUG ${s.cache} (${c.tainted ? "Tainted: " + c.tainted : "Not tainted"}): ${s.what}`,
    "-----------------------------------------------------------------------------",
    "",
  ];
  const info = c.machine.era === "legacy" ? "INFO: " : "";
  if (s.range) {
    lines.push(
      `${info}0x${hex16(s.range.start)}-0x${hex16(s.range.end - 1n)} @offset=${s.range.start - s.slabBase}. First byte 0x${s.range.first.toString(16)} instead of 0x${s.range.expected.toString(16)}`,
    );
  }
  const age = c.rng.int(200, 90000);
  lines.push(
    `${info}Allocated in ${c.symbols.frame(s.allocatedIn[0])} age=${age + c.rng.int(1, 5000)} cpu=${c.rng.int(0, c.machine.cpus - 1)} pid=${c.rng.int(300, 30000)}`,
    ...s.allocatedIn.slice(1).map((f) => " " + c.symbols.frame(f)),
    `${info}Freed in ${c.symbols.frame(s.freedIn[0])} age=${age} cpu=${c.rng.int(0, c.machine.cpus - 1)} pid=${c.rng.int(300, 30000)}`,
    ...s.freedIn.slice(1).map((f) => " " + c.symbols.frame(f)),
    `${info}Slab 0x${hex16(0xffffea0000000000n + ((s.slabBase - c.machine.linearMapBase) >> BigInt(c.machine.pageShift)) * 64n)} objects=${s.objectsPerSlab} used=${s.objectsPerSlab - 1} fp=0x0000000000000000 flags=0x4fff00000000240(workingset|head|node=1|zone=1|lastcpupid=0x7ff)`,
    `${info}Object 0x${hex16(s.object.start)} @offset=${s.object.start - s.slabBase} fp=0x${hex16(s.object.start + BigInt(s.object.size) * 2n)}`,
    "",
  );
  lines.push(...sectionDump("Redzone  ", s.object.start - 16n, new Uint8Array(16).fill(0xbb)));
  lines.push(...sectionDump("Object   ", s.object.start, s.object.bytes));
  lines.push(...sectionDump("Redzone  ", s.object.start + BigInt(s.object.size), s.redzone));
  lines.push(...sectionDump("Padding  ", s.object.start + BigInt(s.object.size) + BigInt(s.redzone.length) + 8n, new Uint8Array(16).fill(0x5a)));
  lines.push(...cpuLine({ ...c, tainted: c.tainted ?? "G    B" }));
  lines.push(...callTrace(c, ["dump_stack_lvl", "check_bytes_and_report", "check_object", ...s.stack]));
  if (s.range) lines.push(`FIX ${s.cache}: Restoring ${s.what.split(" ")[0]} 0x${hex16(s.range.start)}-0x${hex16(s.range.end - 1n)}=0x${s.range.expected.toString(16)}`);
  else lines.push(`FIX ${s.cache}: Object at 0x${hex16(s.object.start)} not freed`);
  return lines;
}

/** SLUB's print_section: `Object   ffff888088a2dd00: 6b 6b ...  kkkkkkkkkkkkkkkk` (real addresses: slub_debug turns pointer hashing off). */
function sectionDump(label: string, base: bigint, bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (let off = 0; off < bytes.length; off += 16) {
    const row = bytes.subarray(off, Math.min(off + 16, bytes.length));
    out.push(`${label}${hex16(base + BigInt(off))}: ${hexBytesRow(row)}`);
  }
  return out;
}

/** print_hex_dump's `ab cd ...` padded to the ASCII column, then the ASCII. */
function hexBytesRow(row: Uint8Array): string {
  let hexPart = "";
  let ascii = "";
  for (let i = 0; i < row.length; i++) {
    hexPart += (i > 0 ? " " : "") + row[i].toString(16).padStart(2, "0");
    ascii += row[i] >= 0x20 && row[i] < 0x7f ? String.fromCharCode(row[i]) : ".";
  }
  return hexPart.padEnd(16 * 3 + 1) + ascii;
}

// ---------------------------------------------------------------- page poisoning, bad page

/**
 * mm/page_poison.c: `pagealloc: single bit error` or `pagealloc: memory corruption`, a hex dump
 * of start..end of the differing bytes (addresses hashed, %p), the stack and the page block.
 */
export function pagePoisonReport(c: ReportContext, p: { differing: Uint8Array; single: boolean; pfn: bigint; stack: string[] }): string[] {
  const hashed = BigInt(c.rng.u32()) & 0xfffffff0n;
  const lines = [p.single ? "pagealloc: single bit error" : "pagealloc: memory corruption"];
  for (let off = 0; off < p.differing.length; off += 16) {
    lines.push(`${hex16(hashed + BigInt(off))}: ${hexBytesRow(p.differing.subarray(off, Math.min(off + 16, p.differing.length)))}`);
  }
  lines.push(...cpuLine(c), ...callTrace(c, ["dump_stack_lvl", "__kernel_unpoison_pages", "post_alloc_hook", "get_page_from_freelist", "__alloc_pages_noprof", ...p.stack]));
  lines.push(...pageBlock(c, p.pfn, 1, "pagealloc: corrupted page details", false));
  return lines;
}

/** `BUG: Bad page state in process kworker/u9:0  pfn:687de` (two spaces, hex without 0x). */
export function badPageState(c: ReportContext, pfn: bigint, reason: string, stack: string[]): string[] {
  return [
    `BUG: Bad page state in process ${c.comm}  pfn:${pfn.toString(16)}`,
    `page: refcount:0 mapcount:0 mapping:${hex16(BigInt(c.rng.u32()))} index:0x0 pfn:0x${pfn.toString(16)}`,
    `flags: 0x4fff00000000000(node=1|zone=1|lastcpupid=0x7ff)`,
    `raw: 04fff00000000000 dead000000000100 dead000000000122 ${hex16(BigInt(c.rng.u32()))}`,
    `raw: 0000000000000000 0000000000000000 00000000ffffffff 0000000000000000`,
    `page dumped because: ${reason}`,
    modulesLinkedIn(c.modules),
    ...cpuLine({ ...c, tainted: "G    B" }),
    ...callTrace(c, ["dump_stack_lvl", "bad_page", "free_page_is_bad", ...stack]),
    "Disabling lock debugging due to kernel taint",
  ];
}

/** mm/memory.c print_bad_pte: `BUG: Bad page map in process java  pte:... pmd:...`. */
export function badPageMap(c: ReportContext, b: { pte: bigint; pmd: bigint; addr: bigint; stack: string[] }): string[] {
  return [
    `BUG: Bad page map in process ${c.comm}  pte:${hex16(b.pte)} pmd:${hex16(b.pmd)}`,
    `addr:${hex16(b.addr)} vm_flags:00100073 anon_vma:${hex16(c.machine.linearMapBase + (BigInt(c.rng.u32()) << 6n))} mapping:0000000000000000 index:${(b.addr >> BigInt(c.machine.pageShift)).toString(16)}`,
    `file:(null) fault:0x0 mmap:0x0 read_folio:0x0`,
    ...cpuLine({ ...c, tainted: "G    B" }),
    ...callTrace(c, ["dump_stack_lvl", "print_bad_pte", ...b.stack]),
    "Disabling lock debugging due to kernel taint",
  ];
}

// ---------------------------------------------------------------- oopses

/** x86 `BUG: unable to handle page fault for address:` oops. */
export function x86PageFault(c: ReportContext, f: { address: bigint; write: boolean; func: string; stack: string[] }): string[] {
  const err = f.write ? 0x0002 : 0x0000;
  const head =
    c.machine.era === "legacy"
      ? [`BUG: unable to handle kernel paging request at ${hex16(f.address)}`, `PGD 3c01067 P4D 3c01067 PUD 0 `, `Oops: ${err.toString(16).padStart(4, "0")} [#1] SMP NOPTI`]
      : [
          `BUG: unable to handle page fault for address: ${hex16(f.address)}`,
          `#PF: supervisor ${f.write ? "write" : "read"} access in kernel mode`,
          `#PF: error_code(0x${err.toString(16).padStart(4, "0")}) - not-present page`,
          `PGD 3c01067 P4D 3c01067 PUD 0 `,
          `Oops: Oops: ${err.toString(16).padStart(4, "0")} [#1] PREEMPT SMP NOPTI`,
        ];
  return [
    ...head,
    ...cpuLine(c),
    ...x86Registers(c, f.func),
    `CR2: ${hex16(f.address)} CR3: 00000001${c.rng.int(0x1000000, 0xfffffff).toString(16)}000 CR4: 0000000000770ef0`,
    ...callTrace(c, f.stack),
    modulesLinkedIn(c.modules),
    `CR2: ${hex16(f.address)}`,
    endTrace(),
  ];
}

/** x86 general protection fault on a non-canonical pointer (often the bytes of foreign data). */
export function x86GeneralProtection(c: ReportContext, g: { address: bigint; func: string; stack: string[] }): string[] {
  return [
    c.machine.era === "legacy"
      ? "general protection fault: 0000 [#1] SMP NOPTI"
      : `Oops: general protection fault, probably for non-canonical address 0x${g.address.toString(16)}: 0000 [#1] PREEMPT SMP NOPTI`,
    ...cpuLine(c),
    ...x86Registers(c, g.func, { rax: g.address }),
    `CR2: 00007f${c.rng.int(0x10000000, 0xffffffff).toString(16)}0000 CR3: 00000001${c.rng.int(0x1000000, 0xfffffff).toString(16)}000 CR4: 0000000000770ef0`,
    ...callTrace(c, g.stack),
    modulesLinkedIn(c.modules),
    endTrace(),
  ];
}

/** powerpc `BUG: Unable to handle kernel data access on write at 0x...` oops with banner and registers. */
export function ppcDataAccess(c: ReportContext, f: { address: bigint; write: boolean; func: string; caller: string; stack: string[] }): string[] {
  const m = c.machine;
  return [
    m.era === "legacy"
      ? `Unable to handle kernel paging request for data at address 0x${hex16(f.address)}`
      : `BUG: Unable to handle kernel data access on ${f.write ? "write" : "read"} at 0x${hex16(f.address)}`,
    `Faulting instruction address: 0x${hex16(c.symbols.addressIn(f.func))}`,
    `Oops: Kernel access of bad area, sig: 11 [#1]`,
    powerpcBanner(m),
    modulesLinkedIn(c.modules),
    ...cpuLine(c),
    ...ppcRegisters(c, f.func, f.caller, 0x300, f.address, f.write ? 0x42000000 : 0x40000000),
    ...callTrace(c, f.stack),
    `Code: 7c0802a6 fbe1fff8 f8010010 f821ffa1 7c7f1b78 e9230008 <e9490000> 2c2a0000 41820010 `,
    endTrace(),
  ];
}

/** `LE PAGE_SIZE=64K MMU=Hash SMP NR_CPUS=2048 NUMA pSeries`: endianness and page size. */
export function powerpcBanner(m: SimMachine): string {
  const size = m.pageSize >= 1 << 20 ? `${m.pageSize >> 20}M` : `${m.pageSize >> 10}K`;
  return `${m.endianness === "little" ? "LE" : "BE"} PAGE_SIZE=${size} MMU=Hash SMP NR_CPUS=2048 NUMA pSeries`;
}

// ---------------------------------------------------------------- IOMMU and DMA-API

/** Intel VT-d: `DMAR: [DMA Write NO_PASID] Request device [05:00.0] fault addr 0x... [fault reason 0x05] ...` */
export function dmarFault(device: string, iova: bigint, write: boolean, legacy: boolean): string[] {
  const bdf = device.slice(5); // "0000:05:00.0" -> "05:00.0"
  const reason = write ? "[fault reason 0x05] PTE Write access is not set" : "[fault reason 0x06] PTE Read access is not set";
  if (legacy) return ["DMAR: DRHD: handling fault status reg 2", `DMAR: [DMA ${write ? "Write" : "Read"}] Request device [${bdf}] PASID ffffffff fault addr ${iova.toString(16)} ${reason}`];
  return ["DMAR: DRHD: handling fault status reg 2", `DMAR: [DMA ${write ? "Write" : "Read"} NO_PASID] Request device [${bdf}] fault addr 0x${iova.toString(16)} ${reason}`];
}

/** AMD-Vi: `ixgbe 0000:05:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x0035 address=0x... flags=0x0020]` */
export function amdViFault(driver: string, device: string, iova: bigint, domain: number): string[] {
  return [`${driver} ${device}: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x${domain.toString(16).padStart(4, "0")} address=0x${iova.toString(16)} flags=0x0020]`];
}

/** ARM SMMU (arm-smmu.c): `arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x402, iova=0x..., ...`; names the stream, not the device. */
export function smmuContextFault(smmu: string, iova: bigint, streamId: number, cb: number): string[] {
  return [`arm-smmu ${smmu}: Unhandled context fault: fsr=0x402, iova=0x${iova.toString(16).padStart(8, "0")}, fsynr=0x1d0003, cbfrsynra=0x${streamId.toString(16)}, cb=${cb}`];
}

/** kernel/dma/debug.c check_unmap warnings, printed inside a WARNING splat. */
export function dmaApiWarning(
  c: ReportContext,
  w: { driver: string; device: string; dmaAddress: bigint; kind: "not-allocated" | "different-size"; size: number; unmapSize?: number; stack: string[] },
): string[] {
  const addr = "0x" + hex16(w.dmaAddress);
  const message =
    w.kind === "not-allocated"
      ? `DMA-API: ${w.driver} ${w.device}: device driver tries to free DMA memory it has not allocated [device address=${addr}] [size=${w.size} bytes]`
      : `DMA-API: ${w.driver} ${w.device}: device driver frees DMA memory with different size [device address=${addr}] [map size=${w.size} bytes] [unmap size=${w.unmapSize ?? 0} bytes]`;
  return [
    "------------[ cut here ]------------",
    message,
    `WARNING: CPU: ${c.cpu} PID: ${c.pid} at kernel/dma/debug.c:${w.kind === "not-allocated" ? 1021 : 1034} check_unmap+0x${c.rng.int(0x100, 0x7ff).toString(16)}/0x8f0`,
    modulesLinkedIn(c.modules),
    ...cpuLine(c),
    ...x86Registers(c, "check_unmap"),
    ...callTrace(c, ["debug_dma_unmap_page", "dma_unmap_page_attrs", ...w.stack]),
    endTrace(),
  ];
}

// ---------------------------------------------------------------- memory hot-remove (pseries)

export function pseriesHotRemoveAttempt(lmbs: number, drcIndex: number): string {
  return `pseries-hotplug-mem: Attempting to hot-remove ${lmbs} LMB(s) at ${drcIndex.toString(16).padStart(8, "0")}`;
}

export function pseriesHotRemoved(physStart: bigint, drcIndex: number): string {
  return `Memory at ${physStart.toString(16)} (drc index ${drcIndex.toString(16)}) was hot-removed`;
}

export function pseriesHotRemoveFailed(): string {
  return "pseries-hotplug-mem: Memory hot-remove failed, adding LMB's back";
}

export function offliningFailed(start: bigint, end: bigint, reason: string): string {
  return `memory offlining [mem 0x${start.toString(16).padStart(16, "0")}-0x${(end - 1n).toString(16).padStart(16, "0")}] failed due to ${reason}`;
}

export function migratingPfnFailed(pfn: bigint, ret: number): string {
  return `migrating pfn ${pfn.toString(16)} failed ret:${ret}`;
}
