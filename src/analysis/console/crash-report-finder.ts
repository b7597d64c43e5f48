/**
 * Finds the first crash report in a console log and gives it its syzbot title: the first line
 * with a family header starts the report; the report keeps the lines of the same printk caller
 * context (so interleaved output of other CPUs and tasks stays out); the family's formats are
 * tried on it in order. One pass over the lines, each line cut to MAX_LINE for matching.
 */
import { CONTEXT_CONSOLE, type ConsoleLine } from "./console-line.js";
import { CRASH_FAMILIES, type CrashFamily, type CrashFormat, type ReportStep } from "./crash-families.js";
import { extractStackFrame } from "./stack-frame-extractor.js";
import { sanitizeTitle } from "./title-sanitizer.js";

export interface FoundCrash {
  title: string;
  family: CrashFamily;
  /** The format that gave the title; null when none matched and the header line itself is the title. */
  format: CrashFormat | null;
  /** The function the title names, when it names one. */
  frame: string | null;
  /** Why the report looks damaged ("" when it does not). */
  corrupted: string;
  /** Index (into the log's lines) of the report's first line. */
  start: number;
  /** The report's lines (same context as the first line), from the first line on. */
  lines: ConsoleLine[];
  /** Up to a few lines of the same context before the report (they often name the cause). */
  prefix: ConsoleLine[];
}

/** These can appear inside another report without starting a second one. */
const REPORT_START_IGNORES = [
  /invalid opcode: 0000/, /Kernel panic - not syncing/, /unregister_netdevice: waiting for/, /PANIC: double fault/,
  // arm prints "Internal error: Oops" after its fault line as part of the same report.
  /Internal error:/,
];

/** Messages that carry a stack but are not bugs; inside a report they mean another report interleaved. */
const INFO_WITH_STACK = ["vmalloc: allocation failure:", "FAULT_INJECTION: forcing a failure", "FAULT_FLAG_ALLOW_RETRY missing"];

/** A report is read over at most this many of its own lines and this many log lines (titles never need more). */
const MAX_REPORT_LINES = 2000;
const MAX_SCAN_LINES = 20000;
/** Headers of strict families that turn out not to be crashes are retried this often, then ignored. */
const MAX_STRICT_ATTEMPTS = 16;

const TASK_CONTEXT = /\[ *T[0-9]+\]/;
const CPU_CONTEXT = /\[ *C[0-9]+\]/;

/** One pass over a line tells whether any family header is in it at all (most lines have none). */
const ANY_HEADER = new RegExp(CRASH_FAMILIES.map((f) => f.header.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"));

function matchFamily(line: ConsoleLine): CrashFamily | null {
  if (!ANY_HEADER.test(line.raw)) return null;
  for (const family of CRASH_FAMILIES) {
    if (matchesHeader(line.raw, family, line.text)) return family;
  }
  return null;
}

const IDENT = /[A-Za-z0-9_]/;

/** Where the header starts a word in the line ("CAM_INFO:" or "BTF_INFO:" is not "INFO:"), or -1. */
function headerAt(raw: string, header: string): number {
  const wordStart = IDENT.test(header[0]);
  for (let at = raw.indexOf(header); at !== -1; at = raw.indexOf(header, at + 1)) {
    if (!wordStart || at === 0 || !IDENT.test(raw[at - 1])) return at;
  }
  return -1;
}

function matchesHeader(raw: string, family: CrashFamily, text: string): boolean {
  if (headerAt(raw, family.header) === -1) return false;
  if (family.atLineStart && !text.trimStart().startsWith(family.header)) return false;
  if (family.ignores) for (const re of family.ignores) if (re.test(raw)) return false;
  return true;
}

/** The first crash of the log, or null when the log has none. */
export function findFirstCrash(all: readonly ConsoleLine[]): FoundCrash | null {
  let strictFailures = 0;
  for (let i = 0; i < all.length; i++) {
    const family = matchFamily(all[i]);
    if (!family || (family.strict && strictFailures >= MAX_STRICT_ATTEMPTS)) continue;
    const found = reportAt(all, i, family);
    if (found) return found;
    strictFailures++;
  }
  return null;
}

function reportAt(all: readonly ConsoleLine[], start: number, family: CrashFamily): FoundCrash | null {
  const context = all[start].context;
  const { lines, reportEnd, endPos, prefix } = collectReport(all, start, context);
  let found = describe(lines.slice(0, reportEnd), family);
  let reportLines = lines;
  if (!found) {
    // The header is not in the same-context report (cut short): use the raw lines up to the last header.
    reportLines = all.slice(start, endPos + 1);
    found = describe(reportLines, family);
  }
  if (family.strict && !found?.format) return null;
  found ??= {
    title: all[start].raw.slice(all[start].raw.indexOf(family.header)),
    format: null,
    frame: null,
    corrupted: "no format matched",
  };
  return { ...found, family, start, lines: reportLines, prefix };
}

interface Described {
  title: string;
  format: CrashFormat | null;
  frame: string | null;
  corrupted: string;
}

function collectReport(
  all: readonly ConsoleLine[],
  start: number,
  context: string,
): { lines: ConsoleLine[]; reportEnd: number; endPos: number; prefix: ConsoleLine[] } {
  const maxPrefix = TASK_CONTEXT.test(context) ? 50 : 5;
  const prefix: ConsoleLine[] = [];
  for (let i = Math.max(0, start - 400); i < start; i++) {
    const l = all[i];
    if (l.context === context && l.text.length !== 0 && !l.questionable) {
      prefix.push(l);
      if (prefix.length > maxPrefix) prefix.shift();
    }
  }
  const lines: ConsoleLine[] = [];
  let reportEnd = 0;
  let endPos = start;
  let secondReport = false;
  let textLines = 0;
  let skipText = false;
  let cpuTraceback = false;
  const realContext = context !== "" && context !== CONTEXT_CONSOLE;
  const scanEnd = Math.min(all.length, start + MAX_SCAN_LINES);
  for (let i = start; i < scanEnd && lines.length < MAX_REPORT_LINES; i++) {
    const l = all[i];
    const oopsLine = i === start;
    if (matchFamily(l)) {
      endPos = i;
      if (!oopsLine && !secondReport && !REPORT_START_IGNORES.some((re) => re.test(l.raw))) secondReport = true;
    } else if (!oopsLine && !secondReport && INFO_WITH_STACK.some((s) => l.raw.includes(s))) {
      secondReport = true;
    }
    if (!oopsLine && (l.questionable || (l.context !== context && (!cpuTraceback || !CPU_CONTEXT.test(l.context))))) continue;
    textLines++;
    let skipLine = skipText;
    if (l.raw.includes("Disabling lock debugging due to kernel taint")) skipLine = true;
    else if (l.raw.includes("Sending NMI from CPU")) cpuTraceback = true;
    else if (textLines > 22 && (l.raw.includes("Kernel panic - not syncing") || l.raw.includes("WARNING: possible circular locking dependency detected"))) {
      // panic_on_warn and oops-induced lockdep reports repeat the real report's stack: drop them.
      skipText = true;
      skipLine = true;
    }
    if (!oopsLine && skipLine) continue;
    lines.push(l);
    if (!secondReport || realContext) reportEnd = lines.length;
  }
  return { lines, reportEnd, endPos, prefix };
}

interface Pos {
  line: number;
  col: number;
  m: RegExpExecArray;
}

function firstMatch(texts: readonly string[], re: RegExp, from = 0, to = texts.length): Pos | null {
  const end = Math.min(to, texts.length);
  for (let i = from; i < end; i++) {
    const m = re.exec(texts[i]);
    if (m) return { line: i, col: m.index, m };
  }
  return null;
}

function before(a: Pos, b: { line: number; col: number }): number {
  return a.line !== b.line ? a.line - b.line : a.col - b.col;
}

/** Match the report steps in order; captures of all steps, and the first step's line. */
function matchReport(texts: readonly string[], steps: readonly ReportStep[]): { captures: string[]; line: number } | null {
  const first = firstMatch(texts, steps[0].re);
  if (!first) return null;
  const captures = first.m.slice(1).map((c) => c ?? "");
  let line = first.line;
  let col = first.col + first.m[0].length;
  for (let s = 1; s < steps.length; s++) {
    const step = steps[s];
    let hit: Pos | null = null;
    if (step.sameLine) {
      const rest = texts[line].slice(col);
      const m = step.re.exec(rest);
      if (m) hit = { line, col: col + m.index, m };
    }
    if (!hit) {
      const limit = step.within === undefined ? texts.length : Math.min(texts.length, line + 1 + step.within);
      for (let i = line + 1; i < limit; i++) {
        const m = step.re.exec(texts[i]);
        if (m) {
          hit = { line: i, col: m.index, m };
          break;
        }
      }
    }
    if (!hit) return null;
    for (let k = 1; k < hit.m.length; k++) captures.push(hit.m[k] ?? "");
    line = hit.line;
    col = hit.col + hit.m[0].length;
  }
  return { captures, line: first.line };
}

function format(fmt: string, args: readonly string[]): string {
  return fmt.replace(/\{([0-9]+)\}/g, (_, n: string) => args[Number(n) - 1] ?? "");
}

/** Title the report with the family's formats (syzkaller's extractDescription). */
function describe(lines: readonly ConsoleLine[], family: CrashFamily): Described | null {
  const texts = lines.map((l) => l.text);
  let best: { line: number; col: number } = { line: Infinity, col: Infinity };
  let result: Described | null = null;
  for (const f of family.formats) {
    // A title further down than the best one so far cannot win: do not scan past it.
    const t = firstMatch(texts, f.title, 0, best.line === Infinity ? texts.length : best.line + 1);
    if (!t || before(t, best) > 0) continue;
    if (before(t, best) === 0 && result) continue;
    if (before(t, best) < 0) {
      result = null;
      best = { line: t.line, col: t.col };
    }
    let args: string[];
    let from = t.line;
    if (f.report) {
      const r = matchReport(texts, f.report);
      if (!r) continue;
      args = r.captures;
      from = r.line;
    } else {
      args = t.m.slice(1).map((c) => c ?? "");
    }
    let frame: string | null = null;
    let corrupted = "";
    if (f.stack) {
      const ex = extractStackFrame(texts.slice(from), f.stack);
      corrupted = ex.corrupted;
      if (ex.frame === "") {
        corrupted ||= "no stack frame";
        args.push("corrupted");
      } else {
        frame = ex.frame;
        args.push(ex.frame);
      }
    }
    if (f.corrupted) corrupted ||= "the report is truncated";
    result = { title: format(f.fmt, args), format: f, frame, corrupted };
  }
  if (result) return result;
  const h = texts.findIndex((t) => t.includes(family.header));
  if (h === -1) return null;
  const text = texts[h];
  return { title: text.slice(text.indexOf(family.header)), format: null, frame: null, corrupted: "" };
}

const TITLE_FRAME = /.* in ((?:<[a-zA-Z0-9_: ]+>)?[a-zA-Z0-9_:]+)/;

/** The sanitised title and the frame it names. */
export function finishTitle(found: FoundCrash): { title: string; frame: string | null } {
  const title = sanitizeTitle(found.title);
  let frame = found.frame;
  if (!frame) {
    const m = TITLE_FRAME.exec(title);
    if (m && m[1] !== "corrupted") frame = m[1];
  }
  return { title, frame };
}
