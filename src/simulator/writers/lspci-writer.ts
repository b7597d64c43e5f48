/** A PCI function as `lspci -k` describes it. */
export interface PciFunction {
  /** Domain:bus:dev.fn, "0001:01:00.0". */
  address: string;
  /** "Ethernet controller", "Non-Volatile memory controller", ... */
  className: string;
  /** "Mellanox Technologies MT2894 Family [ConnectX-6 Lx]" */
  name: string;
  subsystem: string;
  driver: string | null;
  modules: string[];
}

/**
 * `lspci -k` output (formats.md §1: "Kernel driver in use:" pairs device and driver). lspci
 * prints the domain only when some device is outside domain 0000, as on pseries, so we do too.
 */
export function writeLspci(functions: readonly PciFunction[]): string {
  const showDomain = functions.some((f) => !f.address.startsWith("0000:"));
  let out = "";
  for (const f of functions) {
    out += `${showDomain ? f.address : f.address.slice(5)} ${f.className}: ${f.name}\n`;
    out += `\tSubsystem: ${f.subsystem}\n`;
    if (f.driver) out += `\tKernel driver in use: ${f.driver}\n`;
    if (f.modules.length > 0) out += `\tKernel modules: ${f.modules.join(", ")}\n`;
  }
  return out;
}
