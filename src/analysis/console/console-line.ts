/**
 * One console-log line with its printk prefix taken apart: timestamp, caller context
 * (`[ T4242]` / `[C3]`), the text after the prefix, and whether it is an unreliable (`?`)
 * stack frame. Lines are cut to MAX_LINE characters for matching, so that a 50 MB single
 * line costs one slice, not a regex scan of 50 MB per pattern.
 */
export interface ConsoleLine {
  /** 1-based line number in the artifact. */
  no: number;
  /** Raw line (without "\r"), cut to MAX_LINE. */
  raw: string;
  /** Text after the printk prefix. */
  text: string;
  /** "" (no printk prefix), "console" (timestamp only) or the caller tag ("[ T4242]", "[    C3]"). */
  context: string;
  /** printk seconds since boot, null without a timestamp. */
  ts: number | null;
  /** An unreliable frame (` ? func+0x..` or powerpc `(unreliable)`); text has the marker removed. */
  questionable: boolean;
}

export const MAX_LINE = 4096;

export const CONTEXT_CONSOLE = "console";

const DROPPED = /^\*\* [0-9]+ printk messages dropped \*\* /;
const LEVEL = /^<[0-9]+>/;
const JOURNAL = /^(?:[A-Z][a-z]{2} [ 0-9]?[0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(?:[+-][0-9:]+|Z)?) \S+ kernel: /;
const WALL_STAMP = /^\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]?[0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4}\] /;
const STAMP = /^\[ *([0-9]+\.[0-9]+)\](\[ *[CT][0-9]+\])? /;

/** Split a log into lines; linear in the input size. */
export function splitConsoleLines(text: string): ConsoleLine[] {
  const lines: ConsoleLine[] = [];
  let pos = 0;
  let no = 0;
  const n = text.length;
  while (pos <= n) {
    let next = text.indexOf("\n", pos);
    if (next === -1) next = n;
    no++;
    const end = Math.min(next, pos + MAX_LINE);
    let raw = text.slice(pos, end);
    if (raw.endsWith("\r")) raw = raw.slice(0, -1);
    lines.push(parseConsoleLine(raw, no));
    if (next === n) break;
    pos = next + 1;
  }
  return lines;
}

/** Take one raw line apart (see ConsoleLine). */
export function parseConsoleLine(raw: string, no: number): ConsoleLine {
  let rest = raw;
  const dropped = DROPPED.exec(rest);
  if (dropped) rest = rest.slice(dropped[0].length);
  // A login prompt can run into the first kernel line ("syzkaller login: [   12.3] ...").
  const login = rest.indexOf(" login: ");
  if (login !== -1 && rest.indexOf("[", login) === login + 8) rest = rest.slice(login + 8);
  const level = LEVEL.exec(rest);
  if (level) rest = rest.slice(level[0].length);
  // journalctl -k / syslog: "Nov 26 12:00:00 host kernel: [  812.000456] ..."
  const journal = JOURNAL.exec(rest);
  if (journal) rest = rest.slice(journal[0].length);
  const stamp = STAMP.exec(rest);
  if (!stamp) {
    // dmesg -T: "[Thu Nov 26 12:00:00 2026] ..." (wall clock, not the trace time base).
    const wall = WALL_STAMP.exec(rest);
    if (wall) return finishLine(no, raw, rest.slice(wall[0].length), CONTEXT_CONSOLE, null);
    if (journal) return finishLine(no, raw, rest, CONTEXT_CONSOLE, null);
    return { no, raw, text: raw, context: "", ts: null, questionable: false };
  }
  // syzkaller strips up to the first "] " of the raw line; with a caller tag that is after the tag.
  const cut = raw.indexOf("] ");
  return finishLine(no, raw, raw.slice(cut + 2), stamp[2] ?? CONTEXT_CONSOLE, Number(stamp[1]));
}

/** Mark and unwrap unreliable frames (" ? func+0x..", powerpc "(unreliable)"). */
function finishLine(no: number, raw: string, text: string, context: string, ts: number | null): ConsoleLine {
  let questionable = false;
  if (!text.includes("<EOI>")) {
    const q = text.indexOf(" ? ");
    if (q !== -1) {
      text = text.slice(q + 2);
      questionable = true;
    } else if (text.endsWith(" (unreliable)")) {
      text = text.slice(0, -13);
      questionable = true;
    }
  }
  return { no, raw, text, context, ts, questionable };
}
