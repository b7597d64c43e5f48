import { describe, expect, it } from "vitest";
import { crashTraits, parseConsoleLog, parseLspci } from "../../src/analysis/console/index.js";

const KASAN_LOG = `[  812.000100][ T3131] ==================================================================
[  812.000456][ T3131] BUG: KASAN: slab-out-of-bounds in ext4_htree_fill_tree+0x6c1/0x9a0 fs/ext4/dir.c:567
[  812.000500][ T3131] Write of size 4 at addr ffff888012acfc20 by task find/3131
[  812.000510][ T3131]
[  812.000520][ T3131] CPU: 3 UID: 0 PID: 3131 Comm: find Not tainted 6.12.0 #1
[  812.000530][ T3131] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.3 04/01/2014
[  812.000540][ T3131] Call Trace:
[  812.000550][ T3131]  <TASK>
[  812.000560][ T3131]  __dump_stack lib/dump_stack.c:94 [inline]
[  812.000570][ T3131]  dump_stack_lvl+0x116/0x1f0 lib/dump_stack.c:120
[  812.000580][ T3131]  ? kasan_complete_mode_report_info+0x2a/0x200
[  812.000590][ T3131]  print_report+0xc3/0x620 mm/kasan/report.c:489
[  812.000600][ T3131]  kasan_report+0xd9/0x110 mm/kasan/report.c:602
[  812.000610][ T3131]  ext4_htree_fill_tree+0x6c1/0x9a0 fs/ext4/dir.c:567
[  812.000620][ T3131]  ext4_readdir+0x1a3/0x3a0 fs/ext4/dir.c:120
[  812.000630][ T3131]  iterate_dir+0x2a4/0x9b0 fs/readdir.c:106
[  812.000640][ T3131]  </TASK>
[  812.000650][ T3131]
[  812.000660][ T3131] Allocated by task 3131:
[  812.000670][ T3131]  kmalloc_trace+0x1d/0x60 mm/slub.c:4000
[  812.000680][ T3131]
[  812.000690][ T3131] The buggy address belongs to the object at ffff888012acfc00
[  812.000700][ T3131]  which belongs to the cache kmalloc-32 of size 32
[  812.000710][ T3131] The buggy address is located 0 bytes to the right of
[  812.000720][ T3131]  allocated 32-byte region [ffff888012acfc00, ffff888012acfc20)
[  812.000730][ T3131] page: refcount:1 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x2e36e
[  812.000740][ T3131] Modules linked in: mlx5_core(O) nvme
[  812.000750][    C1] mlx5_core 0000:01:00.0: firmware version: 16.35.2000
`;

describe("parseConsoleLog", () => {
  it("reads a KASAN report with all its fields", () => {
    const facts = parseConsoleLog(KASAN_LOG, "console.log");
    const c = facts.crash!;
    expect(c.title).toBe("KASAN: slab-out-of-bounds Write in ext4_htree_fill_tree");
    expect(c.kind).toBe("kasan");
    expect(c.frame).toBe("ext4_htree_fill_tree");
    expect(c.address).toBe("0xffff888012acfc20");
    expect(c.access).toBe("write");
    expect(c.size).toBe(4);
    expect(c.task).toBe("find");
    expect(c.pid).toBe(3131);
    expect(c.cpu).toBe(3);
    expect(c.kernel).toBe("6.12.0");
    expect(c.bugType).toBe("slab-out-of-bounds");
    expect(c.object).toEqual({ start: 0xffff888012acfc00n, size: 32, cache: "kmalloc-32" });
    expect(c.pfn).toBe(0x2e36en);
    expect(c.modules).toEqual(["mlx5_core", "nvme"]);
    expect(c.stack.slice(0, 6)).toEqual(["__dump_stack", "dump_stack_lvl", "print_report", "kasan_report", "ext4_htree_fill_tree", "ext4_readdir"]);
    expect(c.files.slice(0, 3)).toEqual(["lib/dump_stack.c", "mm/kasan/report.c", "fs/ext4/dir.c"]);
    expect(c.source).toBe("console.log:2");
    expect(c.text.split("\n")[0]).toBe("BUG: KASAN: slab-out-of-bounds in ext4_htree_fill_tree+0x6c1/0x9a0 fs/ext4/dir.c:567");
    expect(crashTraits(c)).toEqual({ memoryCorruption: true, verdict: "out-of-bounds" });
    expect(facts.kernel).toBe("6.12.0");
    expect(facts.devices).toEqual([{ device: "0000:01:00.0", driver: "mlx5_core", source: "console.log:28" }]);
  });

  it("gives crash: null for a log without a crash", () => {
    const facts = parseConsoleLog("[    0.000000] Linux version 6.12.0 (gcc) #1 SMP\n[    1.0] hello\n", "boot.log");
    expect(facts.crash).toBeNull();
    expect(facts.kernel).toBe("6.12.0");
  });

  it("reads SLUB poison ranges", () => {
    const log = [
      "=============================================================================",
      "BUG kmalloc-256 (Not tainted): Poison overwritten",
      "-----------------------------------------------------------------------------",
      "0xffff888088a2dd18-0xffff888088a2dd1f @offset=3352. First byte 0x1 instead of 0x6b",
      "Slab 0xffffea0002228b00 objects=13 used=13 fp=0x0000000000000000 flags=0x100000000010200(slab|head|node=0|zone=1)",
      "Object 0xffff888088a2dd00 @offset=3328 fp=0x0000000000000000",
      "CPU: 1 PID: 77 Comm: kworker/1:1 Not tainted 5.10.0 #1",
      "Call Trace:",
      " dump_stack+0x107/0x163",
      " check_bytes_and_report.cold+0x67/0x86",
      " check_object+0x211/0x280",
      " alloc_debug_processing+0x15a/0x1b0",
    ].join("\n");
    const c = parseConsoleLog(log, "c.log").crash!;
    expect(c.kind).toBe("slub-poison");
    expect(c.corrupted).toEqual({ start: 0xffff888088a2dd18n, end: 0xffff888088a2dd20n, firstByte: 1, expected: 0x6b });
    expect(c.object?.start).toBe(0xffff888088a2dd00n);
    expect(c.object?.cache).toBe("kmalloc-256");
  });

  it("reads Bad page state pfn as hex without 0x", () => {
    const log = "BUG: Bad page state in process kworker/u9:0  pfn:687de\npage dumped because: nonzero mapcount\n";
    const c = parseConsoleLog(log, "c.log").crash!;
    expect(c.kind).toBe("bad-page-state");
    expect(c.pfn).toBe(0x687den);
  });

  it("reads DMA-API and IOMMU faults with device and DMA address", () => {
    const dma = parseConsoleLog(
      "[  5.1] DMA-API: qla2xxx 0000:00:0a.0: device driver frees DMA memory with different size [device address=0x00000000c7b60000] [map size=4088 bytes] [unmap size=512 bytes]\n",
      "d.log",
    ).crash!;
    expect(dma.kind).toBe("dma-api");
    expect(dma.title).toBe("DMA-API: device driver frees DMA memory with different size");
    expect(dma.device).toBe("0000:00:0a.0");
    expect(dma.dmaAddress).toBe(0xc7b60000n);
    const intel = parseConsoleLog("DMAR: [DMA Write NO_PASID] Request device [05:00.0] fault addr 0x69974000 [fault reason 0x05] PTE Write access is not set\n", "i.log").crash!;
    expect(intel).toMatchObject({ kind: "iommu-fault", device: "0000:05:00.0", dmaAddress: 0x69974000n, access: "write" });
    const old = parseConsoleLog("DMAR: [DMA Write] Request device [04:00.0] PASID ffffffff fault addr 69974000 [fault reason 05] PTE Write access is not set\n", "o.log").crash!;
    expect(old).toMatchObject({ device: "0000:04:00.0", dmaAddress: 0x69974000n });
    const amd = parseConsoleLog("ahci 0000:28:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x0035 address=0x7fffff00000 flags=0x0000]\n", "a.log");
    expect(amd.crash).toMatchObject({ kind: "iommu-fault", device: "0000:28:00.0", dmaAddress: 0x7fffff00000n });
    expect(amd.devices).toEqual([{ device: "0000:28:00.0", driver: "ahci", source: "a.log:1" }]);
    const smmu = parseConsoleLog("arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x402, iova=0xfc401000, fsynr=0x32, cbfrsynra=0x0, cb=0\n", "s.log");
    expect(smmu.crash).toMatchObject({ kind: "iommu-fault", device: "15000000.iommu", dmaAddress: 0xfc401000n });
    expect(smmu.devices).toEqual([{ device: "15000000.iommu", driver: "arm-smmu", source: "s.log:1" }]);
  });

  it("does not take DMA-API boot messages for errors", () => {
    const boot = "[    0.5] DMA-API: preallocated 65536 debug entries\n[    0.5] DMA-API: debugging enabled by kernel config\n";
    expect(parseConsoleLog(boot, "b.log").crash).toBeNull();
    const touch = parseConsoleLog("[ 9.1] DMA-API: mlx5_core 0000:01:00.0: cpu touching an active dma mapped cacheline [cln=0x00000882300]\n", "t.log").crash!;
    expect(touch).toMatchObject({ kind: "dma-api", title: "DMA-API: cpu touching an active dma mapped cacheline", device: "0000:01:00.0" });
  });

  it("reads memory hot-remove and offline lines as layout events", () => {
    const log = [
      "[  700.100000] pseries-hotplug-mem: Attempting to hot-remove 1 LMB(s) at 80000011",
      "[  700.200000] Offlined Pages 4096",
      "[  700.300000] pseries-hotplug-mem: Memory at 20000000 (drc index 80000011) was hot-removed",
      "[  701.000000] memory offlining [mem 0x82600000000-0x8267fffffff] failed due to a failed isolation",
      "[  701.500000] migrating pfn 2b3c4 failed ret:-16",
    ].join("\n");
    const ev = parseConsoleLog(log, "m.log").layoutEvents;
    expect(ev.map((e) => e.event)).toEqual(["mem_offline", "mem_offline", "mem_offline_failed", "migrate_failed"]);
    expect(ev[1]).toMatchObject({ ts: 700.3, start: 0x20000000n, end: 0x30000000n, source: "m.log:3" });
    expect(ev[2]).toMatchObject({ start: 0x82600000000n, end: 0x82680000000n });
    expect(ev[3]).toMatchObject({ pfn: 0x2b3c4n, ts: 701.5 });
  });

  it("reads machine hints from the powerpc banner and registers", () => {
    const log = [
      "BUG: Unable to handle kernel data access on write at 0xc000000400000000",
      "Faulting instruction address: 0xc0000000000a1b2c",
      "Oops: Kernel access of bad area, sig: 11 [#1]",
      "LE PAGE_SIZE=64K MMU=Radix SMP NR_CPUS=2048 NUMA pSeries",
      "CPU: 3 UID: 0 PID: 4242 Comm: java Not tainted 6.12.0 #1",
      "NIP:  c0000000000a1b2c LR: c0000000000a1b00 CTR: 0000000000000000",
      "MSR:  8000000000009033 <SF,EE,ME,IR,DR,RI,LE>  CR: 44002222  XER: 00000000",
      "NIP [c0000000000a1b2c] memset+0x6c/0x100",
      "LR [c0000000000a1b00] mlx5_alloc+0x40/0x80 [mlx5_core]",
      "Call Trace:",
      "[c00000001f3cbd70] [c0000000000010d9] mlx5_alloc+0xa9/0x229 [mlx5_core] (unreliable)",
      "[c00000001f3cbdf0] [c0000000000020d9] mlx5_probe+0x19/0x29 [mlx5_core]",
    ].join("\n");
    const facts = parseConsoleLog(log, "p.log");
    expect(facts.machine[0]).toMatchObject({ arch: "ppc64le", endianness: "little", pageSize: 65536 });
    expect(facts.kernel).toBe("6.12.0");
    const c = facts.crash!;
    expect(c.title).toBe("BUG: unable to handle kernel paging request in mlx5_alloc");
    expect(c.address).toBe("0xc000000400000000");
    expect(c.access).toBe("write");
    expect(c.arch).toBe("ppc64le");
    expect(c.task).toBe("java");
  });

  it("reads an x86 page fault with its access", () => {
    const log = [
      "[  812.000456] BUG: unable to handle page fault for address: ffffc90003000000",
      "[  812.000457] #PF: supervisor write access in kernel mode",
      "[  812.000458] #PF: error_code(0x0002) - not-present page",
      "[  812.000459] Oops: 0002 [#1] PREEMPT SMP NOPTI",
      "[  812.000460] CPU: 3 PID: 4242 Comm: java Not tainted 6.12.0 #1",
      "[  812.000461] RIP: 0010:memcpy_orig+0x31/0x140",
      "[  812.000462] Call Trace:",
      "[  812.000463]  <TASK>",
      "[  812.000464]  mlx5e_skb_from_cqe_linear+0x1c/0x80 [mlx5_core]",
      "[  812.000465]  mlx5e_handle_rx_cqe+0x60/0x300 [mlx5_core]",
    ].join("\n");
    const c = parseConsoleLog(log, "x.log").crash!;
    expect(c.title).toBe("BUG: unable to handle kernel paging request in mlx5e_skb_from_cqe_linear");
    expect(c).toMatchObject({ address: "0xffffc90003000000", access: "write", arch: "x86_64", cpu: 3, pid: 4242 });
    expect(c.stack).toEqual(["mlx5e_skb_from_cqe_linear", "mlx5e_handle_rx_cqe"]);
  });
});

describe("parseConsoleLog edge cases", () => {
  it("takes big-endian powerpc from the banner over the register guess", () => {
    const log = [
      "Oops: Kernel access of bad area, sig: 11 [#1]",
      "BE PAGE_SIZE=4K MMU=Hash SMP NR_CPUS=2048 NUMA pSeries",
      "BUG: Unable to handle kernel data access on read at 0xc000000400000000",
      "NIP [c0000000000a1b2c] mlx5_read+0x6c/0x100",
      "Call Trace:",
      "[c00000001f3cbd70] [c0000000000010d9] mlx5_read+0xa9/0x229",
    ].join("\n");
    const facts = parseConsoleLog(log, "be.log");
    expect(facts.machine[0]).toMatchObject({ arch: "ppc64", endianness: "big", pageSize: 4096 });
    expect(facts.crash).toMatchObject({ arch: "ppc64", access: "read" });
  });

  it("needs a header to start a word: CAM_INFO: and BTF_INFO: are driver chatter", () => {
    expect(parseConsoleLog("[  3.9] CAM_INFO: CAM-ISP: probe complete\n[ 4.0] [1] INVALID BTF_INFO:72000001\n", "c.log").crash).toBeNull();
  });

  it("reads journalctl -k and dmesg -T logs like plain ones", () => {
    const body = [
      "BUG: unable to handle page fault for address: ffffc90003000000",
      "#PF: supervisor write access in kernel mode",
      "RIP: 0010:memcpy_orig+0x31/0x140",
      "Call Trace:",
      " <TASK>",
      " ? __die+0x1f/0x70",
      " mlx5e_skb_from_cqe_linear+0x1c/0x80 [mlx5_core]",
    ];
    const journal = body.map((l, i) => `Nov 26 12:00:0${i} host kernel: [  812.00045${i}] ${l}`).join("\n");
    const dmesgT = body.map((l) => `[Thu Nov 26 12:00:00 2026] ${l}`).join("\n");
    for (const log of [journal, dmesgT]) {
      const c = parseConsoleLog(log, "j.log").crash!;
      expect(c.title).toBe("BUG: unable to handle kernel paging request in mlx5e_skb_from_cqe_linear");
      expect(c.stack).toEqual(["mlx5e_skb_from_cqe_linear"]);
    }
    expect(parseConsoleLog(journal, "j.log").layoutEvents).toEqual([]);
  });

  it("reads newer NULL-pointer wordings and the old AMD-Vi fault format", () => {
    const x86 = parseConsoleLog("BUG: kernel NULL pointer dereference, address: 0000000000000008\n#PF: supervisor read access in kernel mode\nRIP: 0010:foo+0x1/0x2\n", "x.log").crash!;
    expect(x86).toMatchObject({ title: "BUG: unable to handle kernel NULL pointer dereference in foo", address: "0x8", access: "read", bugType: "null-ptr-deref" });
    const ppc = parseConsoleLog("BUG: Kernel NULL pointer dereference on write at 0x00000010\nNIP [c000000000123456] bar+0x10/0x40\n", "p.log").crash!;
    expect(ppc).toMatchObject({ title: "BUG: unable to handle kernel NULL pointer dereference in bar", address: "0x10", access: "write" });
    const amd = parseConsoleLog("AMD-Vi: Event logged [IO_PAGE_FAULT device=28:00.0 domain=0x0035 address=0x7fffff00000 flags=0x0000]\n", "a.log").crash!;
    expect(amd).toMatchObject({ kind: "iommu-fault", device: "0000:28:00.0", dmaAddress: 0x7fffff00000n });
  });

  it("keeps one machine hint of each kind however many oopses repeat it", () => {
    const log = "RIP: 0010:a+0x1/0x2\nRSP: 0018:ffffc900\nRIP: 0010:b+0x1/0x2\nCPU: 0 PID: 1 Comm: x Not tainted 6.1.0 #1\n";
    expect(parseConsoleLog(log, "h.log").machine).toEqual([
      { arch: "x86_64", source: "h.log:1" },
      { kernel: "6.1.0", source: "h.log:4" },
    ]);
  });

  it("strips printk timestamps and caller tags from the report text", () => {
    const c = parseConsoleLog("[  812.000456][ T4242] BUG: KASAN: use-after-free in foo+0x1/0x2\n[  812.000457][ T4242] Read of size 8 at addr ffff888000000010 by task java/4242\n", "t.log").crash!;
    expect(c.text).toBe("BUG: KASAN: use-after-free in foo+0x1/0x2\nRead of size 8 at addr ffff888000000010 by task java/4242");
  });
});

describe("parseLspci", () => {
  it("pairs devices with their drivers and adds the PCI domain", () => {
    const text = [
      "01:00.0 Ethernet controller: Mellanox Technologies MT28800 Family [ConnectX-5 Ex]",
      "\tSubsystem: Mellanox Technologies Device 0008",
      "\tKernel driver in use: mlx5_core",
      "\tKernel modules: mlx5_core",
      "0001:02:00.0 Non-Volatile memory controller: Samsung Electronics Co Ltd NVMe SSD Controller",
      "\tKernel driver in use: nvme",
      "00:1f.3 Audio device: Intel Corporation Device a348",
    ].join("\n");
    expect(parseLspci(text, "lspci.txt")).toEqual([
      { device: "0000:01:00.0", driver: "mlx5_core", source: "lspci.txt:3" },
      { device: "0001:02:00.0", driver: "nvme", source: "lspci.txt:6" },
    ]);
  });
});
