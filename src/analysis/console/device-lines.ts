/**
 * Device-to-driver pairs from `dev_printk` lines: "<driver> <device>: message", e.g.
 * "mlx5_core 0000:01:00.0: firmware version: 16.35.2000". Only names that are clearly devices
 * count: PCI addresses (with or without the domain) and platform devices named by their MMIO
 * base ("15000000.iommu").
 */
import type { DeviceDriver } from "../model/region.js";
import type { ConsoleLine } from "./console-line.js";

const SHORT_BDF = /^[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;

/** PCI addresses always carry their domain here: "01:00.0" becomes "0000:01:00.0". */
export function normaliseBdf(device: string): string {
  const d = device.toLowerCase();
  return SHORT_BDF.test(d) ? `0000:${d}` : SHORT_BDF.test(d.slice(5)) ? d : device;
}

const DEV_PRINTK = /^([A-Za-z0-9_][A-Za-z0-9_-]{0,63}) ((?:[0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]|[0-9a-f]{4,16}\.[a-z][a-z0-9_-]{0,63}): /;

/** Bus and subsystem code that prints with a device name but is not the device's driver. */
const NOT_DRIVERS = new Set(["pci", "pci_bus", "pcieport_bus", "iommu", "DMAR", "DMA-API", "platform", "acpi", "ACPI", "of", "OF", "dma", "swiotlb", "resource"]);

/** The pair a dev_printk line states, or null. */
export function deviceDriverOf(line: ConsoleLine, source: string): DeviceDriver | null {
  const m = DEV_PRINTK.exec(line.text);
  if (!m || NOT_DRIVERS.has(m[1])) return null;
  return { device: normaliseBdf(m[2]), driver: m[1], source };
}

/** Collects unique device/driver pairs in order of first appearance. */
export class DeviceDriverCollector {
  private readonly seen = new Set<string>();
  readonly pairs: DeviceDriver[] = [];

  add(pair: DeviceDriver | null): void {
    if (!pair) return;
    const key = `${pair.device}\u0000${pair.driver}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.pairs.push(pair);
  }
}
