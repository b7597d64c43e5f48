/** Per-architecture machine facts (formats.md §5) and what a bundle says about its machine. */
export type Arch = "x86_64" | "ppc64le" | "ppc64" | "arm64";
export const ARCHES: readonly Arch[] = ["x86_64", "ppc64le", "ppc64", "arm64"];

export type Endianness = "little" | "big";

export interface MachineFacts {
  arch: Arch;
  /** Bytes per base page. */
  pageSize: number;
  /** Bytes per cache line. */
  cacheLine: number;
  endianness: Endianness;
  /** Start of the kernel's linear map (physical = virtual - base); null where unknown (arm64 without VMCOREINFO). */
  linearMapBase: bigint | null;
}

/** What one artifact suggests about the machine; merged by `resolveMachine`. */
export interface MachineHints {
  arch?: Arch;
  pageSize?: number;
  cacheLine?: number;
  endianness?: Endianness;
  linearMapBase?: bigint;
  kernel?: string;
  /** Where the hint came from, e.g. "console.log:12". */
  source?: string;
}

export const ARCH_DEFAULTS: Record<Arch, MachineFacts> = {
  x86_64: { arch: "x86_64", pageSize: 4096, cacheLine: 64, endianness: "little", linearMapBase: 0xffff888000000000n },
  ppc64le: { arch: "ppc64le", pageSize: 65536, cacheLine: 128, endianness: "little", linearMapBase: 0xc000000000000000n },
  ppc64: { arch: "ppc64", pageSize: 65536, cacheLine: 128, endianness: "big", linearMapBase: 0xc000000000000000n },
  arm64: { arch: "arm64", pageSize: 4096, cacheLine: 64, endianness: "little", linearMapBase: null },
};

export function isArch(value: unknown): value is Arch {
  return typeof value === "string" && (ARCHES as readonly string[]).includes(value);
}

/** Distribution kernel releases end in their arch: 6.12.0-55.el10.ppc64le, 5.14.0-427.el9.x86_64, ...aarch64. */
export function archFromRelease(release: string): Arch | null {
  const m = /[.-](x86_64|ppc64le|ppc64|aarch64|arm64)(?:\+\w+)?$/.exec(release.trim());
  if (!m) return null;
  return m[1] === "aarch64" ? "arm64" : (m[1] as Arch);
}

/**
 * Merge hints into facts. Explicit settings (CLI --arch, config) win over the bundle's hints,
 * and the first hint that states a fact wins over later ones. x86_64 is the fallback arch.
 */
export function resolveMachine(
  hints: readonly MachineHints[],
  explicit: { arch?: Arch; pageSize?: number } = {},
): MachineFacts {
  const first = <K extends keyof MachineHints>(key: K): MachineHints[K] | undefined =>
    hints.find((h) => h[key] !== undefined)?.[key];
  const fromRelease = hints.map((h) => (h.kernel ? archFromRelease(h.kernel) : null)).find((a) => a !== null);
  const arch = explicit.arch ?? first("arch") ?? fromRelease ?? "x86_64";
  const base = ARCH_DEFAULTS[arch];
  return {
    arch,
    pageSize: explicit.pageSize ?? first("pageSize") ?? base.pageSize,
    cacheLine: first("cacheLine") ?? base.cacheLine,
    endianness: first("endianness") ?? base.endianness,
    linearMapBase: first("linearMapBase") ?? base.linearMapBase,
  };
}
