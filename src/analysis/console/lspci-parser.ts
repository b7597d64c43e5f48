/**
 * `lspci -k` output: a device line ("01:00.0 Ethernet controller: ...") followed by indented
 * details, among them "Kernel driver in use: mlx5_core". PCI addresses are normalised to carry
 * the domain ("01:00.0" becomes "0000:01:00.0") so they match dev_printk and trace device names.
 */
import type { DeviceDriver } from "../model/region.js";
import { normaliseBdf } from "./device-lines.js";

const DEVICE = /^((?:[0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]) \S/;
const DRIVER = /^\s+Kernel driver in use: (\S+)/;

export function parseLspci(text: string, name: string): DeviceDriver[] {
  const pairs: DeviceDriver[] = [];
  let device: string | null = null;
  let no = 0;
  let pos = 0;
  while (pos <= text.length) {
    let next = text.indexOf("\n", pos);
    if (next === -1) next = text.length;
    no++;
    const line = text.slice(pos, Math.min(next, pos + 1024));
    const d = DEVICE.exec(line);
    if (d) device = normaliseBdf(d[1]);
    else if (device !== null) {
      const m = DRIVER.exec(line);
      if (m) {
        pairs.push({ device, driver: m[1], source: `${name}:${no}` });
        device = null;
      }
    }
    if (next === text.length) break;
    pos = next + 1;
  }
  return pairs;
}
