import { describe, expect, it } from "vitest";
import { KernelSymbols } from "../../src/simulator/machine/kernel-symbols.js";
import { simMachine } from "../../src/simulator/machine/sim-machine.js";
import { SeededRandom } from "../../src/simulator/random/seeded-random.js";
import {
  amdViFault,
  badPageState,
  ConsoleLog,
  dmaApiWarning,
  dmarFault,
  kasanReport,
  migratingPfnFailed,
  offliningFailed,
  powerpcBanner,
  pseriesHotRemoveAttempt,
  pseriesHotRemoved,
  pseriesHotRemoveFailed,
  slubReport,
  type ReportContext,
} from "../../src/simulator/writers/console-log-writer.js";
import { writeLspci } from "../../src/simulator/writers/lspci-writer.js";
import { writeSystemMap } from "../../src/simulator/writers/system-map-writer.js";

function context(arch: "x86_64" | "ppc64le" = "x86_64"): ReportContext {
  const machine = simMachine(arch);
  const rng = new SeededRandom(1);
  return { machine, symbols: new KernelSymbols(machine, rng), rng, cpu: 3, pid: 3131, comm: "find", modules: ["nvme", "xfs"] };
}

describe("console-log writer: the exact lines of formats.md §1", () => {
  it("stamps printk time and the optional caller tag", () => {
    const log = new ConsoleLog({ callerTag: true });
    log.add(812.000456, "T4242", ["hello"]);
    expect(log.render()).toBe("[  812.000456][ T4242] hello\n");
    const plain = new ConsoleLog({ callerTag: false });
    plain.add(5.5, "T1", ["a", "b"]);
    expect(plain.render()).toBe("[    5.500000] a\n[    5.500004] b\n");
  });

  it("writes a KASAN report with the title, access line, object bounds and page block", () => {
    const c = context();
    const lines = kasanReport(c, {
      bugType: "slab-out-of-bounds",
      frame: "ext4_htree_fill_tree",
      access: "Write",
      size: 4,
      address: 0xffff888012acfc20n,
      object: { start: 0xffff888012acfb58n, size: 192, cache: "kmalloc-192" },
      stack: ["ext4_htree_fill_tree"],
      allocStack: ["ext4_htree_store_dirent"],
      freeStack: null,
      allocPid: 1,
      freePid: 2,
      pfn: 0x12acfn,
    });
    expect(lines).toContain("==================================================================");
    expect(lines.find((l) => l.startsWith("BUG: KASAN:"))).toMatch(/^BUG: KASAN: slab-out-of-bounds in ext4_htree_fill_tree\+0x[0-9a-f]+\/0x[0-9a-f]+$/);
    expect(lines).toContain("Write of size 4 at addr ffff888012acfc20 by task find/3131");
    expect(lines).toContain("The buggy address is located 8 bytes to the right of");
    expect(lines).toContain(" allocated 192-byte region [ffff888012acfb58, ffff888012acfc18)");
    expect(lines).toContain("page: refcount:1 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x12acf");
  });

  it("writes SLUB's Poison overwritten range line with @offset and the first byte", () => {
    const c = context();
    const lines = slubReport(c, {
      cache: "kmalloc-256",
      what: "Poison overwritten",
      slabBase: 0xffff888088a2d000n,
      object: { start: 0xffff888088a2dd00n, size: 256, bytes: new Uint8Array(256).fill(0x6b) },
      range: { start: 0xffff888088a2dd18n, end: 0xffff888088a2dd20n, first: 0x1, expected: 0x6b },
      redzone: new Uint8Array(8).fill(0xbb),
      allocatedIn: ["tcp_sendmsg"],
      freedIn: ["kfree"],
      stack: ["kfree"],
      objectsPerSlab: 8,
    });
    expect(lines[1]).toBe("BUG kmalloc-256 (Not tainted): Poison overwritten");
    expect(lines).toContain("0xffff888088a2dd18-0xffff888088a2dd1f @offset=3352. First byte 0x1 instead of 0x6b");
    expect(lines.find((l) => l.startsWith("Object 0x"))).toMatch(/^Object 0xffff888088a2dd00 @offset=3328 fp=0x/);
    expect(lines.find((l) => l.startsWith("Object   "))).toBe("Object   ffff888088a2dd00: 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b  kkkkkkkkkkkkkkkk");
  });

  it("writes Bad page state with two spaces and a bare hex pfn", () => {
    expect(badPageState({ ...context(), comm: "kworker/u9:0" }, 0x687den, "nonzero mapcount", ["free_unref_page"])[0]).toBe("BUG: Bad page state in process kworker/u9:0  pfn:687de");
  });

  it("writes the IOMMU and DMA-API fault lines exactly", () => {
    expect(dmarFault("0000:05:00.0", 0x69974000n, true, false)[1]).toBe("DMAR: [DMA Write NO_PASID] Request device [05:00.0] fault addr 0x69974000 [fault reason 0x05] PTE Write access is not set");
    expect(dmarFault("0000:04:00.0", 0x69974000n, true, true)[1]).toBe("DMAR: [DMA Write] Request device [04:00.0] PASID ffffffff fault addr 69974000 [fault reason 0x05] PTE Write access is not set");
    expect(amdViFault("ahci", "0000:28:00.0", 0x7fffff00000n, 0x35)[0]).toBe("ahci 0000:28:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x0035 address=0x7fffff00000 flags=0x0020]");
    const warn = dmaApiWarning(context(), { driver: "qla2xxx", device: "0000:00:0a.0", dmaAddress: 0xc7b60000n, kind: "different-size", size: 4088, unmapSize: 512, stack: [] });
    expect(warn[1]).toBe("DMA-API: qla2xxx 0000:00:0a.0: device driver frees DMA memory with different size [device address=0x00000000c7b60000] [map size=4088 bytes] [unmap size=512 bytes]");
    expect(warn[2]).toMatch(/^WARNING: CPU: 3 PID: 3131 at kernel\/dma\/debug.c:\d+ check_unmap\+0x[0-9a-f]+\/0x8f0$/);
  });

  it("writes the memory hot-remove lines and the powerpc banner", () => {
    expect(pseriesHotRemoveAttempt(1, 0x80000011)).toBe("pseries-hotplug-mem: Attempting to hot-remove 1 LMB(s) at 80000011");
    expect(pseriesHotRemoved(0x20000000n, 0x80000011)).toBe("Memory at 20000000 (drc index 80000011) was hot-removed");
    expect(pseriesHotRemoveFailed()).toBe("pseries-hotplug-mem: Memory hot-remove failed, adding LMB's back");
    expect(offliningFailed(0x82600000000n, 0x82680000000n, "failure to isolate range")).toBe("memory offlining [mem 0x0000082600000000-0x000008267fffffff] failed due to failure to isolate range");
    expect(migratingPfnFailed(0x2b3c4n, -16)).toBe("migrating pfn 2b3c4 failed ret:-16");
    expect(powerpcBanner(simMachine("ppc64le"))).toBe("LE PAGE_SIZE=64K MMU=Hash SMP NR_CPUS=2048 NUMA pSeries");
    expect(powerpcBanner(simMachine("ppc64", 4096))).toBe("BE PAGE_SIZE=4K MMU=Hash SMP NR_CPUS=2048 NUMA pSeries");
  });

  it("writes powerpc call traces with stack pointer and return address, and a System.map that resolves them", () => {
    const c = context("ppc64le");
    const lines = kasanReport(c, {
      bugType: "use-after-free",
      frame: "mlx5e_poll_rx_cq",
      access: "Read",
      size: 8,
      address: 0xc000000012345678n,
      object: { start: 0xc000000012345600n, size: 256, cache: "kmalloc-256" },
      stack: ["mlx5e_poll_rx_cq"],
      allocStack: ["a"],
      freeStack: ["b"],
      allocPid: 1,
      freePid: 2,
      pfn: 0x1234n,
    });
    const frame = lines.find((l) => l.includes("] mlx5e_poll_rx_cq+"))!;
    const m = /^\[c[0-9a-f]{15}\] \[([0-9a-f]{16})\] mlx5e_poll_rx_cq\+0x([0-9a-f]+)\/0x([0-9a-f]+)$/.exec(frame);
    expect(m).not.toBeNull();
    const map = writeSystemMap(c.symbols.symbols());
    const entry = map.split("\n").find((l) => l.endsWith(" mlx5e_poll_rx_cq"))!;
    const start = BigInt("0x" + entry.split(" ")[0]);
    const ret = BigInt("0x" + m![1]);
    expect(ret >= start && ret < start + BigInt("0x" + m![3])).toBe(true);
  });

  it("writes lspci -k with the domain only when a device is outside domain 0000", () => {
    const fn = { className: "Ethernet controller", name: "Mellanox", subsystem: "IBM Device 0657", driver: "mlx5_core", modules: ["mlx5_core"] };
    expect(writeLspci([{ ...fn, address: "0001:01:00.0" }])).toBe("0001:01:00.0 Ethernet controller: Mellanox\n\tSubsystem: IBM Device 0657\n\tKernel driver in use: mlx5_core\n\tKernel modules: mlx5_core\n");
    expect(writeLspci([{ ...fn, address: "0000:05:00.0" }]).split("\n")[0]).toBe("05:00.0 Ethernet controller: Mellanox");
  });
});
