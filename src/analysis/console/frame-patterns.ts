/**
 * Building blocks of the crash-family patterns, written once so that every family spells a
 * program counter, a function and a source position the same way (syzkaller's {{PC}}, {{FUNC}},
 * {{SRC}}). Every pattern here is free of nested quantifiers, so matching stays linear.
 */
const PARTS: Record<string, string> = {
  PC: String.raw`\[<?(?:0x)?[0-9a-f]+>?\]`,
  // A function name ends at its ".isra.0"/".cold" suffix or its "+0x" offset.
  FUNC: String.raw`([a-zA-Z0-9_]+)(?:\.|\+)`,
  SRC: String.raw`([a-zA-Z0-9\-_/.]+\.[a-z]+:[0-9]+)`,
  ADDR: String.raw`(?:0x)?[0-9a-f]+`,
};

/** Compile a pattern with {{PC}}, {{FUNC}}, {{SRC}} and {{ADDR}} placeholders. */
export function pattern(source: string, flags = ""): RegExp {
  return new RegExp(
    source.replace(/\{\{([A-Z]+)\}\}/g, (_, name: string) => PARTS[name] ?? `{{${name}}}`),
    flags,
  );
}

/** A stack frame line: "func+0x1c/0x80", "[<ffffffff81234567>] func+0x..", powerpc "[c..] [c..] func+0x..". */
export const FRAME_LINE = pattern(String.raw`^ *(?:{{PC}} ){0,2}{{FUNC}}`);

/** arm32: "[<c0112ac8>] (unwind_backtrace) from [<c010c6ec>] (show_stack+0x10/0x14)", optionally symbolised. */
export const ARM_FRAME_LINE = /^ *\[<[0-9a-f]+>\] \(([a-zA-Z0-9_]+)[a-zA-Z0-9_.]*\) from \[<[0-9a-f]+>\] \(([a-zA-Z0-9_]+)[a-zA-Z0-9_.]*(?:\+0x[0-9a-f]+\/0x[0-9a-f]+)?(?: [^()]*)?\)/;

/** A symbolised frame "func+0x1c/0x80 mm/slub.c:123" or an inlined one "func mm/slub.c:123 [inline]". */
export const SYMBOLISED_FRAME = /^ *(?:\[<?(?:0x)?[0-9a-f]+>?\] ){0,2}([a-zA-Z0-9_.]+)(?:\+0x[0-9a-f]+\/0x[0-9a-f]+)? ([a-zA-Z0-9\-_/.]+\.[a-zA-Z]+):[0-9]+/;

/**
 * The faulting instruction: x86 "RIP: 0010:func+0x..", old "IP: [<..>] func+0x..", powerpc
 * "NIP [c..] func+0x..", arm64 "pc : func+0x..", arm "PC is at func+0x..". A user-space or
 * unknown RIP ("RIP: 0033:0x446179") still counts as the RIP line, with no function.
 */
export const RIP_FRAME = pattern(
  String.raw`(?:N?IP:?|pc :|PC is at) (?:(?:[0-9]+:)?(?:{{PC}} +){0,2}{{FUNC}}|(?:[0-9]+:)?0x[0-9a-f]+|(?:[0-9]+:)?{{PC}} +\[< *\(null\)>\] +\(null\)|[0-9]+: +\(null\))`,
);

/** The line that opens a call trace (arm32 says "Backtrace:"). */
export const CALL_TRACE = /Call [Tt]race:|^Backtrace:/;

/** Lines that start a (new) stack trace. */
export const STACK_START = [
  CALL_TRACE,
  /Allocated:/,
  /Allocated by task [0-9]+:/,
  /Freed:/,
  /Freed by task [0-9]+:/,
  // "backtrace:" but not "stack backtrace:"
  /[^k] backtrace:/,
];

/** Fault-injection frames mixed into a report make it unreliable. */
export const CORRUPTED_FRAME_LINE = /^(?: \[<?(?:0x)?[0-9a-f]+>?\])? should_fail(?:slab)?(?:\.[a-z0-9.]+)?\+0x/;

/** Frames that never name the bug: reporting machinery, locking, string and copy helpers. */
export const COMMON_SKIPS: readonly string[] = [
  "__sanitizer", "__asan", "kasan", "__msan", "kmsan", "kcsan_setup_watchpoint",
  "check_memory_region", "check_heap_object", "check_object", "read_word_at_a_time",
  "print_address_description", "panic", "invalid_op", "report_bug", "fixup_bug",
  "print_report", "print_trailer", "object_err", "check_bytes_and_report", "slab_err", "kfence_",
  "do_error", "_trap", "dump_stack", "show_stack", "warn_slowpath", "warn_alloc", "__warn", "debug_object",
  "timer_is_static_object", "work_is_static_object", "__might_fault", "__might_sleep", "__might_resched",
  "lockdep", "perf_trace", "lock_acquire", "lock_release", "lock_class", "mark_lock", "reacquire_held_locks",
  "spin_lock", "spin_trylock", "spin_unlock", "raw_read_lock", "raw_read_trylock",
  "raw_write_lock", "raw_write_trylock", "raw_read_unlock", "raw_write_unlock",
  "^down$", "down_read", "down_write", "down_trylock", "^down_interruptible", "^down_killable", "up_read", "up_write",
  "mutex_lock", "mutex_trylock", "mutex_unlock", "mutex_remove_waiter", "osq_lock", "osq_unlock",
  "atomic_dec", "atomic_inc", "atomic_add", "atomic_sub", "atomic_read", "atomic_set",
  "__wake_up", "refcount_add", "refcount_sub", "refcount_inc", "refcount_dec", "refcount_set", "refcount_read",
  "memcpy", "memcmp", "memset", "memchr", "memmove", "memdup", "strcmp", "strncmp", "strcpy", "strlcpy",
  "strncpy", "strscpy", "strlen", "strnstr", "strnlen", "strchr", "strdup", "strndup",
  "copy_to_user", "copy_from_user", "copy_to_iter", "copy_from_iter", "copy_page_to_iter", "copy_page_from_iter",
  "copyin", "copyout", "put_user", "get_user", "might_fault", "might_sleep",
  "list_add", "list_del", "list_replace", "list_move", "list_splice",
  "_indirect_thunk_", "string", "pointer", "snprintf", "scnprintf", "kasprintf", "kvasprintf",
  "printk", "va_format", "dev_info", "dev_notice", "dev_warn", "dev_err", "dev_alert", "dev_crit", "dev_emerg",
  "program_check_exception", "program_check_common", "del_timer", "flush_work", "__cancel_work_timer",
  "cancel_work_sync", "try_to_grab_pending", "flush_workqueue", "drain_workqueue", "destroy_workqueue",
  "queue_work", "finish_wait", "kthread_stop", "kobject_", "add_uevent_var", "get_device_parent",
  "device_add", "device_del", "device_unregister", "device_destroy", "device_release", "devres_release_all",
  "hwrng_unregister", "i2c_del_adapter", "__unregister_client", "device_for_each_child", "rollback_registered",
  "unregister_netdev", "sysfs_remove", "device_remove_file", "tty_unregister_device", "dummy_urb_enqueue",
  "usb_kill_urb", "usb_kill_anchored_urbs", "usb_control_msg", "usb_hcd_submit_urb", "usb_submit_urb",
  "^complete$", "wait_for_completion", "^kv?free$", "kfree_skb", "readb$", "readw$", "readl$", "readq$",
  "writeb$", "writew$", "writel$", "writeq$", "ioread", "iowrite", "print_usage_bug", "print_unlock",
  "imbalance_bug", "kcov_", "raw_spin_rq", "hwasan", "warn_bogus",
  // Generic helpers a crash passes through on its way to the culprit: allocation, bit and
  // tree operations, checksums, stack walking, page cache, references.
  "(?:read|write)_once_.*nocheck", "walk_stack", "dump_backtrace", "arch_stack_walk", "stack_trace_",
  "alloc_page", "k?v?(?:m|z|c)alloc", "krealloc", "kmem_cache", "allocate_slab", "slab_",
  "folio_(?:alloc|unlock)", "filemap_alloc_folio", "__filemap_get_folio", "bh_enable", "bh_disable",
  "(?:set|clear|change|test)_bit", "_find_first_bit", "_find_next_bit", "^rb_", "^__rb_", "^klist_",
  "^crc16", "^crc_itu_t", "^crc32", "^hex_dump", "__phys_addr", "^skb_(?:put|push|pull)$",
  "^kref_", "ref_tracker", "^rhashtable_", "lock_timer_base", "kill_fasync", "^ida_free",
  "^mark_buffer_dirty", "^drop_nlink", "^dput$", "^fast_dput", "^iput$", "^aes_encrypt", "^strstr",
  "^mutex_", "^__mutex_", "^rt_mutex_", "owner_on_cpu", "^fs_reclaim", "^trace_hardirqs",
  "^__do_kernel_fault", "^vmalloc_fault", "^__should_fail", "should_fail", "taint", "fortify",
  "^unlock_page$", "do_tag_check_fault", "do_translation_fault", "do_mem_abort", "^el[01]h?_",
  "seqprop_assert", "queue_delayed_work", "^sk_stop_timer", "alloc_frozen_pages", "^__?alloc_pages", "timer_delete", "insert_work", "hex_dump",
];
