import { COMMON_SKIPS } from "../console/frame-patterns.js";
import type { CrashReport } from "../model/crash.js";

/** Allocator entry points: in a report raised inside one, its caller is the code at fault. */
const ALLOCATOR_ENTRY = /^(?:kv?free|kfree_sensitive|kmem_cache_free|kmem_cache_free_bulk|__free_pages|free_pages|free_pages_exact|vfree|kmalloc|kmalloc_trace|__kmalloc|kmem_cache_alloc|kzalloc|kvmalloc|krealloc)$/;

/** Page-state and slab-debug reporters that the console parser's list (built for titles) does not name. */
const PAGE_REPORTERS = ["_debug_processing$", "^free_to_partial_list$", "^_*slab_alloc", "^print_bad_pte$", "^bad_page$", "^__?dump_page$", "^vm_normal_page$", "^free_page_is_bad", "^check_new_page"];

const SKIP = new RegExp([...COMMON_SKIPS, ...PAGE_REPORTERS].join("|"));

/**
 * The function to blame when the title names none (SLUB reports, page-poison reports): the caller
 * of the allocator entry point the report was raised in, else the first stack frame that is not
 * reporting, locking or helper code.
 */
export function guiltyFrame(crash: CrashReport | null): string | null {
  if (!crash) return null;
  if (crash.frame) return crash.frame;
  const stack = crash.stack;
  let lastAllocator = -1;
  stack.forEach((f, i) => {
    if (ALLOCATOR_ENTRY.test(f)) lastAllocator = i;
  });
  if (lastAllocator >= 0 && lastAllocator + 1 < stack.length) return stack[lastAllocator + 1];
  return stack.find((f) => !SKIP.test(f)) ?? null;
}
