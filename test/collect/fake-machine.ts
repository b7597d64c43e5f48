import { chmod, mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** A fake /sys/kernel/tracing, /proc and command set for running scripts/casefile-collect in tests. */

export interface LoadSegment {
  paddr: bigint;
  data: Buffer;
}

/** An ELF64 core whose PT_LOAD segments map physical addresses; a first non-RAM segment has p_paddr -1 as in /proc/kcore. */
export function elfCore(segments: LoadSegment[], endian: "le" | "be"): Buffer {
  const phnum = segments.length + 1;
  const header = Buffer.alloc(64);
  const le = endian === "le";
  const u16 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  const u32 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
  const u64 = (b: Buffer, v: bigint, o: number) => (le ? b.writeBigUInt64LE(v, o) : b.writeBigUInt64BE(v, o));
  header.write("\x7fELF", 0, "latin1");
  header[4] = 2;
  header[5] = le ? 1 : 2;
  header[6] = 1;
  u16(header, 4, 16); // ET_CORE
  u64(header, 64n, 0x20);
  u16(header, 56, 0x36);
  u16(header, phnum, 0x38);
  const phdrs = Buffer.alloc(56 * phnum);
  let offset = 0x1000;
  const bodies: Buffer[] = [];
  // vmalloc-like segment without a physical address
  u32(phdrs, 1, 0);
  u64(phdrs, BigInt(offset), 8);
  u64(phdrs, 0xffffffffffffffffn, 24);
  u64(phdrs, 0x1000n, 32);
  bodies.push(Buffer.alloc(0x1000, 0xee));
  offset += 0x1000;
  segments.forEach((s, i) => {
    const o = 56 * (i + 1);
    u32(phdrs, 1, o);
    u64(phdrs, BigInt(offset), o + 8);
    u64(phdrs, s.paddr, o + 24);
    u64(phdrs, BigInt(s.data.length), o + 32);
    u64(phdrs, BigInt(s.data.length), o + 40);
    bodies.push(s.data);
    offset += s.data.length;
  });
  const head = Buffer.concat([header, phdrs]);
  return Buffer.concat([head, Buffer.alloc(0x1000 - head.length), ...bodies]);
}

async function put(path: string, content: string | Buffer, mode?: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
  if (mode) await chmod(path, mode);
}

export const CONSOLE_LOG = `[    0.000000] Linux version 6.12.0-test (builder@host) (gcc 13) #1 SMP PREEMPT_DYNAMIC
[  812.000456] mlx5_core 0000:01:00.0: firmware version: 16.35.2000
[  812.100000] BUG: unable to handle page fault for address: ffff88802b3c4010
[  812.100001] #PF: supervisor write access in kernel mode
`;

export const TRACE = `# tracer: nop
#
            java-4242    [007] .....   810.932786: mm_page_alloc: page=000000009af26054 pfn=0x2b3c4 order=0 migratetype=0 gfp_flags=GFP_KERNEL
     kworker/7:1-311     [007] .....   810.933001: dma_map_page: 0000:01:00.0 dir=FROM_DEVICE dma_addr=fffff000 size=4096 phys_addr=2b3c4000 attrs=
`;

/** The bytes the fake memory holds at physical 0x2b3c4000. */
export const PAGE_PATTERN = Buffer.from("casefile-page-0x2b3c4000-contents", "latin1");

export interface FakeMachine {
  root: string;
  bin: string;
  tmp: string;
  env: NodeJS.ProcessEnv;
}

export async function makeFakeMachine(dir: string, opts: { lspci?: boolean } = {}): Promise<FakeMachine> {
  const root = join(dir, "root");
  const bin = join(dir, "bin");
  const tmp = join(dir, "tmp");
  await mkdir(tmp, { recursive: true });
  const t = join(root, "sys/kernel/tracing");
  await put(join(t, "tracing_on"), "0\n");
  await put(join(t, "buffer_size_kb"), "7 (expanded: 1408)\n"); // as a fresh boot shows it
  await put(join(t, "options/overwrite"), "1\n");
  await put(join(t, "trace_clock"), "local [global] counter uptime perf mono mono_raw boot\n");
  await put(join(t, "trace"), TRACE);
  await put(join(t, "per_cpu/cpu0/stats"), "entries: 10\noverrun: 0\n");
  for (const ev of ["dma/dma_map_page", "dma/dma_unmap_page", "kmem/mm_page_alloc", "exceptions/page_fault_kernel", "exceptions/page_fault_user"]) {
    await put(join(t, "events", ev, "enable"), "0\n");
  }
  await put(join(t, "events/kmem/mm_page_free/enable"), "1\n"); // already on: arm must leave it to its owner
  await put(join(root, "proc/cpuinfo"), "processor\t: 0\nprocessor\t: 1\n");
  await put(join(root, "proc/meminfo"), "MemTotal:        4000000 kB\n");
  await put(join(root, "proc/version"), "Linux version 6.12.0-test (builder@host) (gcc 13) #1 SMP\n");
  await put(join(root, "proc/kallsyms"), "ffffffff81000000 T _stext\nffffffff81000040 T secondary_startup_64\n");
  const ram = Buffer.alloc(0x10000, 0);
  PAGE_PATTERN.copy(ram, 0x4000);
  await put(join(root, "proc/kcore"), elfCore([{ paddr: 0x2b3c0000n, data: ram }], "le"));
  await mkdir(join(root, "etc/systemd/system"), { recursive: true });
  await put(join(root, "sys/bus/pci/devices/0000:01:00.0/class"), "0x020000\n");
  await put(join(root, "sys/bus/pci/devices/0000:01:00.0/vendor"), "0x15b3\n");
  await put(join(root, "sys/bus/pci/devices/0000:01:00.0/device"), "0x1017\n");

  const sh = (body: string) => `#!/bin/sh\n${body}\n`;
  // FAKE_ARCH / FAKE_PAGESIZE let a test play ppc64le with 64K pages.
  await put(join(bin, "uname"), sh('case "$1" in -m) echo "${FAKE_ARCH:-x86_64}" ;; -r) echo 6.12.0-test ;; -n) echo testhost ;; *) echo Linux ;; esac'), 0o755);
  await put(join(bin, "getconf"), sh('case "$1" in PAGESIZE|PAGE_SIZE) echo "${FAKE_PAGESIZE:-4096}" ;; LEVEL1_DCACHE_LINESIZE) echo 64 ;; *) exit 1 ;; esac'), 0o755);
  await put(join(bin, "dmesg"), sh(`cat <<'EOF'\n${CONSOLE_LOG}EOF`), 0o755);
  await put(join(bin, "systemctl"), sh('echo "$*" >> "$CASEFILE_ROOT/systemctl.log"'), 0o755);
  // Without pciutils (a failing lspci shadows any real one), the script falls back to sysfs.
  const lspci = opts.lspci === false ? "exit 127" : "printf '0000:01:00.0 Ethernet controller: Mellanox Technologies MT27800 Family [ConnectX-5]\\n\\tKernel driver in use: mlx5_core\\n\\tKernel modules: mlx5_core\\n'";
  await put(join(bin, "lspci"), sh(lspci), 0o755);
  const env = { ...process.env, CASEFILE_ROOT: root, PATH: `${bin}:${process.env.PATH}`, TMPDIR: tmp, CASEFILE_MEASURE_MB: "1", LC_ALL: "C" };
  return { root, bin, tmp, env };
}
