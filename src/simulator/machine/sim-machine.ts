import { ARCH_DEFAULTS, type Arch, type Endianness } from "../../analysis/model/machine.js";

/**
 * Which kernel generation prints the bundle: `current` (6.12: caller tags possible, 5 ftrace flag
 * columns, hex pfns, "slab-use-after-free", "probably for non-canonical address") or `legacy`
 * (4.18, as RHEL 8: 4 flag columns, decimal pfns, "use-after-free", "general protection fault:
 * 0000", "unable to handle kernel paging request", "INFO:" SLUB lines, no <TASK> markers).
 */
export type KernelEra = "current" | "legacy";

/** The simulated machine: arch facts plus what its console prints about itself. */
export interface SimMachine {
  era: KernelEra;
  arch: Arch;
  pageSize: number;
  pageShift: number;
  cacheLine: number;
  endianness: Endianness;
  linearMapBase: bigint;
  /** Kernel text starts here (System.map addresses, call-trace return addresses). */
  textBase: bigint;
  kernel: string;
  hardware: string;
  cpus: number;
}

const KERNELS: Record<Arch, string> = {
  x86_64: "6.12.0-55.9.1.el10_0.x86_64",
  ppc64le: "6.12.0-55.9.1.el10_0.ppc64le",
  ppc64: "6.12.0-55.9.1.el10_0.ppc64",
  arm64: "6.12.0-55.9.1.el10_0.aarch64",
};

const HARDWARE: Record<Arch, string> = {
  x86_64: "Dell Inc. PowerEdge R760/0WMWCR, BIOS 2.3.5 09/10/2024",
  ppc64le: "IBM,9009-42A POWER9 (architected) 0x4e1202 0xf000005 of:IBM,FW950.B0 (VL950_149) hv:phyp pSeries",
  ppc64: "IBM,9009-42A POWER9 (architected) 0x4e1202 0xf000005 of:IBM,FW950.B0 (VL950_149) hv:phyp pSeries",
  arm64: "Ampere Computing LLC Mt.Jade/Mt.Jade, BIOS 2.10.20230517 05/17/2023",
};

const LEGACY_KERNELS: Record<Arch, string> = {
  x86_64: "4.18.0-553.16.1.el8_10.x86_64",
  ppc64le: "4.18.0-553.16.1.el8_10.ppc64le",
  ppc64: "4.18.0-553.16.1.el8_10.ppc64",
  arm64: "4.18.0-553.16.1.el8_10.aarch64",
};

export function simMachine(arch: Arch, pageSize?: number, era: KernelEra = "current"): SimMachine {
  const facts = ARCH_DEFAULTS[arch];
  const size = pageSize ?? facts.pageSize;
  if ((size & (size - 1)) !== 0 || size < 4096) throw new Error(`page size ${size} is not a power of two of at least 4096`);
  return {
    era,
    arch,
    pageSize: size,
    pageShift: Math.log2(size),
    cacheLine: facts.cacheLine,
    endianness: facts.endianness,
    linearMapBase: facts.linearMapBase ?? 0xffff000000000000n,
    textBase: arch === "x86_64" ? 0xffffffff81000000n : arch === "arm64" ? 0xffff800080000000n : 0xc000000000000000n,
    kernel: era === "legacy" ? LEGACY_KERNELS[arch] : KERNELS[arch],
    hardware: HARDWARE[arch],
    cpus: arch === "x86_64" ? 32 : 16,
  };
}

export function isPowerPc(m: SimMachine): boolean {
  return m.arch === "ppc64le" || m.arch === "ppc64";
}
