/**
 * The table of crash-report families, in the spirit of syzkaller's pkg/report/linux.go: one small
 * entry per family. A family is found by a `header` substring on a line; its formats are tried
 * in order and the first whose title (and report steps, and stack) match gives the title.
 *
 * Title templates use {1}..{n}: the captures of the title (or, when given, of the report steps),
 * followed by the extracted stack frame.
 */
import type { VerdictKind } from "../model/verdict-kind.js";
import { CALL_TRACE, pattern, RIP_FRAME } from "./frame-patterns.js";
import { hungTaskFrameExtractor, STACK, stallFrameExtractor, type StackSpec } from "./stack-frame-extractor.js";

/** A further line the report must contain, after the previous step's line. */
export interface ReportStep {
  re: RegExp;
  /** May match on the same line as the previous step (syzkaller's `(?:.*\n){0,N}?`). */
  sameLine?: boolean;
  /** At most this many lines after the previous step. */
  within?: number;
}

export interface CrashFormat {
  title: RegExp;
  report?: ReportStep[];
  fmt: string;
  stack?: StackSpec;
  /** The report has no stack trace of its own (not a sign of corruption). */
  noStackTrace?: boolean;
  /** A title that only says the report is damaged. */
  corrupted?: boolean;
  /** Overrides the family's kind. */
  kind?: string;
  /** Overrides the family's memory-corruption flag. */
  memoryCorruption?: boolean;
}

export interface CrashFamily {
  /** Substring that makes a line a candidate start of this family's report. */
  header: string;
  /** Lines with the header that are not crashes. */
  ignores?: RegExp[];
  /** The header must open the line's text (after the printk prefix), not just appear in it. */
  atLineStart?: boolean;
  /** Only a fully matching format makes a crash; a bare header line is not one. */
  strict?: boolean;
  formats: CrashFormat[];
  /** CrashReport.kind for this family (formats may override). */
  kind: string;
  /** The family reports corrupted memory (KASAN, KFENCE, SLUB, page poison, bad page, list corruption...). */
  memoryCorruption?: boolean;
}

const callTrace = (skip?: string[], extractor?: StackSpec["extractor"]): StackSpec => ({
  parts: [CALL_TRACE, STACK],
  skip,
  extractor,
});
const ripThenTrace = (skip?: string[]): StackSpec => ({
  parts: [RIP_FRAME, CALL_TRACE, STACK],
  parts2: [CALL_TRACE, STACK],
  skip,
});

/** WARNINGs trap first: the stack starts at the RIP line (powerpc: "--- interrupt:"), older kernels just print it. */
const warningStack = (...skip: string[]): StackSpec => ({
  parts: [pattern(String.raw`(?:(?:N?IP:?|pc :|PC is at) (?:(?:[0-9]+:)?(?:{{PC}} +){0,2}{{FUNC}}|(?:[0-9]+:)?0x[0-9a-f]+)|--- interrupt: [0-9]+ at {{FUNC}})`), STACK],
  parts2: [CALL_TRACE, STACK],
  skip,
});

const LOCK_AT = String.raw`at: (?:{{PC}} +)?{{FUNC}}`;
const IRQ_SAFE_AT = /IN-(?:HARD|SOFT)IRQ-[RW]+ at:/;
const IRQ_ENTRY = /apic_timer_interrupt|\(__irq_svc[+)]|el1_irq|el1h_64_irq/;
/** A lock's acquisition site: "at: func+0x.." or "[<ffffffff81234567>] func+0x..". */
const LOCK_FRAME = pattern(String.raw`(?:at: (?:{{PC}} +)?|{{PC}} +){{FUNC}}`);
/** Unlock imbalance: the release site, then the stack of the releasing task. */
const UNLOCK_STACK: StackSpec = { parts: [/is trying to release lock/, LOCK_FRAME, CALL_TRACE, STACK] };
/** A lock named by its acquisition site, then the stack (held lock freed, locks still held, nested lock not taken). */
const HELD_LOCK_STACK: StackSpec = { parts: [LOCK_FRAME, CALL_TRACE, STACK] };

const KASAN_STACK: StackSpec = {
  parts: [pattern(String.raw`BUG: KASAN: (?:[a-z\-]+) in {{FUNC}}`), CALL_TRACE, STACK],
};

/** Verdict hints of memory-corruption bug types (the `bugType` of a report). */
export const BUG_TYPE_VERDICTS: Readonly<Record<string, VerdictKind>> = {
  "use-after-free": "use-after-free",
  "slab-use-after-free": "use-after-free",
  "vmalloc-use-after-free": "use-after-free",
  "use-after-scope": "use-after-free",
  "slab-out-of-bounds": "out-of-bounds",
  "global-out-of-bounds": "out-of-bounds",
  "stack-out-of-bounds": "out-of-bounds",
  "vmalloc-out-of-bounds": "out-of-bounds",
  "out-of-bounds": "out-of-bounds",
  "user-memory-access": "out-of-bounds",
  "wild-memory-access": "software-corruption",
  "double-free": "double-free",
  "invalid-free": "double-free",
  "double-free or invalid-free": "double-free",
  "object already free": "double-free",
  "poison overwritten": "software-corruption",
  "memory corruption": "software-corruption",
  "page poison": "software-corruption",
  "bad page state": "software-corruption",
  "bad page map": "software-corruption",
  "list corruption": "software-corruption",
  "dma-api": "dma-fault",
  "iommu-fault": "dma-fault",
};

/** Kinds of the table's memory-corruption families and formats (see MEMORY_CORRUPTION_KINDS). */
function memoryCorruptionKinds(families: readonly CrashFamily[]): Set<string> {
  const kinds = new Set<string>();
  for (const family of families) {
    if (family.memoryCorruption) kinds.add(family.kind);
    for (const f of family.formats) if (f.memoryCorruption ?? family.memoryCorruption) kinds.add(f.kind ?? family.kind);
  }
  return kinds;
}

export const CRASH_FAMILIES: readonly CrashFamily[] = [
  {
    header: "BUG:",
    kind: "bug",
    ignores: [/ODEBUG:/, /Boot_DEBUG:/, /xlog_status:/, /DEBUG:/, /BUG: no syscalls can create resource/],
    formats: [
      {
        title: /BUG: KASAN:/,
        report: [{ re: pattern(String.raw`BUG: KASAN: ([a-z\-]+) in {{FUNC}}`) }, { re: /(Read|Write) (?:of size (?:[0-9]+)|at addr)/ }],
        fmt: "KASAN: {1} {3} in {4}",
        stack: KASAN_STACK,
        kind: "kasan",
        memoryCorruption: true,
      },
      {
        title: /BUG: KASAN:/,
        report: [{ re: pattern(String.raw`BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in {{FUNC}}`) }],
        fmt: "KASAN: invalid-free in {2}",
        stack: {
          parts: [pattern(String.raw`BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in {{FUNC}}`), CALL_TRACE, STACK],
          skip: ["kmem_", "slab_", "kfree", "vunmap", "vfree"],
        },
        kind: "kasan",
        memoryCorruption: true,
      },
      {
        title: /BUG: KASAN: ([a-z-]+) on address/,
        report: [{ re: /BUG: KASAN: ([a-z-]+) on address/ }, { re: /(Read|Write) of size ([0-9]+)/ }],
        fmt: "KASAN: {1} {2}",
        kind: "kasan",
        memoryCorruption: true,
      },
      { title: /BUG: KASAN: (.*)/, fmt: "KASAN: {1}", corrupted: true, kind: "kasan", memoryCorruption: true },
      {
        title: /BUG: KFENCE: /,
        report: [{ re: pattern(String.raw`BUG: KFENCE: ([a-z\- ]+) in {{FUNC}}`) }],
        fmt: "KFENCE: {1} in {3}",
        stack: { parts: [pattern(String.raw`BUG: KFENCE: (?:[a-z\- ]+) in {{FUNC}}`), STACK] },
        kind: "kfence",
        memoryCorruption: true,
      },
      { title: /BUG: KFENCE: (.*)/, fmt: "KFENCE: {1}", corrupted: true, kind: "kfence", memoryCorruption: true },
      {
        title: /BUG: KMSAN: kernel-usb-infoleak/,
        report: [{ re: pattern(String.raw`BUG: KMSAN: kernel-usb-infoleak in {{FUNC}}`) }],
        fmt: "KMSAN: kernel-usb-infoleak in {2}",
        stack: {
          parts: [pattern(String.raw`BUG: KMSAN: kernel-usb-infoleak in {{FUNC}}`), STACK],
          skip: ["usb_submit_urb", "usb_start_wait_urb", "usb_bulk_msg", "usb_interrupt_msg", "usb_control_msg"],
        },
        kind: "kmsan",
      },
      {
        title: /BUG: KMSAN:/,
        report: [{ re: pattern(String.raw`BUG: KMSAN: ([a-z\-]+) in {{FUNC}}`) }],
        fmt: "KMSAN: {1} in {3}",
        stack: { parts: [pattern(String.raw`BUG: KMSAN: (?:[a-z\-]+) in {{FUNC}}`), STACK] },
        kind: "kmsan",
      },
      { title: /BUG: KCSAN: (.*)/, fmt: "KCSAN: {1}", noStackTrace: true, kind: "kcsan" },
      {
        title: /BUG: (?:unable to handle kernel paging request|unable to handle page fault for address|Unable to handle kernel data access)/,
        fmt: "BUG: unable to handle kernel paging request in {1}",
        stack: ripThenTrace(),
        kind: "page-fault",
      },
      {
        title: /BUG: (?:unable to handle kernel NULL pointer dereference|kernel NULL pointer dereference|Kernel NULL pointer dereference)/,
        fmt: "BUG: unable to handle kernel NULL pointer dereference in {1}",
        stack: ripThenTrace(),
        kind: "page-fault",
      },
      {
        title: /BUG: (?:unable to handle kernel access to user memory|Unable to handle kernel access to user memory)/,
        fmt: "BUG: unable to handle kernel access to user memory in {1}",
        stack: ripThenTrace(),
        kind: "page-fault",
      },
      { title: /BUG: (?:unable to handle kernel|Unable to handle kernel)/, fmt: "BUG: unable to handle kernel", corrupted: true, kind: "page-fault" },
      {
        title: /BUG: (spinlock|rwlock) (lockup suspected|already unlocked|recursion|bad magic|wrong owner|wrong CPU|trylock failure on UP)/,
        fmt: "BUG: {1} {2} in {3}",
        stack: callTrace(["spin_", "_lock", "_unlock"]),
        kind: "locking",
      },
      {
        title: /BUG: soft lockup/,
        fmt: "BUG: soft lockup in {1}",
        stack: { parts: [RIP_FRAME, CALL_TRACE, STACK], parts2: [CALL_TRACE, STACK], extractor: stallFrameExtractor },
        kind: "soft-lockup",
      },
      {
        title: /BUG: .*still has locks held!/,
        fmt: "BUG: still has locks held in {1}",
        stack: HELD_LOCK_STACK,
        kind: "locking",
      },
      {
        title: /BUG: lock held when returning to user space/,
        report: [
          { re: /BUG: lock held when returning to user space/ },
          { re: /leaving the kernel with locks still held/ },
          { re: pattern(LOCK_AT) },
        ],
        fmt: "BUG: lock held when returning to user space in {1}",
        noStackTrace: true,
        kind: "locking",
      },
      {
        title: /BUG: bad unlock balance detected!/,
        fmt: "BUG: bad unlock balance in {1}",
        stack: UNLOCK_STACK,
        kind: "locking",
      },
      {
        title: /BUG: held lock freed!/,
        fmt: "BUG: held lock freed in {1}",
        stack: HELD_LOCK_STACK,
        kind: "locking",
      },
      {
        title: /BUG: Invalid wait context/,
        fmt: "WARNING: locking bug in {1}",
        stack: callTrace(),
        kind: "locking",
      },
      { title: /BUG: Bad rss-counter state/, fmt: "BUG: Bad rss-counter state", noStackTrace: true },
      { title: /BUG: non-zero nr_ptes on freeing mm/, fmt: "BUG: non-zero nr_ptes on freeing mm", noStackTrace: true },
      { title: /BUG: non-zero nr_pmds on freeing mm/, fmt: "BUG: non-zero nr_pmds on freeing mm", noStackTrace: true },
      { title: /BUG: non-zero pgtables_bytes on freeing mm/, fmt: "BUG: non-zero pgtables_bytes on freeing mm", noStackTrace: true },
      {
        // Grouped by the operation, not the filesystem or dentry.
        title: /BUG: Dentry .* still in use \([0-9]+\) \[(unmount) of [^\]]+\]/,
        fmt: "BUG: Dentry still in use in {1}",
      },
      {
        title: /BUG: Bad page state/,
        fmt: "BUG: Bad page state in {1}",
        stack: callTrace(["bad_page", "free_", "put_", "page", "folio", "lru", "release_", "skb_", "__netif", "netif_", "xdp_do", "_pages"]),
        kind: "bad-page-state",
        memoryCorruption: true,
      },
      { title: /BUG: Bad page map/, fmt: "BUG: Bad page map", kind: "bad-page-map", memoryCorruption: true },
      { title: /BUG: workqueue lockup/, fmt: "BUG: workqueue lockup", noStackTrace: true, kind: "workqueue-lockup" },
      {
        title: /BUG: sleeping function called from invalid context at (.*)/,
        fmt: "BUG: sleeping function called from invalid context in {2}",
        stack: callTrace(["might_sleep", "_sleep", "_resched"]),
        kind: "atomic-sleep",
      },
      {
        title: /BUG: scheduling while atomic/,
        fmt: "BUG: scheduling while atomic in {1}",
        stack: callTrace(["schedule", "_sched", "__switch_to", "context_switch"]),
        kind: "atomic-sleep",
      },
      {
        title: /BUG: using ([a-z_]+)\(\) in preemptible/,
        fmt: "BUG: using {1}() in preemptible code in {2}",
        stack: callTrace(["dump_stack", "preemption", "preempt", "debug_", "processor_id", "this_cpu"]),
      },
      {
        title: /BUG: workqueue leaked lock or atomic/,
        report: [{ re: /BUG: workqueue leaked lock or atomic/ }, { re: /last function: ([a-zA-Z0-9_]+)$/ }],
        fmt: "BUG: workqueue leaked lock or atomic in {1}",
        noStackTrace: true,
        kind: "locking",
      },
      {
        title: /BUG: memory leak/,
        fmt: "memory leak in {1}",
        stack: {
          parts: [/backtrace:/, STACK],
          skip: ["kmemleak", "kmalloc", "kcalloc", "kzalloc", "krealloc", "kmemdup", "vmalloc", "mmap", "kmem", "slab",
            "alloc", "create_object", "idr_get", "list_lru_init", "kasprintf", "kvasprintf", "pcpu_create",
            "strdup", "strndup", "memdup"],
        },
        kind: "memory-leak",
      },
      {
        title: /BUG: (?:TASK |IRQ )?stack guard page was hit at/,
        fmt: "BUG: stack guard page was hit in {1}",
        // Runaway recursion: name the entry of the recursing code, like a stall.
        stack: callTrace(undefined, stallFrameExtractor),
        noStackTrace: true,
        kind: "stack-overflow",
      },
      // lockdep running out of its tables: MAX_LOCKDEP_KEYS, MAX_LOCKDEP_CHAINS, MAX_STACK_TRACE_ENTRIES...
      { title: /BUG: (MAX_[A-Z_]+) too low!/, fmt: "BUG: {1} too low!", noStackTrace: true, kind: "locking" },
      { title: /BUG:\s*$/, fmt: "BUG: corrupted", corrupted: true },
    ],
  },
  {
    header: "WARNING:",
    kind: "warning",
    // Messages that say "WARNING:" but report no kernel bug.
    ignores: [
      /WARNING: \/etc\/ssh\/moduli does not exist, using fixed modulus/,
      /WARNING: workqueue cpumask: online intersect > possible intersect/,
      /WARNING: [Tt]he mand mount option/,
      /WARNING: Unprivileged eBPF is enabled/,
      /WARNING: fbcon: Driver '.*' missed to adjust virtual screen size/,
      /WARNING: See https:\/\/kernel\.org\/doc\/html\/latest\/admin-guide\/hw-vuln/,
      /WARNING: `.*' uses (?:deprecated v2 capabilities|32-bit capabilities)/i,
      /WARNING: Reset corrupted AGFL/,
      /WARNING: kernel not compiled with/,
      /WARNING: CPU: [0-9]+ PID: [0-9]+ at .* do_user_addr_fault/,
    ],
    formats: [
      {
        title: /WARNING: .*lib\/debugobjects\.c.* (?:debug_print|debug_check|0x0)/,
        fmt: "WARNING: ODEBUG bug in {1}",
        stack: warningStack("debug_", "rcu", "hrtimer_", "timer_", "work_", "percpu_", "kmem_", "slab_", "kfree", "vunmap", "vfree", "__free_", "debug_check", "kobject_"),
      },
      { title: /WARNING: .*mm\/usercopy\.c.* usercopy_warn/, fmt: "WARNING: bad usercopy in {1}", stack: warningStack("usercopy", "__check") },
      { title: /WARNING: .*lib\/kobject\.c.* kobject_/, fmt: "WARNING: kobject bug in {1}", stack: warningStack("kobject_") },
      { title: /WARNING: .*fs\/proc\/generic\.c.* proc_register/, fmt: "WARNING: proc registration bug in {1}", stack: warningStack("proc_") },
      { title: /WARNING: .*lib\/refcount\.c.* (?:refcount_|0x0)/, fmt: "WARNING: refcount bug in {1}", stack: warningStack("refcount", "kobject_", "^put_device$") },
      { title: /WARNING: .*kernel\/locking\/lockdep\.c.*lock_/, fmt: "WARNING: locking bug in {1}", stack: warningStack("lock_sock", "release_sock") },
      {
        title: /WARNING: lock held when returning to user space/,
        report: [
          { re: /WARNING: lock held when returning to user space/ },
          { re: /leaving the kernel with locks still held/ },
          { re: pattern(LOCK_AT) },
        ],
        fmt: "WARNING: lock held when returning to user space in {1}",
        noStackTrace: true,
        kind: "locking",
      },
      {
        title: /WARNING: .*mm\/vmalloc\.c.*__vmalloc_node_range/,
        fmt: "WARNING: zero-size vmalloc in {1}",
        stack: warningStack("vmalloc"),
      },
      {
        title: /WARNING: .*mm\/.*\.c.* k?.?malloc/,
        fmt: "WARNING: kmalloc bug in {1}",
        stack: warningStack("kmalloc", "krealloc", "kcalloc", "kzalloc", "vmalloc", "slab", "kmem"),
      },
      {
        title: /WARNING: .* usb_submit_urb/,
        fmt: "WARNING in {1}/usb_submit_urb",
        stack: warningStack("usb_submit_urb", "usb_start_wait_urb", "usb_bulk_msg", "usb_interrupt_msg", "usb_control_msg"),
      },
      { title: pattern(String.raw`WARNING: .* at {{SRC}} {{FUNC}}`), fmt: "WARNING in {3}", stack: warningStack() },
      // Since 6.17: "WARNING: [cond] file.c:123 at func+0x1c/0x80, CPU#0: comm/pid" (or "at 0x0" without symbols).
      { title: pattern(String.raw`WARNING: (?:\[.*\] )?{{SRC}} at (?:{{FUNC}}|0x0)`), fmt: "WARNING in {3}", stack: warningStack() },
      {
        title: /WARNING: possible circular locking dependency detected/,
        report: [{ re: /WARNING: possible circular locking dependency detected/ }, { re: /is trying to acquire lock/ }],
        fmt: "possible deadlock in {1}",
        stack: {
          parts: [pattern(LOCK_AT), pattern(LOCK_AT), STACK],
          skip: ["process_one_work", "flush_workqueue", "drain_workqueue", "destroy_workqueue"],
        },
        kind: "deadlock",
      },
      {
        title: /WARNING: possible irq lock inversion dependency detected/,
        report: [
          { re: /WARNING: possible irq lock inversion dependency detected/ },
          { re: /just changed the state of lock/ },
          { re: pattern(LOCK_AT) },
        ],
        fmt: "possible deadlock in {1}",
        kind: "deadlock",
      },
      {
        // Named after where the irq-safe lock is taken in interrupt context.
        title: /WARNING: .*-safe -> .*-unsafe lock order detected/,
        fmt: "possible deadlock in {1}",
        stack: { parts: [IRQ_SAFE_AT, STACK] },
        kind: "deadlock",
      },
      {
        title: /WARNING: possible recursive locking detected/,
        report: [
          { re: /WARNING: possible recursive locking detected/ },
          { re: /is trying to acquire lock/ },
          { re: pattern(LOCK_AT) },
        ],
        fmt: "possible deadlock in {1}",
        kind: "deadlock",
      },
      {
        title: /WARNING: inconsistent lock state/,
        fmt: "inconsistent lock state in {1}",
        // The lock site, then the stack of the task that took it.
        stack: { parts: [/takes/, pattern(LOCK_AT), CALL_TRACE, STACK] },
        kind: "locking",
      },
      {
        title: /WARNING: suspicious RCU usage/,
        report: [{ re: /WARNING: suspicious RCU usage/ }, { re: pattern(String.raw`{{SRC}}`) }],
        fmt: "WARNING: suspicious RCU usage in {2}",
        stack: callTrace(["rcu", "kmem", "slab", "kmalloc", "vmalloc", "kcalloc", "kzalloc"]),
        kind: "rcu-usage",
      },
      {
        title: /WARNING: kernel stack regs at [0-9a-f]+ in [^ ]* has bad '([^']+)' value/,
        fmt: "WARNING: kernel stack regs has bad '{1}' value",
        noStackTrace: true,
      },
      {
        title: /WARNING: kernel stack frame pointer at [0-9a-f]+ in [^ ]* has bad value/,
        fmt: "WARNING: kernel stack frame pointer has bad value",
        noStackTrace: true,
      },
      {
        title: /WARNING: bad unlock balance detected!/,
        fmt: "WARNING: bad unlock balance in {1}",
        stack: UNLOCK_STACK,
        kind: "locking",
      },
      {
        title: /WARNING: held lock freed!/,
        fmt: "WARNING: held lock freed in {1}",
        stack: HELD_LOCK_STACK,
        kind: "locking",
      },
      {
        title: /WARNING: .*still has locks held!/,
        fmt: "WARNING: still has locks held in {1}",
        stack: HELD_LOCK_STACK,
        kind: "locking",
      },
      {
        title: /WARNING: Nested lock was not taken/,
        fmt: "WARNING: nested lock was not taken in {1}",
        stack: HELD_LOCK_STACK,
        kind: "locking",
      },
      { title: /WARNING: kernel stack regs .* has bad 'bp' value/, fmt: "WARNING: kernel stack regs has bad value", noStackTrace: true },
      { title: /WARNING: kernel stack frame pointer .* has bad value/, fmt: "WARNING: kernel stack regs has bad value", noStackTrace: true },
      { title: /WARNING:\s*$/, fmt: "WARNING: corrupted", corrupted: true },
    ],
  },
  {
    header: "INFO:",
    kind: "info",
    ignores: [
      /INFO: lockdep is turned off/, /INFO: Stall ended before state dump start/, /INFO: NMI handler/,
      /INFO: recovery required on readonly filesystem/, /(?:handler|interrupt).*took too long/, /_INFO::/,
      /INFO: sys_.* is not present in \/proc\/kallsyms/, /INFO: no syscalls can create resource/,
      // Real reports say "INFO: " with a space; "INFO:foo" is some driver's log.
      /INFO:[^ ]/,
      // SLUB debug detail lines belong to the "BUG <cache> (...)" report above them.
      /INFO: (?:0x[0-9a-f]+-0x[0-9a-f]+|Slab 0x[0-9a-f]+ |Object 0x[0-9a-f]+ )/,
    ],
    formats: [
      {
        title: /INFO: possible circular locking dependency detected/,
        report: [{ re: /INFO: possible circular locking dependency detected/ }, { re: /is trying to acquire lock/ }, { re: pattern(String.raw`at: {{PC}} +{{FUNC}}`) }],
        fmt: "possible deadlock in {1}",
        kind: "deadlock",
      },
      {
        title: /INFO: possible irq lock inversion dependency detected/,
        report: [{ re: /INFO: possible irq lock inversion dependency detected/ }, { re: /just changed the state of lock/ }, { re: pattern(String.raw`at: {{PC}} +{{FUNC}}`) }],
        fmt: "possible deadlock in {1}",
        kind: "deadlock",
      },
      {
        title: /INFO: .*-safe -> .*-unsafe lock order detected/,
        report: [{ re: /INFO: .*-safe -> .*-unsafe lock order detected/ }, { re: /is trying to acquire/ }, { re: pattern(String.raw`at: {{PC}} +{{FUNC}}`) }],
        fmt: "possible deadlock in {1}",
        kind: "deadlock",
      },
      {
        title: /INFO: possible recursive locking detected/,
        report: [{ re: /INFO: possible recursive locking detected/ }, { re: /is trying to acquire lock/ }, { re: pattern(String.raw`at: {{PC}} +{{FUNC}}`) }],
        fmt: "possible deadlock in {1}",
        kind: "deadlock",
      },
      {
        title: /INFO: inconsistent lock state/,
        report: [{ re: /INFO: inconsistent lock state/ }, { re: /takes/ }, { re: pattern(String.raw`at: {{PC}} +{{FUNC}}`) }],
        fmt: "inconsistent lock state in {1}",
        kind: "locking",
      },
      {
        title: /INFO: rcu_(?:preempt|sched|bh|tasks[a-z_]*) (?:self-)?detected(?: expedited)? stalls?/,
        fmt: "INFO: rcu detected stall in {1}",
        stack: {
          // From the timer interrupt that detected the stall (x86 apic, arm gic/__irq_svc, arm64 el1 irq).
          parts: [IRQ_ENTRY, RIP_FRAME, STACK],
          parts2: [IRQ_ENTRY, STACK],
          skip: ["apic_timer_interrupt", "rcu"],
          extractor: stallFrameExtractor,
        },
        kind: "rcu-stall",
      },
      {
        title: /INFO: trying to register non-static key/,
        fmt: "INFO: trying to register non-static key in {1}",
        stack: callTrace(["stack", "lock", "IRQ"]),
        kind: "locking",
      },
      {
        title: /INFO: suspicious RCU usage/,
        report: [{ re: /INFO: suspicious RCU usage/ }, { re: pattern(String.raw`{{SRC}}`) }],
        fmt: "INFO: suspicious RCU usage in {2}",
        stack: callTrace(["rcu", "kmem", "slab", "kmalloc", "vmalloc", "kcalloc", "kzalloc"]),
        kind: "rcu-usage",
      },
      {
        title: /INFO: task .* blocked for more than [0-9]+ seconds/,
        fmt: "INFO: task hung in {1}",
        stack: callTrace(undefined, hungTaskFrameExtractor),
        kind: "hung-task",
      },
      {
        title: /INFO: task .* can't die for more than .* seconds/,
        fmt: "INFO: task can't die in {1}",
        stack: callTrace(["schedule"]),
        kind: "hung-task",
      },
      {
        // A task name full of control characters can break the line before "blocked for".
        title: /INFO: task /,
        report: [{ re: /INFO: task / }, { re: /blocked for more than [0-9]+ seconds/, within: 1 }],
        fmt: "INFO: task hung in {1}",
        stack: callTrace(undefined, hungTaskFrameExtractor),
        kind: "hung-task",
      },
      { title: /INFO: (Freed|Allocated) in (.*)/, fmt: "INFO: {1} in {2}", corrupted: true },
      { title: /INFO:\s*$/, fmt: "INFO: corrupted", corrupted: true },
    ],
  },
  {
    header: "Unable to handle kernel",
    kind: "page-fault",
    formats: [
      {
        title: /Unable to handle kernel (paging request|NULL pointer dereference|access to user memory)/,
        fmt: "BUG: unable to handle kernel {1} in {2}",
        stack: ripThenTrace(),
      },
    ],
  },
  {
    header: "general protection fault",
    kind: "gpf",
    // A user-space fault reported by traps.c, not a kernel crash.
    ignores: [/general protection fault ip:/],
    formats: [{ title: /general protection fault.*:/, fmt: "general protection fault in {1}", stack: ripThenTrace() }],
  },
  {
    header: "stack segment: ",
    kind: "gpf",
    formats: [{ title: /stack segment: /, fmt: "stack segment fault in {1}", stack: ripThenTrace() }],
  },
  {
    header: "Kernel panic",
    kind: "panic",
    formats: [
      {
        title: /Kernel panic - not syncing: stack-protector:/,
        report: [{ re: pattern(String.raw`Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: {{FUNC}}`) }],
        fmt: "kernel panic: stack is corrupted in {1}",
        noStackTrace: true,
      },
      {
        title: /Kernel panic - not syncing: stack-protector:/,
        report: [{ re: /Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: [a-f0-9]+/ }],
        fmt: "kernel panic: stack is corrupted in {1}",
        stack: callTrace(["stack_chk"]),
      },
      {
        title: /Kernel panic - not syncing: corrupted stack end/,
        report: [{ re: /Kernel panic - not syncing: corrupted stack end detected inside scheduler/ }],
        fmt: "kernel panic: corrupted stack end in {1}",
        stack: callTrace(["schedule", "retint_kernel"], stallFrameExtractor),
      },
      { title: /Kernel panic - not syncing: kernel stack overflow/, fmt: "kernel stack overflow in {1}", stack: callTrace(undefined, stallFrameExtractor) },
      { title: /Kernel panic - not syncing: Attempted to kill init!/, fmt: "kernel panic: Attempted to kill init!" },
      { title: /Kernel panic - not syncing: Couldn't open N_TTY ldisc for [^ ]+ --- error -[0-9]+/, fmt: "kernel panic: Couldn't open N_TTY ldisc" },
      { title: /Kernel panic - not syncing: (?:Oops: )?Fatal exception/, fmt: "kernel panic: Fatal exception", corrupted: true },
      { title: /Kernel panic - not syncing: panic_on_warn set/, fmt: "kernel panic: panic_on_warn set", corrupted: true },
      { title: /Kernel panic - not syncing: hung_task: blocked tasks/, fmt: "kernel panic: hung_task: blocked tasks", corrupted: true },
      { title: /Kernel panic - not syncing: (.*)/, fmt: "kernel panic: {1}" },
    ],
  },
  {
    header: "PANIC: double fault",
    kind: "double-fault",
    formats: [{ title: /PANIC: double fault/, fmt: "PANIC: double fault in {1}", stack: { parts: [RIP_FRAME] } }],
  },
  {
    header: "kernel BUG",
    kind: "bug",
    formats: [
      { title: /kernel BUG at mm\/usercopy\.c/, fmt: "BUG: bad usercopy in {1}", stack: callTrace(["usercopy", "__check"]) },
      { title: /kernel BUG at lib\/list_debug\.c/, fmt: "BUG: corrupted list in {1}", stack: callTrace(), kind: "list-corruption", memoryCorruption: true },
      { title: /kernel BUG at (.*)/, fmt: "kernel BUG in {2}", stack: ripThenTrace() },
    ],
  },
  {
    header: "Kernel BUG",
    kind: "bug",
    formats: [{ title: /Kernel BUG (.*)/, fmt: "kernel BUG {1}" }],
  },
  {
    header: "BUG kmalloc-",
    kind: "slub-poison",
    memoryCorruption: true,
    formats: [{ title: /BUG kmalloc-.*: Object already free/, fmt: "BUG: Object already free" }],
  },
  {
    header: "divide error:",
    kind: "divide-error",
    formats: [{ title: /divide error: /, fmt: "divide error in {1}", stack: { parts: [RIP_FRAME] } }],
  },
  {
    header: "divide_error:",
    kind: "divide-error",
    formats: [{ title: /divide_error: /, fmt: "divide error in {1}", stack: { parts: [RIP_FRAME] } }],
  },
  {
    header: "invalid opcode:",
    kind: "invalid-opcode",
    formats: [{ title: /invalid opcode: /, fmt: "invalid opcode in {1}", stack: { parts: [RIP_FRAME] } }],
  },
  {
    header: "int3:",
    kind: "int3",
    formats: [{ title: /int3: /, fmt: "int3 in {1}", stack: ripThenTrace() }],
  },
  {
    header: "UBSAN:",
    kind: "ubsan",
    formats: [
      {
        title: /UBSAN:/,
        report: [{ re: /UBSAN: Undefined behaviour in/ }],
        fmt: "UBSAN: undefined-behaviour in {1}",
        stack: callTrace(["ubsan", "overflow"]),
      },
      {
        // Newer kernels name the check: "UBSAN: shift-out-of-bounds in net/foo.c:12:3".
        title: /UBSAN:/,
        report: [{ re: /UBSAN: ([a-z-]+) in/ }],
        fmt: "UBSAN: {1} in {2}",
        stack: callTrace(["ubsan", "overflow"]),
      },
    ],
  },
  {
    header: "Booting the kernel.",
    kind: "reboot",
    atLineStart: true,
    formats: [{ title: /Booting the kernel\./, fmt: "unexpected kernel reboot", noStackTrace: true }],
  },
  {
    header: "unregister_netdevice: waiting for",
    kind: "hang",
    formats: [{ title: /unregister_netdevice: waiting for (?:.*) to become free/, fmt: "unregister_netdevice: waiting for DEV to become free", noStackTrace: true }],
  },
  {
    header: "trusty: panic",
    kind: "trusty",
    formats: [
      {
        title: /trusty: panic.* ASSERT FAILED/,
        report: [{ re: /trusty: panic \(.*?\):(?: DEBUG)? ASSERT FAILED at \(.*?\): (.+)/ }],
        fmt: "trusty: ASSERT FAILED: {1}",
        noStackTrace: true,
      },
      { title: /trusty: panic.* ASSERT FAILED.*: *(.*)/, fmt: "trusty: ASSERT FAILED: {1}", corrupted: true },
      { title: /trusty: panic/, report: [{ re: /trusty: panic \(.*?\): (.+)/ }], fmt: "trusty: panic: {1}", noStackTrace: true },
    ],
  },
  {
    header: "Unhandled fault:",
    kind: "page-fault",
    formats: [{ title: /Unhandled fault:/, fmt: "Unhandled fault in {1}", stack: ripThenTrace() }],
  },
  {
    header: "Alignment trap:",
    kind: "page-fault",
    formats: [{ title: /Alignment trap:/, fmt: "Alignment trap in {1}", stack: ripThenTrace() }],
  },
  {
    header: "Internal error:",
    kind: "oops",
    formats: [{ title: /Internal error:/, fmt: "Internal error in {1}", stack: ripThenTrace() }],
  },
  {
    header: "VFS: Close: file count is 0",
    kind: "vfs",
    formats: [{ title: /VFS: Close: file count is 0/, fmt: "VFS: Close: file count is zero (use-after-free)", noStackTrace: true }],
  },
  {
    header: "VFS: Busy inodes after unmount",
    kind: "vfs",
    formats: [{ title: /VFS: Busy inodes after unmount/, fmt: "VFS: Busy inodes after unmount (use-after-free)", noStackTrace: true }],
  },
  {
    header: "SYZFATAL:",
    kind: "executor",
    formats: [{ title: /SYZFATAL:(.*)/, fmt: "SYZFATAL:{1}", noStackTrace: true }],
  },
  {
    header: "SYZFAIL:",
    kind: "executor",
    formats: [{ title: /SYZFAIL:(.*)/, fmt: "SYZFAIL:{1}", noStackTrace: true }],
  },
  {
    // A Go program's panic (the fuzzer's own tools); kernel "*_panic:" symbols are not.
    header: "panic:",
    kind: "executor",
    atLineStart: true,
    formats: [{ title: /panic: (.*)/, fmt: "panic: {1}", noStackTrace: true }],
  },
  {
    header: "fatal error:",
    kind: "executor",
    atLineStart: true,
    strict: true,
    ignores: [/fatal error: runtime: out of memory/, /fatal error: runtime: cannot allocate memory/],
    // A Go program's fatal error is followed by its goroutine dump.
    formats: [
      {
        title: /fatal error:/,
        report: [{ re: /fatal error:/ }, { re: /^(?:runtime stack:|goroutine [0-9]+ \[)|runtime\/[a-z_0-9]+\.go:[0-9]+/, within: 60 }],
        fmt: "go runtime error",
        noStackTrace: true,
      },
    ],
  },
];

/** Crash kinds that report corrupted memory (KASAN, KFENCE, SLUB, bad page, list corruption...). */
export const MEMORY_CORRUPTION_KINDS: ReadonlySet<string> = memoryCorruptionKinds(CRASH_FAMILIES);
