/**
 * The source file to blame for a symbolised Linux crash report.
 *
 * In the spirit of syzkaller's pkg/report (Linux): cut the report out of the console log
 * (from the first crash header, same printk context, no unreliable `? ` frames, without the
 * panic_on_warn restatement), list every `path.c:line` / `path.h:line` in order, and return
 * the first one that is not infrastructure which merely reports, allocates, locks or
 * unwinds. When every file is infrastructure the first one is returned, so that a report
 * still reaches somebody.
 */

/** Files that report, allocate, lock, schedule, dispatch or unwind: they never own the bug. */
const NEVER_GUILTY: readonly RegExp[] = [
  // Inline helpers and generic library code (string, list, refcount, bug, kobject, ...).
  /\.h$/,
  /^lib\//,
  /^virt\/lib\//,
  /^arch\/[^/]+\/lib\//,
  // The detectors and reporters themselves.
  /^mm\/kasan\//,
  /^mm\/kmsan\//,
  /^mm\/kfence\//,
  /^kernel\/kcsan\//,
  /^kernel\/kcov\.c$/,
  /^mm\/kmemleak\.c$/,
  /^mm\/debug\.c$/, // dump_page
  /^mm\/page_owner\.c$/,
  /^kernel\/panic\.c$/,
  /^kernel\/printk\//,
  /^kernel\/stacktrace\.c$/,
  /^kernel\/trace\/trace_preemptirq\.c$/,
  /^fs\/proc\/generic\.c$/, // "proc_dir_entry already registered": the caller's bug
  /^fs\/sysfs\/dir\.c$/, // "cannot create duplicate filename": the caller's bug
  // Allocators: they hand out or take back memory for the real owner.
  /^mm\/sl[aou]b(?:_common)?\.c$/,
  /^mm\/page_alloc\.c$/,
  /^mm\/vmalloc\.c$/,
  /^mm\/percpu[^/]*$/,
  /^mm\/util\.c$/, // kmemdup, kvmalloc
  /^mm\/mempool\.c$/,
  /^mm\/dmapool\.c$/,
  /^mm\/memory\.c$/,
  /^mm\/folio-compat\.c$/, // one-line page->folio wrappers: the caller's page
  /^net\/core\/skbuff\.c$/,
  /^net\/core\/sock\.c$/,
  /^net\/core\/dev\.c$/,
  // The DMA API and the USB core check and map for drivers: a warning there is the driver's bug.
  /^kernel\/dma\/(?:debug|mapping|direct)\.c$/,
  /^drivers\/usb\/core\/urb\.c$/, // "URB submitted while active"
  // Locking, RCU, scheduling, timers, work: where code waits or is dispatched from.
  /^kernel\/locking\//,
  /^kernel\/rcu\//,
  /^kernel\/sched\//,
  /^kernel\/softirq\.c$/,
  /^kernel\/kthread\.c$/,
  /^kernel\/workqueue\.c$/,
  /^kernel\/irq_work\.c$/,
  /^kernel\/time\/timer\.c$/,
  /^kernel\/time\/hrtimer\.c$/,
  /^kernel\/time\/tick-sched\.c$/,
  // Generic inode lifecycle: iput/evict/writeback run the filesystem's own callbacks.
  /^fs\/inode\.c$/,
  /^fs\/fs-writeback\.c$/,
  // Architecture entry, exception, interrupt and unwinding code.
  /^kernel\/entry\//,
  /^arch\/[^/]+\/entry\//,
  /^arch\/[^/]+\/kernel\/entry[^/]*\.c$/,
  /^arch\/[^/]+\/kernel\/syscall\.c$/,
  /^arch\/[^/]+\/kernel\/traps\.c$/,
  /^arch\/[^/]+\/kernel\/stacktrace\.c$/,
  /^arch\/[^/]+\/kernel\/unwind[^/]*\.c$/,
  /^arch\/[^/]+\/kernel\/process[^/]*\.c$/, // __switch_to, show_stack, the idle loop
  /^arch\/[^/]+\/kernel\/irq(?:_\d+)?\.c$/,
  /^arch\/[^/]+\/kernel\/apic\//, // timer interrupt dispatch
  /^arch\/[^/]+\/mm\/fault\.c$/,
  /^arch\/[^/]+\/mm\/extable\.c$/,
  /^arch\/[^/]+\/mm\/physaddr\.c$/,
  /^trusty\//, // Trusty sources live outside the kernel tree
];

/** In a hung-task report the top frames are the sleep itself: blame who waits, not how. */
const NEVER_GUILTY_WHEN_HUNG: readonly RegExp[] = [
  /^mm\/filemap\.c$/, // waiting for a page lock
  /^mm\/truncate\.c$/,
  /^mm\/page-writeback\.c$/, // waiting for writeback
];

/** Lines that start a crash report (syzbot's headers). Kept loose: a false start only moves the cut earlier. */
const CRASH_HEADER =
  /(?:^|\s)(?:BUG:|WARNING:|INFO:|KASAN:|KMSAN:|KCSAN:|UBSAN:|general protection fault|Unable to handle kernel|unable to handle kernel|kernel BUG|Kernel BUG|BUG kmalloc-|divide error:|stack segment:|kernel stack overflow|PANIC: double fault|Internal error:|unreferenced object|Kernel panic - not syncing|trusty: panic|\[ BUG: )/;

/** Header-looking lines that are not crashes. */
const NOT_A_CRASH = /INFO: lockdep is turned off|INFO: Stall ended before state dump/;

/** `[  123.456789]` or `[  123.456789][ T1234]` console prefix, as printk writes it. */
const CONSOLE_PREFIX = /^(?:\*\* \d+ printk messages dropped \*\* )?(?:.* login: )?(?:<\d+>)?\[ *\d+\.\d+\](\[ *[CT]\d+\])? /;

/** `.c:123` / `.h:45`: the end of a `path:line` reference (fixed width, so scanning is linear). */
const FILE_LINE_END = /\.[ch]:\d/g;
/** Longest line looked at: the tail of a pathological line never names a frame. */
const MAX_LINE = 4096;

function isPathChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) || // a-z
    (code >= 65 && code <= 90) || // A-Z
    (code >= 48 && code <= 57) || // 0-9
    code === 95 || // _
    code === 45 || // -
    code === 46 || // .
    code === 47 // /
  );
}

/** A report longer than this before the panic line already holds the real stack. */
const PANIC_RESTATEMENT_AFTER = 22;

interface Line {
  context: string;
  text: string;
}

function splitContext(raw: string): Line {
  const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
  const m = CONSOLE_PREFIX.exec(line);
  if (!m) return { context: "", text: line };
  return { context: m[1] ?? "console", text: line.slice(m[0].length) };
}

function isCrashHeader(text: string): boolean {
  return CRASH_HEADER.test(text) && !NOT_A_CRASH.test(text);
}

/** An unreliable frame: `? foo+0x1/0x2` (x86) or `... (unreliable)` (powerpc). */
function isQuestionable(text: string): boolean {
  if (text.includes("<EOI>")) return false;
  return /^\s*(?:\[<[0-9a-f]+>\])? \? /.test(text) || text.endsWith(" (unreliable)");
}

/** The lines of the crash report proper, as text without console prefixes. */
export function crashReportLines(reportText: string): string[] {
  const lines = reportText.split("\n").map(splitContext);
  let start = lines.findIndex((l) => isCrashHeader(l.text));
  if (start < 0) start = 0;
  const context = lines[start]?.context ?? "";
  const out: string[] = [];
  let cpuTraceback = false;
  for (let i = start; i < lines.length; i++) {
    const { context: ctx, text } = lines[i]!;
    if (i !== start) {
      if (isQuestionable(text)) continue;
      const sameContext = ctx === context || (cpuTraceback && /^\[ *C\d+\]$/.test(ctx));
      if (!sameContext) continue;
    }
    if (text.includes("Sending NMI from CPU")) cpuTraceback = true;
    if (
      i !== start &&
      out.length >= PANIC_RESTATEMENT_AFTER &&
      (text.includes("Kernel panic - not syncing") || text.includes("WARNING: possible circular locking dependency detected"))
    ) {
      // panic_on_warn (or a lockdep report the oops provoked) restates a stack we already have
      break;
    }
    if (text.includes("Disabling lock debugging due to kernel taint")) continue;
    out.push(text);
  }
  return out;
}

/**
 * Lines that name code near the bug without being on its stack: locks held and where they
 * were taken, where interrupts were last switched, who allocated a register's memory.
 */
const SIDE_NOTE = /^\s*#\d+: .*\bat: |(?:hard|soft)irqs last +(?:en|dis)abled at|^\s*Register r\w+ information:/;

/** Every source file named on the report's stacks, in order of appearance. */
export function sourceFiles(lines: readonly string[]): string[] {
  const files: string[] = [];
  for (const full of lines) {
    if (!full.includes(":")) continue;
    const line = full.length > MAX_LINE ? full.slice(0, MAX_LINE) : full;
    if (SIDE_NOTE.test(line)) continue;
    FILE_LINE_END.lastIndex = 0;
    for (let m = FILE_LINE_END.exec(line); m; m = FILE_LINE_END.exec(line)) {
      // walk back over the path; the name must end in a word character before `.c`
      const dot = m.index;
      const before = line.charCodeAt(dot - 1);
      if (dot === 0 || before === 46 || before === 47) continue;
      let start = dot;
      while (start > 0 && isPathChar(line.charCodeAt(start - 1))) start--;
      files.push(cleanPath(line.slice(start, dot + 2)));
    }
  }
  return files;
}

const TREE_TOP_DIR = /^(?:arch|block|certs|crypto|drivers|fs|include|init|io_uring|ipc|kernel|lib|mm|net|rust|samples|scripts|security|sound|tools|usr|virt)$/;

/**
 * `./net/../net/core/dev.c` -> `net/core/dev.c`. An absolute path or a checkout-directory
 * prefix (`linux-src-3.18/net/...`, `/build/linux/kernel/...`) is cut at the tree's first
 * top-level directory; other prefixes stay (`trusty/...` is not the kernel's tree).
 */
function cleanPath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  if (parts.length > 1 && !TREE_TOP_DIR.test(parts[0]!) && (path.startsWith("/") || /^linux/i.test(parts[0]!))) {
    const top = parts.findIndex((p, i) => i < parts.length - 1 && TREE_TOP_DIR.test(p));
    if (top > 0) return parts.slice(top).join("/");
  }
  return parts.join("/");
}

export function isNeverGuilty(file: string, hung = false): boolean {
  return NEVER_GUILTY.some((re) => re.test(file)) || (hung && NEVER_GUILTY_WHEN_HUNG.some((re) => re.test(file)));
}

function firstGuilty(files: readonly string[], hung: boolean): string | null {
  return files.find((f) => !isNeverGuilty(f, hung)) ?? null;
}

/** The source file to blame, or null when the report names no source file at all. */
export function guiltyFile(reportText: string): string | null {
  if (typeof reportText !== "string" || reportText.length === 0) return null;
  const lines = crashReportLines(reportText);
  const header = lines[0] ?? "";
  const hung = /blocked for more than \d+ seconds/.test(header);
  // An RCU stall report is mostly the stall detector's own frames: the stalled code is
  // what the timer interrupt interrupted, so look there first.
  if (/detected stall/.test(header)) {
    const irq = lines.findIndex((l) => /apic_timer_interrupt\+0x/.test(l));
    if (irq >= 0) {
      const found = firstGuilty(sourceFiles(lines.slice(irq)), hung);
      if (found) return found;
    }
  }
  const files = sourceFiles(lines);
  return firstGuilty(files, hung) ?? files[0] ?? null;
}
