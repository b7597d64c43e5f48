import type { Alignment } from "../../analysis/model/region.js";
import type { ScenarioContext, SimDevice } from "../model/scenario-plan.js";
import type { DmaDirection, SimTraceEvent } from "../model/sim-trace-event.js";
import type { Truth } from "../model/truth.js";
import type { SimMachine } from "../machine/sim-machine.js";
import { isPowerPc } from "../machine/sim-machine.js";
import { bootBanner, ConsoleLog, devPrintk, type ReportContext } from "../writers/console-log-writer.js";

/** Shared building blocks of the scenarios: devices, trace events, frames, truth regions. */

export const MLX5_PPC: SimDevice = {
  address: "0001:01:00.0",
  className: "Ethernet controller",
  name: "Mellanox Technologies MT2894 Family [ConnectX-6 Lx]",
  subsystem: "IBM Device 0657",
  driver: "mlx5_core",
  modules: ["mlx5_core"],
};
export const NVME_X86: SimDevice = {
  address: "0000:03:00.0",
  className: "Non-Volatile memory controller",
  name: "Samsung Electronics Co Ltd NVMe SSD Controller PM174X",
  subsystem: "Dell Device 2168",
  driver: "nvme",
  modules: ["nvme"],
};
export const ICE_X86: SimDevice = {
  address: "0000:5e:00.0",
  className: "Ethernet controller",
  name: "Intel Corporation Ethernet Controller E810-C for QSFP (rev 02)",
  subsystem: "Intel Corporation Ethernet Network Adapter E810-C-Q2",
  driver: "ice",
  modules: ["ice"],
};
export const IXGBE_X86: SimDevice = {
  address: "0000:05:00.0",
  className: "Ethernet controller",
  name: "Intel Corporation 82599ES 10-Gigabit SFI/SFP+ Network Connection (rev 01)",
  subsystem: "Intel Corporation Ethernet Server Adapter X520-2",
  driver: "ixgbe",
  modules: ["ixgbe"],
};
export const AHCI_X86: SimDevice = {
  address: "0000:00:17.0",
  className: "SATA controller",
  name: "Intel Corporation C620 Series Chipset Family SATA Controller [AHCI mode] (rev 09)",
  subsystem: "Dell Device 0716",
  driver: "ahci",
  modules: ["ahci"],
};
export const MLX5_X86: SimDevice = { ...MLX5_PPC, address: "0000:17:00.0", subsystem: "Mellanox Technologies Device 0020" };

/** The boot-time lines that pair each device with its driver (dev_printk). */
export function deviceLines(devices: readonly SimDevice[]): string[] {
  const out: string[] = [];
  for (const d of devices) {
    switch (d.driver) {
      case "mlx5_core":
        out.push(devPrintk(d.driver, d.address, "enabling device (0140 -> 0142)"), devPrintk(d.driver, d.address, "firmware version: 26.41.1000"), devPrintk(d.driver, d.address, "Rate limit: 127 rates are supported, range: 0Mbps to 97656Mbps"));
        break;
      case "nvme":
        out.push("nvme nvme0: pci function " + d.address, devPrintk(d.driver, d.address, "platform quirk: setting simple suspend"), "nvme nvme0: 32/0/0 default/read/poll queues");
        break;
      case "ice":
        out.push(devPrintk(d.driver, d.address, "The DDP package was successfully loaded: ICE OS Default Package version 1.3.36.0"), devPrintk(d.driver, d.address, "PTP init successful"));
        break;
      case "ixgbe":
        out.push(devPrintk(d.driver, d.address, "Multiqueue Enabled: Rx Queue count = 63, Tx Queue count = 63 XDP Queue count = 0"), devPrintk(d.driver, d.address, "Intel(R) 10 Gigabit Network Connection"));
        break;
      default:
        out.push(devPrintk(d.driver, d.address, "version 3.0"));
    }
  }
  return out;
}

/** A console log with the boot banner and device lines already in it. */
export function bootedConsole(ctx: ScenarioContext, devices: readonly SimDevice[]): ConsoleLog {
  const log = new ConsoleLog({ callerTag: ctx.callerTag });
  const m = ctx.machine;
  const cmdline = isPowerPc(m)
    ? `BOOT_IMAGE=(ieee1275//vdevice/v-scsi@30000065/disk@8100000000000000,msdos2)/vmlinuz-${m.kernel} root=/dev/mapper/rhel-root ro crashkernel=2G-4G:384M,4G-16G:512M,16G-64G:1G,64G-128G:2G,128G-:4G trace_event=dma:*,mm_page_alloc,mm_page_free trace_buf_size=256M`
    : `BOOT_IMAGE=(hd0,gpt2)/vmlinuz-${m.kernel} root=/dev/mapper/rhel-root ro crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M intel_iommu=on trace_event=dma:*,mm_page_alloc,mm_page_free`;
  const t = log.add(0, "T0", bootBanner(m, cmdline));
  log.add(t + 1.5 + ctx.rng.next(), "T1", deviceLines(devices), 0.01);
  return log;
}

export function reportContext(ctx: ScenarioContext, who: { cpu: number; pid: number; comm: string; uid?: number; tainted?: string }, modules: string[]): ReportContext {
  return { machine: ctx.machine, symbols: ctx.symbols, rng: ctx.rng, modules, ...who };
}

export function defaultModules(m: SimMachine, extra: string[]): string[] {
  const base = isPowerPc(m)
    ? ["nft_fib_inet", "nft_reject_inet", "rfkill", "ip_set", "nf_tables", "sunrpc", "pseries_rng", "vmx_crypto", "xfs", "sd_mod", "sg", "ibmvscsi", "scsi_transport_srp", "ibmveth"]
    : ["nft_fib_inet", "nft_reject_inet", "rfkill", "ip_set", "nf_tables", "sunrpc", "intel_rapl_msr", "kvm_intel", "kvm", "xfs", "sd_mod", "sg", "ahci", "libahci", "crct10dif_pclmul"];
  return [...extra, ...base];
}

// ---------------------------------------------------------------- trace events

export interface Who {
  cpu: number;
  task: string;
  pid: number;
}

const hashOf = (n: number): string => ((n * 2654435761) % 0xffffffff >>> 0).toString(16).padStart(16, "0");

export function evMap(ts: number, w: Who, device: string, phys: number, size: number, dmaAddr: number, dir: DmaDirection = "FROM_DEVICE"): SimTraceEvent {
  return { ts, ...w, key: true, name: "dma_map_page", device, dir, dmaAddr, size, phys };
}

export function evUnmap(ts: number, w: Who, device: string, size: number, dmaAddr: number, dir: DmaDirection = "FROM_DEVICE"): SimTraceEvent {
  return { ts, ...w, key: true, name: "dma_unmap_page", device, dir, dmaAddr, size };
}

export function evAlloc(ts: number, w: Who, pfn: number, gfp = "GFP_KERNEL", order = 0, migratetype = 0): SimTraceEvent {
  return { ts, ...w, key: true, name: "mm_page_alloc", pfn, order, migratetype, gfp, page: hashOf(pfn) };
}

export function evFree(ts: number, w: Who, pfn: number, order = 0): SimTraceEvent {
  return { ts, ...w, key: true, name: "mm_page_free", pfn, order, page: hashOf(pfn) };
}

/** An earlier, clean life of a frame: allocated, mapped, unmapped, freed. A decoy for naive greps. */
export function cleanDmaLife(t: number, w: Who, device: string, pfn: number, pageSize: number, dmaAddr: number): SimTraceEvent[] {
  const phys = pfn * pageSize;
  return [
    evAlloc(t, w, pfn, "GFP_ATOMIC|__GFP_NOWARN"),
    evMap(t + 0.000011, w, device, phys, pageSize, dmaAddr),
    evUnmap(t + 0.0021, w, device, pageSize, dmaAddr),
    evFree(t + 0.0023, w, pfn),
  ];
}

/** Marks events as decoys: on the frame's history, but not part of the story. */
export function asDecoys(events: readonly SimTraceEvent[]): SimTraceEvent[] {
  return events.map((e) => ({ ...e, key: false }));
}

/**
 * The case frame's two neighbours, each allocated and mapped by one task, then unmapped and freed
 * properly by another, at IOVAs beside the case's: decoys for a reader that only greps addresses.
 */
export function neighbourDmaLives(life: {
  pfn: number;
  pageSize: number;
  device: string;
  iova: number;
  mapper: Who;
  gfp: string;
  allocAt: number;
  mapAt: number;
  unmapper: Who;
  unmapAt: number;
  freeAt: number;
}): SimTraceEvent[] {
  const { pfn, pageSize: page, device, iova } = life;
  const out: SimTraceEvent[] = [];
  for (const n of [pfn - 1, pfn + 1]) {
    const dmaAddr = iova + (n - pfn) * page;
    out.push(
      evAlloc(life.allocAt, life.mapper, n, life.gfp),
      evMap(life.mapAt, life.mapper, device, n * page, page, dmaAddr),
      evUnmap(life.unmapAt, life.unmapper, device, page, dmaAddr),
      evFree(life.freeAt, life.unmapper, n),
    );
  }
  return asDecoys(out);
}

/** The frames noise must leave alone: the case's frame and its two neighbours. */
export function frameAndNeighbours(pfn: number): Set<number> {
  return new Set([pfn - 1, pfn, pfn + 1]);
}

/** A frame of ordinary RAM away from the first and last GiB. */
export function pickFrame(ctx: ScenarioContext): number {
  const pages = Math.floor((64 * 2 ** 30) / ctx.machine.pageSize);
  return ctx.rng.int(Math.floor(pages / 16), pages - Math.floor(pages / 16));
}

/** IO virtual addresses as an IOMMU hands them out: high in the 32-bit window, page aligned. */
export function pickIova(ctx: ScenarioContext): number {
  return (0xf0000000 + ctx.rng.int(0, 0xfff) * ctx.machine.pageSize) % 2 ** 32 || 0xfffff000;
}

// ---------------------------------------------------------------- truth

export function alignmentOf(start: bigint, end: bigint, m: SimMachine): Alignment {
  const line = BigInt(m.cacheLine);
  if (start % BigInt(m.pageSize) === 0n) return "page";
  if (start % line === 0n && (end - start) % line === 0n) return "cache-line";
  if (start % 8n === 0n) return "word";
  return "unaligned";
}

export function truthRegion(start: bigint, end: bigint, m: SimMachine): NonNullable<Truth["region"]> {
  return { start: "0x" + start.toString(16), end: "0x" + end.toString(16), length: Number(end - start), alignment: alignmentOf(start, end, m) };
}

export function pfnHex(pfn: number | bigint): string {
  return "0x" + pfn.toString(16);
}

/** Printable ASCII? (Used to keep region edges crisp against foreign text.) */
export function isPrintable(b: number): boolean {
  return b >= 0x20 && b < 0x7f;
}
