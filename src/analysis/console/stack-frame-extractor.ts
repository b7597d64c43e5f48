/**
 * Picks the function a crash title names, the way syzkaller does: walk the report in "parts"
 * (e.g. the RIP line, then "Call Trace:", then the frames), collect frame names, and take the
 * first one that is not reporting machinery (skip patterns). Stalls and hung tasks use their
 * own pickers, because their top frames are random victims of the real loop or lock.
 */
import { ARM_FRAME_LINE, CALL_TRACE, COMMON_SKIPS, CORRUPTED_FRAME_LINE, FRAME_LINE, STACK_START } from "./frame-patterns.js";

/** The marker for "parse the frames of a stack trace here". */
export const STACK = Symbol("stack");
export type StackPart = RegExp | typeof STACK;

export type FrameExtractor = (frames: string[]) => string;

export interface StackSpec {
  parts: StackPart[];
  /** Tried when `parts` finds no frame. */
  parts2?: StackPart[];
  /** Extra skip patterns (regex sources, matched anywhere in the frame name). */
  skip?: string[];
  /** Custom picker over the collected (non-skipped) frames; "" when none fits. */
  extractor?: FrameExtractor;
}

export interface ExtractedFrame {
  frame: string;
  /** Why the stack looks unreliable, "" when it does not. */
  corrupted: string;
}

const skipCache = new Map<string, RegExp>();

function skipRegex(extra: readonly string[] | undefined): RegExp {
  const key = (extra ?? []).join("|");
  let re = skipCache.get(key);
  if (!re) {
    re = new RegExp([...COMMON_SKIPS, ...(extra ?? [])].join("|"));
    skipCache.set(key, re);
  }
  return re;
}

function matchesAny(line: string, res: readonly RegExp[]): boolean {
  for (const re of res) if (re.test(line)) return true;
  return false;
}

/** Syscall wrappers name the syscall: "__x64_sys_mremap" and "__se_sys_mremap" group with "sys_mremap"/"mremap". */
const FRAME_PREFIXES = ["SYSC_", "SyS_", "sys_", "__se_sys_", "__do_sys_", "__x64_", "__ia32_", "__arm64_", "__riscv_"];

/** Plain function name of a frame: syscall wrapper prefixes dropped, simple C++ manglings undone. */
export function cleanFrame(frame: string): string {
  let f = frame;
  const mangled = /^_Z([0-9]+)/.exec(f);
  if (mangled) {
    const len = Number(mangled[1]);
    const name = f.slice(mangled[0].length, mangled[0].length + len);
    if (name.length === len) f = name;
  }
  for (const prefix of FRAME_PREFIXES) if (f.startsWith(prefix)) f = f.slice(prefix.length);
  return f;
}

function pushCaptures(frames: string[], m: RegExpExecArray): void {
  for (let i = 1; i < m.length; i++) {
    const f = m[i];
    if (f) frames.push(cleanFrame(f));
  }
}

function frameMatch(line: string): RegExpExecArray | null {
  return FRAME_LINE.exec(line) ?? ARM_FRAME_LINE.exec(line);
}

/** Collect frames part by part over `lines` (the report from the title line on). */
function collectFrames(lines: readonly string[], parts: readonly StackPart[]): { frames: string[]; ok: boolean } {
  const frames: string[] = [];
  let ok = true;
  let i = 0;
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p];
    if (part === STACK) {
      for (; i < lines.length; i++) {
        const ln = lines[i];
        if (CORRUPTED_FRAME_LINE.test(ln)) {
          ok = false;
          i++;
          break;
        }
        if (matchesAny(ln, STACK_START)) {
          i++;
          break;
        }
        const nextPart = parts[p + 1];
        if (nextPart !== undefined && nextPart !== STACK) {
          const m = nextPart.exec(ln);
          if (m) {
            pushCaptures(frames, m);
            p++;
            i++;
            break;
          }
        }
        const m = frameMatch(ln);
        if (m) pushCaptures(frames, m);
      }
    } else {
      for (; i < lines.length; i++) {
        const ln = lines[i];
        if (CORRUPTED_FRAME_LINE.test(ln)) {
          ok = false;
          i++;
          break;
        }
        const m = part.exec(ln);
        if (!m) continue;
        pushCaptures(frames, m);
        i++;
        break;
      }
    }
  }
  return { frames, ok };
}

function extractWith(lines: readonly string[], spec: StackSpec, parts: readonly StackPart[]): ExtractedFrame {
  const { frames, ok } = collectFrames(lines, parts);
  const skip = skipRegex(spec.skip);
  const kept = frames.filter((f) => !skip.test(f));
  const frame = spec.extractor ? (kept.length ? spec.extractor(kept) : "") : (kept[0] ?? "");
  return { frame, corrupted: ok ? "" : "fault injection frames in the stack" };
}

/** The function the title names, or "" when the report has no usable frame. */
export function extractStackFrame(lines: readonly string[], spec: StackSpec): ExtractedFrame {
  const first = extractWith(lines, spec, spec.parts);
  if (first.frame !== "" || !spec.parts2) return first;
  return extractWith(lines, spec, spec.parts2);
}

/** Frames where a stall's looping code is entered: the title names the function just above. */
const STALL_ANCHORS = [
  "process_one_work", "do_syscall_", "do_fast_syscall_", "sysenter_dispatch", "tracesys_phase2",
  "netif_receive_skb", "do_softirq", "call_timer_fn", "__run_hrtimer", "__hrtimer_run_queues", "tasklet_action", "_run_timers", "run_timer_softirq",
  "run_ksoftirqd", "smpboot_thread_fn", "kthread", "start_secondary", "cpu_startup_entry", "ret_from_fork",
  "vfs_write", "vfs_read", "vfs_iter_read", "vfs_iter_write", "do_iter_read", "do_iter_write",
  "vfs_ioctl", "ksys_ioctl", "compat_ioctl", "compat_sys_ioctl", "blkdev_driver_ioctl", "blkdev_ioctl",
  "^call_read_iter", "^call_write_iter", "do_iter_readv_writev", "^call_mmap", "mmap_region", "do_mmap",
  "do_dentry_open", "vfs_open", "^sock_sendmsg", "^sock_recvmsg", "^sock_release", "^__sock_release",
  "__sys_setsockopt", "kernel_setsockopt", "sock_common_setsockopt", "__sys_listen", "kernel_listen",
  "sk_common_release", "^sock_mmap", "__sys_accept", "kernel_accept", "^sock_do_ioctl", "^sock_ioctl",
  "^compat_sock_ioctl", "^nfnetlink_rcv_msg", "^rtnetlink_rcv_msg", "^netlink_dump",
  "^(?:compat_)?(?:SYSC|SyS|sys|__sys|___sys|__do_sys|__se_sys|__x64_sys)_(?:socketpair|connect|ioctl)",
  "__do_fault", "do_page_fault", "^page_fault$", "__fput", "task_work_run",
  "exit_to_usermode", "exit_to_user_mode", "smp_call_function", "^ret_fast_syscall",
].map((s) => new RegExp(s));

const SYSCALL_PREFIXES = ["__x64_", "SYSC_", "SyS_", "compat_SYSC_", "compat_SyS_", "__ia32_sys_", "__arm64_", "ksys_"];

/** rcu stalls and soft lockups: the frame just above the first dispatch anchor. */
export const stallFrameExtractor: FrameExtractor = (frames) => {
  let prev = frames[0];
  for (const frame of frames) {
    if (matchesAny(frame, STALL_ANCHORS)) {
      if (frame.includes("smp_call_function")) prev = "smp_call_function";
      for (const prefix of SYSCALL_PREFIXES) if (prev.startsWith(prefix)) prev = prev.slice(prefix.length);
      return prev;
    }
    prev = frame;
  }
  return "";
};

const HUNG_ANCHORS: ReadonlyArray<[string, string]> = [
  ["rtnl_lock", ""],
  ["synchronize_rcu", "synchronize_rcu"],
  ["synchronize_srcu", "synchronize_rcu"],
  ["synchronize_net", "synchronize_rcu"],
  ["synchronize_sched", "synchronize_rcu"],
];
const HUNG_SKIPS = ["sched", "_lock", "_slowlock", "down", "rwsem", "completion", "kthread",
  "wait", "synchronize", "context_switch", "__switch_to", "cancel_delayed_work", "rcu_barrier"];

/** Hung tasks: group the common rtnl/synchronize_rcu hangs, else the first non-waiting frame. */
export const hungTaskFrameExtractor: FrameExtractor = (frames) => {
  for (const frame of frames) {
    for (const [anchor, replacement] of HUNG_ANCHORS) {
      if (frame.includes(anchor)) return replacement || frame;
    }
  }
  for (const frame of frames) {
    if (!HUNG_SKIPS.some((s) => frame.includes(s))) return frame;
  }
  return "";
};

/** "Call Trace:" then its frames. */
export const CALL_TRACE_PARTS: StackPart[] = [CALL_TRACE, STACK];
