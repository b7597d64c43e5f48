/** The families of formats.md §1 that the syzkaller corpus does not cover, from hand-written fixtures. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { crashTraits, parseConsoleLog } from "../../src/analysis/console/index.js";

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../fixtures/console/${name}`, import.meta.url)), "utf8");

describe("crash families", () => {
  it("KFENCE: title, access, object bounds and cache (new kfence-#N: format)", () => {
    const c = parseConsoleLog(fixture("kfence-oob.log"), "k.log").crash!;
    expect(c.title).toBe("KFENCE: out-of-bounds read in mlx5e_xmit");
    expect(c).toMatchObject({ kind: "kfence", frame: "mlx5e_xmit", address: "0xffff8c3f2e291fff", access: "read", bugType: "out-of-bounds" });
    expect(c.object).toEqual({ start: 0xffff8c3f2e292000n, size: 32, cache: "kmalloc-32" });
    expect(c.stack).toEqual(["mlx5e_xmit", "dev_hard_start_xmit", "sch_direct_xmit"]);
    expect(crashTraits(c)).toEqual({ memoryCorruption: true, verdict: "out-of-bounds" });
  });

  it("KFENCE: object bounds in the older bracketed format", () => {
    const log = [
      "BUG: KFENCE: use-after-free read in test_use_after_free_read+0xb3/0x143",
      "",
      "Use-after-free read at 0xffff8c2aae240000 (in kfence-#31):",
      " test_use_after_free_read+0xb3/0x143",
      "",
      "kfence-#31 [0xffff8c2aae240000-0xffff8c2aae24001f, size=32, cache=kmalloc-32] allocated by task 114:",
    ].join("\n");
    const c = parseConsoleLog(log, "k.log").crash!;
    expect(c.title).toBe("KFENCE: use-after-free read in test_use_after_free_read");
    expect(c.object).toEqual({ start: 0xffff8c2aae240000n, size: 32, cache: "kmalloc-32" });
    expect(crashTraits(c).verdict).toBe("use-after-free");
  });

  it("page poisoning: the differing bytes, the pfn of the page block", () => {
    const c = parseConsoleLog(fixture("page-poison.log"), "p.log").crash!;
    expect(c).toMatchObject({ kind: "page-poison", title: "pagealloc: memory corruption", pfn: 0x54d7n, bugType: "page poison", cpu: 7, task: "java" });
    expect(c.corrupted).toEqual({ start: 0xdeadbeefn, end: 0xdeadbeefn + 16n, firstByte: 0, expected: 0xaa });
    expect(c.stack).toContain("__kernel_unpoison_pages");
  });

  it("list corruption keeps syzbot's title and names the list user", () => {
    const c = parseConsoleLog(fixture("list-del-corruption.log"), "l.log").crash!;
    expect(c.title).toBe("BUG: corrupted list in mlx5_cmd_comp_handler");
    expect(c).toMatchObject({ kind: "list-corruption", bugType: "list corruption", frame: "mlx5_cmd_comp_handler" });
    expect(c.files).toEqual(["include/linux/list.h", "drivers/net/ethernet/mellanox/mlx5/core/cmd.c", "drivers/net/ethernet/mellanox/mlx5/core/eq.c"]);
    expect(c.source).toBe("l.log:3");
  });

  it("arm64 paging request: pc frame, WnR access, modules, arch", () => {
    const facts = parseConsoleLog(fixture("arm64-paging-request.log"), "a.log");
    const c = facts.crash!;
    expect(c.title).toBe("BUG: unable to handle kernel paging request in mlx5e_poll_rx_cq");
    expect(c).toMatchObject({ address: "0xffff000012345678", access: "write", arch: "arm64", cpu: 2, kernel: "6.6.0" });
    expect(c.modules).toEqual(["mlx5_ib", "mlx5_core"]);
    expect(facts.machine.some((h) => h.arch === "arm64")).toBe(true);
  });

  it("a DMA-API error before its WARNING is one incident: syzbot title, device and DMA address", () => {
    const facts = parseConsoleLog(fixture("dma-api-warning.log"), "d.log");
    const c = facts.crash!;
    expect(c.title).toBe("WARNING in check_unmap");
    expect(c).toMatchObject({ device: "0000:00:0a.0", dmaAddress: 0xc7b60000n, bugType: "dma-api" });
    expect(crashTraits(c).verdict).toBe("dma-fault");
    expect(facts.devices).toEqual([{ device: "0000:00:0a.0", driver: "qla2xxx", source: "d.log:1" }]);
  });

  it("old SLUB reports with INFO: prefixes and Bad page map", () => {
    const slub = parseConsoleLog(
      "BUG skbuff_head_cache (Tainted: G    B): Poison overwritten\nINFO: 0xffff88003d2e8a4c-0xffff88003d2e8a4f. First byte 0x0 instead of 0x6b\n",
      "s.log",
    ).crash;
    // Old kernels print no @offset.
    expect(slub?.kind).toBe("slub-poison");
    expect(slub?.corrupted).toEqual({ start: 0xffff88003d2e8a4cn, end: 0xffff88003d2e8a50n, firstByte: 0, expected: 0x6b });
    expect(slub?.title).toBe("BUG: Poison overwritten in skbuff_head_cache");
    const map = parseConsoleLog("BUG: Bad page map in process java  pte:8000000fffe00225 pmd:10b2c4067\n", "m.log").crash!;
    expect(map).toMatchObject({ title: "BUG: Bad page map", kind: "bad-page-map", bugType: "bad page map" });
  });

  it("hung tasks and RCU stalls get syzbot titles", () => {
    const hung = [
      "[  246.7] INFO: task syz-executor.1:4242 blocked for more than 143 seconds.",
      "[  246.7]       Not tainted 6.1.0 #1",
      "[  246.7] Call Trace:",
      "[  246.7]  <TASK>",
      "[  246.7]  __schedule+0x10e9/0x6820",
      "[  246.7]  schedule+0xdd/0x390",
      "[  246.7]  rwsem_down_write_slowpath+0x5b2/0x1280",
      "[  246.7]  mlx5_unload_one+0x1c/0x80",
    ].join("\n");
    expect(parseConsoleLog(hung, "h.log").crash).toMatchObject({ title: "INFO: task hung in mlx5_unload_one", kind: "hung-task" });
    const rcu = [
      "[  100.0] rcu: INFO: rcu_preempt self-detected stall on CPU",
      "[  100.0] NMI backtrace for cpu 0",
      "[  100.0] Call Trace:",
      "[  100.0]  <IRQ>",
      "[  100.0]  rcu_sched_clock_irq+0x3b/0x80",
      "[  100.0]  sysvec_apic_timer_interrupt+0x4d/0x100",
      "[  100.0]  asm_sysvec_apic_timer_interrupt+0x12/0x20",
      "[  100.0] RIP: 0010:mlx5_poll_loop+0x20/0x40",
      "[  100.0]  mlx5_poll_loop+0x20/0x40",
      "[  100.0]  mlx5_ioctl+0x90/0x100",
      "[  100.0]  __x64_sys_ioctl+0x19d/0x220",
      "[  100.0]  do_syscall_64+0x2d/0x70",
    ].join("\n");
    expect(parseConsoleLog(rcu, "r.log").crash).toMatchObject({ title: "INFO: rcu detected stall in mlx5_ioctl", kind: "rcu-stall" });
  });

  it("flags memory-corruption families from the table, not lock or hang reports", () => {
    expect(crashTraits({ kind: "bad-page-state", bugType: "bad page state" })).toEqual({ memoryCorruption: true, verdict: "software-corruption" });
    expect(crashTraits({ kind: "iommu-fault", bugType: "iommu-fault" })).toEqual({ memoryCorruption: true, verdict: "dma-fault" });
    expect(crashTraits({ kind: "hung-task", bugType: null })).toEqual({ memoryCorruption: false, verdict: null });
    expect(crashTraits({ kind: "warning", bugType: null })).toEqual({ memoryCorruption: false, verdict: null });
  });

  it("newer UBSAN reports are titled by their check, lockdep table limits by their table", () => {
    const ubsan = [
      "UBSAN: shift-out-of-bounds in net/sched/sch_foo.c:123:45",
      "shift exponent 64 is too large for 64-bit type 'long long unsigned int'",
      "CPU: 0 PID: 1 Comm: tc Not tainted 6.1.0 #1",
      "Call Trace:",
      " <TASK>",
      " dump_stack_lvl+0xcd/0x134",
      " __ubsan_handle_shift_out_of_bounds.cold+0xb1/0x187",
      " foo_change+0x1c/0x80",
    ].join("\n");
    expect(parseConsoleLog(ubsan, "u.log").crash?.title).toBe("UBSAN: shift-out-of-bounds in foo_change");
    expect(parseConsoleLog("BUG: MAX_LOCKDEP_KEYS too low!\nturning off the locking correctness validator.\n", "l.log").crash?.title).toBe("BUG: MAX_LOCKDEP_KEYS too low!");
  });
});
