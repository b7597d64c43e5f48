import type { Arch, MachineFacts } from "../model/machine.js";

/**
 * The kernel's linear map (formats.md §5): physical = virtual - base inside it. Its size bounds
 * which virtual addresses may be converted: beyond it lie vmalloc, vmemmap and kernel text.
 */
const LINEAR_MAP_SIZE: Record<Arch, bigint> = {
  x86_64: 0x400000000000n, // 64 TiB with 4-level paging
  ppc64le: 0x0008000000000000n, // radix: 0xc000.. up to the vmalloc start at 0xc008..
  ppc64: 0x0008000000000000n,
  arm64: 0x0001000000000000n,
};

export function linearMapSize(arch: Arch): bigint {
  return LINEAR_MAP_SIZE[arch];
}

/** Highest physical address any dump we read could name (52-bit physical address space). */
export const MAX_PHYSICAL = 1n << 52n;

export function inLinearMap(addr: bigint, machine: MachineFacts): boolean {
  const base = machine.linearMapBase;
  return base !== null && addr >= base && addr - base < LINEAR_MAP_SIZE[machine.arch];
}

/** Physical address of a linear-map address, or null outside the map. */
export function linearToPhysical(addr: bigint, machine: MachineFacts): bigint | null {
  return inLinearMap(addr, machine) ? addr - (machine.linearMapBase as bigint) : null;
}

export function physicalToLinear(phys: bigint, machine: MachineFacts): bigint | null {
  return machine.linearMapBase === null ? null : BigInt.asUintN(64, machine.linearMapBase + phys);
}

/**
 * What an address printed by a dump or a crash report means physically: small addresses are
 * physical already, linear-map addresses convert, anything else (vmalloc, text) cannot be
 * converted without page tables.
 */
export function toPhysical(addr: bigint, machine: MachineFacts): bigint | null {
  if (addr < MAX_PHYSICAL) return addr;
  return linearToPhysical(addr, machine);
}
