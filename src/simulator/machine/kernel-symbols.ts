import type { SeededRandom } from "../random/seeded-random.js";
import type { SimMachine } from "./sim-machine.js";

/** One System.map entry. */
export interface KernelSymbol {
  address: bigint;
  type: string;
  name: string;
  size: number;
  module: string | null;
}

/**
 * The simulated kernel's symbol table: every function a scenario's call traces name, plus a
 * realistic crowd of others, laid out in address order with sizes, so that `func+0x1c/0x80`
 * offsets and return addresses agree with System.map.
 */
export class KernelSymbols {
  private readonly byName = new Map<string, KernelSymbol>();
  private readonly list: KernelSymbol[] = [];
  private next: bigint;

  constructor(
    private readonly machine: SimMachine,
    private readonly rng: SeededRandom,
  ) {
    this.next = machine.textBase;
    this.add("_stext", "T", 0);
    for (const name of COMMON_TEXT) this.function(name);
  }

  /** The symbol for `name`, created (with a plausible size) on first use. */
  function(name: string, module: string | null = null): KernelSymbol {
    const known = this.byName.get(name);
    if (known) return known;
    const size = 16 * this.rng.int(4, 160);
    return this.add(name, module ? "t" : this.rng.chance(0.8) ? "T" : "t", size, module);
  }

  /** `func+0x1c/0x80` with an offset inside the function (deterministic per call site). */
  frame(name: string, module: string | null = null): string {
    const s = this.function(name, module);
    const off = 4 * this.rng.int(2, s.size / 4 - 1);
    return `${name}+0x${off.toString(16)}/0x${s.size.toString(16)}${module ? ` [${module}]` : ""}`;
  }

  /** Address inside a function (for RIP/NIP values and powerpc return addresses). */
  addressIn(name: string, module: string | null = null): bigint {
    const s = this.function(name, module);
    return s.address + BigInt(4 * this.rng.int(2, s.size / 4 - 1));
  }

  /** Data symbols (named pointers in dumps resolve to these). */
  data(name: string, size = 64): KernelSymbol {
    return this.byName.get(name) ?? this.add(name, "D", size);
  }

  symbols(): readonly KernelSymbol[] {
    return this.list;
  }

  private add(name: string, type: string, size: number, module: string | null = null): KernelSymbol {
    const align = this.machine.arch === "x86_64" ? 16n : 8n;
    const address = (this.next + align - 1n) & ~(align - 1n);
    const s: KernelSymbol = { address, type, name, size, module };
    this.next = address + BigInt(size);
    this.byName.set(name, s);
    this.list.push(s);
    return s;
  }
}

/** Functions every kernel has; mixed in so System.map is not just the story's frames. */
const COMMON_TEXT = [
  "start_kernel", "do_one_initcall", "kernel_init", "kthread", "ret_from_fork", "ret_from_fork_asm",
  "worker_thread", "process_one_work", "schedule", "__schedule", "do_idle", "cpu_startup_entry",
  "dump_stack_lvl", "dump_stack", "panic", "die", "oops_begin", "oops_end", "show_regs",
  "__alloc_pages_noprof", "get_page_from_freelist", "free_unref_page", "__free_pages_ok", "__free_pages",
  "kmem_cache_alloc_noprof", "kmem_cache_free", "__kmalloc_noprof", "kfree", "kasan_report", "print_report",
  "handle_mm_fault", "__handle_mm_fault", "do_user_addr_fault", "exc_page_fault", "asm_exc_page_fault",
  "do_anonymous_page", "alloc_anon_folio", "vma_alloc_folio_noprof", "zap_pte_range", "unmap_page_range",
  "unmap_vmas", "exit_mmap", "__mmput", "mmput", "do_exit", "do_group_exit", "get_signal",
  "copy_page_range", "dup_mmap", "copy_process", "kernel_clone", "__do_sys_clone",
  "entry_SYSCALL_64_after_hwframe", "do_syscall_64", "system_call_exception", "system_call_vectored_common",
  "dma_map_page_attrs", "dma_unmap_page_attrs", "iommu_dma_map_page", "dma_direct_map_page",
  "offline_pages", "remove_memory", "dlpar_remove_lmb", "dlpar_memory", "handle_dlpar_errorlog",
  "migrate_pages", "do_migrate_range", "isolate_migratepages_range", "test_pages_isolated",
  "napi_poll", "net_rx_action", "handle_softirqs", "__do_softirq", "irq_exit_rcu", "do_IRQ",
  "blk_mq_end_request", "nvme_irq", "nvme_pci_complete_batch", "vfs_read", "ksys_read", "filemap_read",
  "list_del", "__list_del_entry_valid_or_report", "slab_free_after_rcu_debug", "check_bytes_and_report",
  "check_object", "free_to_partial_list", "__slab_free", "print_trailer", "object_err", "slab_err",
  "bad_page", "free_page_is_bad", "check_new_pages", "print_bad_pte", "vm_normal_page", "__dump_page",
];
