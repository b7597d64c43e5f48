import { freeObjectPoison, RED_ACTIVE, RED_INACTIVE, slabObjects } from "../content/kernel-memory-bytes.js";
import type { ScenarioContext } from "../model/scenario-plan.js";
import type { SlubReport } from "../writers/console-log-writer.js";
import { pickFrame } from "./scenario-kit.js";

/**
 * A SLUB slab page with debugging on (slub_debug=FZPU): each slot is the object, its right red
 * zone and padding. Free objects hold poison, live ones plausible data. Scenarios corrupt one
 * object and describe it with `slubReport`.
 */
export interface SlabPage {
  pfn: number;
  /** Physical address of the page's first byte. */
  phys: bigint;
  /** Virtual (linear map) address of the page's first byte. */
  virt: bigint;
  bytes: Uint8Array;
  objectSize: number;
  stride: number;
  objects: number;
  cache: string;
  /** Physical address of object `i`. */
  objectPhys(i: number): bigint;
  /** Marks object `i` free (poisoned, inactive red zone) or live (data, active red zone). */
  setFree(i: number, free: boolean): void;
}

export function slabPage(ctx: ScenarioContext, objectSize: number): SlabPage {
  const m = ctx.machine;
  const pfn = pickFrame(ctx);
  const phys = BigInt(pfn) * BigInt(m.pageSize);
  const stride = objectSize * 2;
  const objects = Math.floor(m.pageSize / stride);
  const heap = { heapStart: phys - 2n ** 30n, heapEnd: phys + 2n ** 30n };
  const bytes = new Uint8Array(m.pageSize).fill(0x5a); // padding poison where nothing else is
  const page: SlabPage = {
    pfn,
    phys,
    virt: m.linearMapBase + phys,
    bytes,
    objectSize,
    stride,
    objects,
    cache: `kmalloc-${objectSize}`,
    objectPhys: (i) => phys + BigInt(i * stride),
    setFree(i, free) {
      const at = i * stride;
      if (free) bytes.set(freeObjectPoison(objectSize), at);
      else bytes.set(slabObjects(objectSize, { objectSize, endianness: m.endianness, linearMapBase: m.linearMapBase, physBase: phys + BigInt(at), ...heap }, ctx.rng), at);
      bytes.fill(free ? RED_INACTIVE : RED_ACTIVE, at + objectSize, at + objectSize + Math.min(64, objectSize / 2));
    },
  };
  for (let i = 0; i < objects; i++) page.setFree(i, ctx.rng.chance(0.4));
  return page;
}

/** What a SLUB debug report shows of object `i` of the slab: the object's bytes and `redzoneBytes` of its red zone. */
export function slubObjectShown(slab: SlabPage, i: number, redzoneBytes: number): Pick<SlubReport, "cache" | "slabBase" | "object" | "redzone" | "objectsPerSlab"> {
  const at = i * slab.stride;
  const size = slab.objectSize;
  return {
    cache: slab.cache,
    slabBase: slab.virt,
    object: { start: slab.virt + BigInt(at), size, bytes: slab.bytes.subarray(at, at + size) },
    redzone: slab.bytes.subarray(at + size, at + size + redzoneBytes),
    objectsPerSlab: slab.objects,
  };
}

/** The stack of a SLUB debug report that caught the corruption when `user` allocated from the cache. */
export function slubAllocCheckStack(user: SlabUser): string[] {
  return ["alloc_debug_processing", "___slab_alloc", "__slab_alloc.constprop.0", "__kmalloc_noprof", ...user.alloc.slice(1)];
}

/** Functions that own slab objects in the scenarios, with the alloc and free paths real kernels show. */
export interface SlabUser {
  frame: string;
  file: string;
  cacheSize: number;
  alloc: string[];
  free: string[];
  stack: string[];
}

export const SLAB_USERS: readonly SlabUser[] = [
  {
    frame: "ext4_es_cache_extent",
    file: "fs/ext4/extents_status.c",
    cacheSize: 192,
    alloc: ["ext4_es_alloc_extent", "ext4_es_insert_extent", "ext4_map_blocks", "ext4_mpage_readpages", "read_pages", "page_cache_ra_unbounded"],
    free: ["kfree", "ext4_es_free_extent", "__es_remove_extent", "ext4_es_remove_extent", "ext4_clear_inode", "ext4_evict_inode", "evict"],
    stack: ["ext4_es_lookup_extent", "ext4_map_blocks", "ext4_mpage_readpages", "read_pages", "page_cache_ra_unbounded", "filemap_get_pages", "filemap_read", "vfs_read", "ksys_read", "do_syscall_64", "entry_SYSCALL_64_after_hwframe"],
  },
  {
    frame: "tcp_retransmit_timer",
    file: "net/ipv4/tcp_timer.c",
    cacheSize: 256,
    alloc: ["__kmalloc_noprof", "tcp_fastopen_init_key_once", "tcp_v4_connect", "__inet_stream_connect", "inet_stream_connect", "__sys_connect"],
    free: ["kfree", "tcp_fastopen_ctx_free", "rcu_do_batch", "rcu_core", "handle_softirqs"],
    stack: ["tcp_write_timer_handler", "tcp_write_timer", "call_timer_fn", "__run_timers", "run_timer_softirq", "handle_softirqs", "irq_exit_rcu", "sysvec_apic_timer_interrupt"],
  },
  {
    frame: "nf_ct_delete",
    file: "net/netfilter/nf_conntrack_core.c",
    cacheSize: 256,
    alloc: ["__kmalloc_noprof", "nf_ct_ext_add", "init_conntrack", "nf_conntrack_in", "nf_hook_slow", "ip_rcv"],
    free: ["kfree", "nf_ct_ext_free", "nf_conntrack_free", "nf_ct_destroy", "nf_ct_put"],
    stack: ["gc_worker", "process_one_work", "worker_thread", "kthread", "ret_from_fork", "ret_from_fork_asm"],
  },
  {
    frame: "xfs_buf_item_release",
    file: "fs/xfs/xfs_buf_item.c",
    cacheSize: 512,
    alloc: ["__kmalloc_noprof", "xfs_buf_item_init", "_xfs_trans_bjoin", "xfs_trans_read_buf_map", "xfs_read_agf"],
    free: ["kfree", "xfs_buf_item_free", "xfs_buf_item_relse", "xfs_buf_rele", "xfs_trans_brelse"],
    stack: ["xfs_trans_free_items", "xfs_trans_commit", "xfs_create", "xfs_generic_create", "vfs_mkdir", "do_mkdirat", "__x64_sys_mkdir", "do_syscall_64", "entry_SYSCALL_64_after_hwframe"],
  },
];
