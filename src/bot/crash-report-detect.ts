/**
 * A cheap test for "this text holds a kernel crash report", used to decide whether an issue
 * without a trigger label is worth triaging. It looks for the opening lines of the crash
 * families the console parser knows; the full parse happens later, in the worker.
 */

const MARKERS: RegExp[] = [
  /\bBUG: (?:KASAN|KFENCE|KMSAN|unable to handle|Bad page|kernel NULL pointer|scheduling while atomic|soft lockup|sleeping function)/,
  /\bKASAN: [a-z-]+ (?:Read|Write|in)\b/,
  /\bgeneral protection fault\b.*\b(?:SMP|KASAN|PTI|probably for non-canonical)/,
  /\bKernel panic - not syncing\b/,
  /\bUnable to handle kernel (?:paging request|NULL pointer|access|data access|instruction fetch)/,
  /\bOops(?:: |\[#\d+\])/,
  /\bkernel BUG at [\w/.-]+:\d+/,
  /\bWARNING: CPU: \d+ PID: \d+ at /,
  /\bCall Trace:/,
  /\bRIP: 00\d\d:|\bpc : \[?<?[0-9a-f]{8,}|\bNIP: *\[?[0-9a-f]{8,}/,
  // A kernel-timestamped line opening a report: "[  12.345678] BUG: ...", "[ 1.2][ T42] WARNING: ..."
  /^[^\S\n]*\[ *\d+\.\d+\](?:\[ *[TC]\d+\])? *(?:BUG|WARNING|INFO|UBSAN|KCSAN|KMSAN|PANIC|divide error|unreferenced object|possible deadlock)\b/m,
  // Old-style symbolised stack frames: "[<ffffffff83f7ac8b>] sctp_sendmsg+0x2a3b/0x38a0"
  /\[<[0-9a-f]{8,16}>\] *\(?[\w.]+\+0x[0-9a-f]+\/0x[0-9a-f]+/,
  /\bpossible (?:circular|recursive) locking dependency\b|\bunreferenced object 0x[0-9a-f]+/,
  /\bDMAR: \[DMA (?:Read|Write)\]|\bAMD-Vi: Event logged \[IO_PAGE_FAULT|\bDMA-API: /,
  /\bSLUB: |\bObject already free\b|\bpoison overwritten\b/i,
  /\bMachine check events logged\b|\bEDAC \w+: \d+ (?:CE|UE)\b/,
];

/** Only the first bytes are examined, so a huge body costs no more than a small one. */
const SCAN_LIMIT = 256 * 1024;

export function looksLikeKernelCrash(text: string): boolean {
  const head = text.length > SCAN_LIMIT ? text.slice(0, SCAN_LIMIT) : text;
  for (const marker of MARKERS) if (marker.test(head)) return true;
  return false;
}
