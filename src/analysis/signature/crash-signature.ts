import type { VerdictKind } from "../model/verdict-kind.js";

/**
 * A crash signature that stays the same for the same bug across reruns and machines:
 * `verdict|driver|frame|kind`, e.g. `stale-dma|mlx5_core|__handle_mm_fault|bug-bad-page-map`.
 *
 * - `driver`: the suspect driver, `-` when none.
 * - `frame`: the guilty function without offsets (`+0x1c/0x80`), compiler clone suffixes
 *   (`.isra.0`, `.constprop.3`, `.cold`) or module tags (`[mlx5_core]`); when unknown, the
 *   function the title names; `-` when neither is known.
 * - `kind`: what went wrong, from the crash title with its `in <where>` tail, addresses,
 *   numbers, pids, timestamps and task names removed, as a lowercase slug; `-` without a title.
 *
 * The title's tail is dropped because it is either the frame (already in the signature)
 * or the task that happened to hit the bug, which changes from run to run.
 */
export interface CrashSignatureInput {
  verdict: VerdictKind;
  driver: string | null;
  guiltyFrame: string | null;
  title: string | null;
}

const NONE = "-";

/** `mlx5e_napi_poll.cold+0x1c/0x80 [mlx5_core]` -> `mlx5e_napi_poll`. */
export function normalizeFrame(frame: string | null): string | null {
  if (!frame) return null;
  let f = frame.trim();
  f = f.replace(/^(?:\[<?[0-9a-fx]+>?\]\s*)+/i, ""); // [<ffffffff81234567>]
  f = f.replace(/^(?:[?]\s+)/, "");
  f = f.replace(/\s*\[[\w.-]+\]\s*$/, ""); // module tag
  f = f.replace(/\+0x[0-9a-f]+(?:\/0x[0-9a-f]+)?$/i, "");
  f = f.replace(/(?:\.(?:isra|constprop|part|cold|llvm|lto_priv|localalias|clone|specialized)(?:\.\d+)*)+$/, "");
  f = f.replace(/(?:\.\d+)+$/, "");
  f = f.trim();
  return /^[A-Za-z_$][\w$.]*$/.test(f) ? f : f.replace(/[^\w.$-]+/g, "_").replace(/^_+|_+$/g, "") || null;
}

/** The driver name as the kernel prints it, without spaces or the separator. */
function normalizeDriver(driver: string | null): string | null {
  const d = driver?.trim().replace(/[\s|]+/g, "_");
  return d ? d : null;
}

/** Task names as the kernel prints them, with their per-run numbers. */
const TASK = /\b(kworker|syz-executor|syz-fuzzer|ksoftirqd|migration|rcuop|rcuos|cpuhp|irq|kthreadd|jbd2|loop|kswapd|writeback|scsi_eh|khugepaged)(?:[/.:-]?[\w.:+-]*\d[\w.:+-]*)?/g;

/** The crash title reduced to what went wrong: stable words only. */
export function titleKind(title: string | null): string | null {
  if (!title) return null;
  let t = title;
  t = t.replace(/\[\s*\d+\.\d+\]/g, " "); // printk timestamps
  t = t.replace(/\[\s*[CT]\d+\]/g, " "); // printk caller ids
  t = t.replace(/\[[^\]]*:\d+\]/g, " "); // [syz-executor.2:3705]
  t = t.replace(/\[#\d+\].*$/, " "); // oops counter and the kernel's config flags (PREEMPT SMP KASAN)
  t = t.replace(/\((?:Not tainted|Tainted:[^)]*)\)|\bNot tainted\b/g, " ");
  t = t.replace(/\s+in\s+process\s+\S+/g, " "); // the task that happened to hit it
  t = t.replace(/\btask\s+\S+?:\d+/g, "task");
  t = t.replace(/\s+in:?\s+\S+(?:\s+\[[\w.-]+\])?\s*$/, ""); // "in <function|task>" tail
  t = t.replace(/\bat\s+(?:\S+\/)?\S+\.[chS]:\d+!?/g, " "); // kernel BUG at mm/slub.c:123!
  t = t.replace(TASK, "$1");
  t = t.replace(/\(?_{2,}ptrval_{2,}\)?/g, " "); // hashed pointers
  t = t.replace(/\b0x[0-9a-f]+\b/gi, " ");
  t = t.replace(/\b[0-9a-f]{8,}\b/gi, " "); // bare addresses
  t = t.replace(/\+0x[0-9a-f]+\/0x[0-9a-f]+/gi, " ");
  t = t.replace(/\b(pid|tgid|cpu|pfn|addr|address|comm|pc|lr|ip)\s*[:=#]\s*\S+/gi, "$1"); // key:value pairs
  t = t.replace(/\d+(?:\.\d+)?/g, " "); // counts, sizes, seconds, CPU numbers
  const slug = t
    .toLowerCase()
    .replace(/[^a-z_]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "")
    .split("-")
    .reduce((kept, word) => (kept.length + word.length < 64 ? (kept ? `${kept}-${word}` : word) : kept), "");
  return slug || null;
}

/** The function a syzbot-style title names: `... in <function>` (or `in <caller>/<callee>`: the caller). */
function titleFrame(title: string | null): string | null {
  const m = title ? /\s+in:?\s+([A-Za-z_][\w.]*)(?:\/[A-Za-z_][\w.]*)*(?:\+0x[0-9a-f]+\/0x[0-9a-f]+)?(?:\s+\[[\w.-]+\])?\s*$/.exec(title) : null;
  return m ? normalizeFrame(m[1]!) : null;
}

export function crashSignature(input: CrashSignatureInput): string {
  const driver = normalizeDriver(input.driver);
  const frame = normalizeFrame(input.guiltyFrame) ?? titleFrame(input.title);
  const kind = titleKind(input.title);
  return [input.verdict, driver ?? NONE, frame ?? NONE, kind ?? NONE].join("|");
}
