import type { Arch, MachineHints } from "../model/machine.js";

/**
 * The VMCOREINFO note of a kdump core (formats.md §3): `KEY=value` lines such as
 * `OSRELEASE=6.12.0-55.el10.ppc64le`, `PAGESIZE=65536`, `SYMBOL(swapper_pg_dir)=c000000002e10000`,
 * `NUMBER(VA_BITS)=48`. Unknown keys are kept; malformed lines are skipped.
 */
export function parseVmcoreinfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\0+$/, "").trim();
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

const RELEASE_ARCH: Record<string, Arch> = { x86_64: "x86_64", ppc64le: "ppc64le", ppc64: "ppc64", aarch64: "arm64", arm64: "arm64" };

function num(value: string | undefined): bigint | null {
  if (value === undefined) return null;
  const v = value.trim();
  if (/^0x[0-9a-f]+$/i.test(v)) return BigInt(v);
  if (/^[0-9]+$/.test(v)) return BigInt(v);
  return null;
}

/** Machine hints from VMCOREINFO: page size, kernel release, arch (from the release suffix), linear map. */
export function vmcoreinfoHints(info: Record<string, string>, source: string): MachineHints {
  const hints: MachineHints = { source };
  const page = num(info.PAGESIZE);
  if (page !== null && page > 0n && (page & (page - 1n)) === 0n) hints.pageSize = Number(page);
  if (info.OSRELEASE) {
    hints.kernel = info.OSRELEASE;
    const suffix = /\.([a-z0-9_]+)$/.exec(info.OSRELEASE)?.[1];
    if (suffix && RELEASE_ARCH[suffix]) hints.arch = RELEASE_ARCH[suffix];
  }
  const pageOffset = num(info["NUMBER(PAGE_OFFSET)"]);
  const physOffset = num(info["NUMBER(PHYS_OFFSET)"]) ?? 0n;
  const vaBits = num(info["NUMBER(VA_BITS)"]);
  if (pageOffset !== null) {
    hints.linearMapBase = BigInt.asUintN(64, pageOffset - physOffset);
  } else if (vaBits !== null && vaBits > 0n && vaBits <= 52n) {
    // arm64: PAGE_OFFSET is -(1 << VA_BITS) since 5.4 (the flipped layout), -(1 << (VA_BITS - 1)) before.
    hints.arch ??= "arm64";
    const major = Number(/^(\d+)\.(\d+)/.exec(info.OSRELEASE ?? "")?.[1] ?? "6");
    const minor = Number(/^(\d+)\.(\d+)/.exec(info.OSRELEASE ?? "")?.[2] ?? "0");
    const flipped = major > 5 || (major === 5 && minor >= 4);
    const po = BigInt.asUintN(64, -(1n << (flipped ? vaBits : vaBits - 1n)));
    hints.linearMapBase = BigInt.asUintN(64, po - physOffset);
  }
  return hints;
}
