/**
 * The hot path of the trace scanner: locating the parts of one ftrace / trace-cmd text line with
 * a few indexOf calls and char-code loops, no regex. `locate()` only finds the event name, so that
 * the millions of lines the scan does not care about cost one indexOf and one Map lookup;
 * `header()` parses comm, pid, CPU and timestamp only for lines that are kept.
 *
 * Line shape (formats.md §2): `<comm>-<pid> [(<tgid>)] [<cpu>] [<flags>] <sec>.<usec>: <event>: <fields>`.
 * comm may hold '-', spaces, ':' and '()', so the header is read from the CPU bracket outwards.
 */
export class FtraceLineCursor {
  line = "";
  /** Characters of a `trace-cmd report` file prefix to skip ("trace.dat: "). */
  skip = 0;
  nameStart = 0;
  nameEnd = 0;
  fieldsStart = 0;
  /** Index of the ':' that ends the timestamp. */
  tsEnd = 0;
  // Filled by header():
  ts = 0;
  cpu = 0;
  pid = 0;
  task = "";

  /** End (exclusive) of the current line within `line`. */
  end = 0;
  /** Timestamp of the located line (read by locate(), which needs it to find the event name). */
  lineTs = 0;

  /**
   * Finds the event name of the line [start, end) of `text` (a whole chunk: no slice per line).
   * False when the line is no event line (function-tracer lines `func <-parent` and garbage).
   * `<stack trace>` counts as an event named "<stack trace>".
   */
  locate(text: string, start = 0, end = text.length): boolean {
    this.line = text;
    this.end = end;
    // Single-character searches: V8 runs those with a vectorised scan, two-character ones without.
    let p = text.indexOf(":", start + this.skip);
    let ts = NaN;
    while (p !== -1 && p < end) {
      // The timestamp ends right before ": ": digits, '.', digits. Reading it is the check.
      if (text.charCodeAt(p + 1) === 32 && isDigit(text.charCodeAt(p - 1))) {
        ts = timestampBefore(text, p, start);
        if (ts === ts) break; // not NaN
      }
      p = text.indexOf(":", p + 1);
    }
    this.lineTs = ts;
    if (p === -1 || p >= end) {
      this.tsEnd = -1;
      return false;
    }
    // From here on the line has a timestamp; -2 says "a line, but no event" (function tracer).
    this.tsEnd = -2;
    const nameStart = p + 2;
    let nameEnd: number;
    if (text.charCodeAt(nameStart) === 60 /* '<' */) {
      nameEnd = text.indexOf(">", nameStart) + 1;
      if (nameEnd === 0 || nameEnd > end) return false;
    } else {
      // The name runs to the next ':'. A function-tracer line (`func <-parent`) has none; a
      // "name" with a space in it is no tracepoint and simply matches none in the name table.
      nameEnd = text.indexOf(":", nameStart);
      if (nameEnd === -1 || nameEnd >= end || nameEnd === nameStart || nameEnd - nameStart > 64) return false;
    }
    this.tsEnd = p;
    this.nameStart = nameStart;
    this.nameEnd = nameEnd;
    let f = nameEnd + 1;
    while (f < end && text.charCodeAt(f) === 32) f++;
    this.fieldsStart = f;
    this.lineStart = start;
    return true;
  }

  /** Start of the current line within `line`. */
  lineStart = 0;

  /** Makes `line` the current line alone (positions rebased), for the slower per-event parsing. */
  materialize(): void {
    const base = this.lineStart;
    if (base === 0 && this.end === this.line.length) return;
    // A copy, not a slice: a slice would keep the whole 48 KiB chunk alive as long as any
    // event or live mapping refers to a field of this line.
    this.line = ownCopy(this.line.slice(base, this.end));
    this.nameStart -= base;
    this.nameEnd -= base;
    this.fieldsStart -= base;
    this.tsEnd -= base;
    this.end -= base;
    this.lineStart = 0;
  }

  name(): string {
    return this.line.slice(this.nameStart, this.nameEnd);
  }

  /** Parses timestamp, CPU, pid and comm of the located line. False when they are malformed. */
  header(): boolean {
    return this.parseHeader(true);
  }

  /** Timestamp, CPU and pid only: no string is allocated (page faults, which are many). */
  headerNumbers(): boolean {
    return this.parseHeader(false);
  }

  private parseHeader(withTask: boolean): boolean {
    const line = this.line;
    const tsEnd = this.tsEnd;
    let t = tsEnd - 1;
    while (t > this.lineStart && line.charCodeAt(t - 1) !== 32 && line.charCodeAt(t - 1) !== 93) t--;
    this.ts = parseTimestamp(line, t, tsEnd);
    if (Number.isNaN(this.ts)) return false;
    const close = line.lastIndexOf("]", t);
    if (close === -1) return false;
    const open = line.lastIndexOf("[", close);
    if (open === -1) return false;
    const cpu = parseDecimal(line, open + 1, close);
    if (Number.isNaN(cpu)) return false;
    this.cpu = cpu;
    const first = this.lineStart + this.skip;
    if (open < first) return false;
    let left = open;
    while (left > first && line.charCodeAt(left - 1) === 32) left--;
    if (line.charCodeAt(left - 1) === 41 /* ')' */) {
      // `(   4200)` or `(-------)`: the tgid column
      const tg = line.lastIndexOf("(", left - 1);
      if (tg > first) {
        left = tg;
        while (left > first && line.charCodeAt(left - 1) === 32) left--;
      }
    }
    const dash = line.lastIndexOf("-", left - 1);
    if (dash < first) return false;
    const pid = parseDecimal(line, dash + 1, left);
    if (Number.isNaN(pid)) return false;
    this.pid = pid;
    if (!withTask) return true;
    let s = first;
    while (s < dash && line.charCodeAt(s) === 32) s++;
    this.task = fromLatin1(line.slice(s, dash));
    return true;
  }
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Decimal integer in [from, to), spaces around allowed. NaN when there is none. */
export function parseDecimal(s: string, from: number, to: number): number {
  while (from < to && s.charCodeAt(from) === 32) from++;
  while (to > from && s.charCodeAt(to - 1) === 32) to--;
  if (from >= to) return NaN;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return NaN;
    n = n * 10 + (c - 48);
  }
  return n;
}

/** `810.932786` in [from, to) as seconds. */
export function parseTimestamp(s: string, from: number, to: number): number {
  let sec = 0;
  let i = from;
  let digits = 0;
  for (; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) break;
    if (c < 48 || c > 57) return NaN;
    sec = sec * 10 + (c - 48);
    digits++;
  }
  if (digits === 0 || i === to) return NaN;
  let frac = 0;
  let scale = 1;
  for (i++; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return NaN;
    frac = frac * 10 + (c - 48);
    scale *= 10;
  }
  return sec + frac / scale;
}

/**
 * Index right after `key` (e.g. "pfn=") where it starts a field: at `from` or after a space, so
 * that "pfn=" does not match inside "start_pfn=". -1 when absent.
 */
export function fieldAt(s: string, key: string, from: number, end = s.length): number {
  let i = s.indexOf(key, from);
  while (i !== -1 && i < end) {
    if (i === from || s.charCodeAt(i - 1) === 32) return i + key.length;
    i = s.indexOf(key, i + 1);
  }
  return -1;
}

/** End of the token starting at `i` (next space or end of line). */
export function tokenEnd(s: string, i: number): number {
  const e = s.indexOf(" ", i);
  return e === -1 ? s.length : e;
}

/** Index right after the digits the last parseNumberAt read (no tuple allocated per call). */
export const numberEnd = { at: 0 };

/**
 * A number at `i`: `0x`-prefixed hex, or decimal (pre-5.14 kernels print `pfn=` in decimal).
 * `hexDefault` reads unprefixed digits as hex (dma_addr, phys_addr). NaN when there is none.
 * Values beyond 2^53 lose precision: fine for frames and physical addresses, not for keys.
 */
export function parseNumberAt(s: string, i: number, hexDefault = false): number {
  let hex = hexDefault;
  if (s.charCodeAt(i) === 48 && (s.charCodeAt(i + 1) === 120 || s.charCodeAt(i + 1) === 88)) {
    hex = true;
    i += 2;
  }
  let n = 0;
  let digits = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (hex && c >= 97 && c <= 102) d = c - 87;
    else if (hex && c >= 65 && c <= 70) d = c - 55;
    else break;
    n = hex ? n * 16 + d : n * 10 + d;
    digits++;
  }
  numberEnd.at = i;
  return digits === 0 ? NaN : n;
}

/** `CPU:3 [LOST 1842 EVENTS]` (ftrace) or `CPU:3 [12 EVENTS DROPPED]` (trace-cmd); null when not a marker. */
export function parseLostMarker(line: string, from: number): { cpu: number; count: number | null } | null {
  if (!line.startsWith("CPU:", from)) return null;
  const open = line.indexOf("[", from);
  if (open === -1 || line.indexOf("EVENTS", open) === -1) return null;
  const cpu = parseDecimal(line, from + 4, open);
  if (Number.isNaN(cpu)) return null;
  let i = open + 1;
  while (i < line.length && !isDigit(line.charCodeAt(i))) i++;
  let j = i;
  while (j < line.length && isDigit(line.charCodeAt(j))) j++;
  const count = j > i ? Number(line.slice(i, j)) : null;
  return { cpu, count };
}

/**
 * Tracepoint names looked up straight in the chunk text, without slicing the name out: bucketed
 * by length and first character, then confirmed with startsWith. No allocation per line.
 */
export class NameTable<T> {
  private readonly buckets = new Map<number, [string, T][]>();

  constructor(entries: Iterable<[string, T]>) {
    for (const [name, value] of entries) {
      const key = (name.length << 8) | (name.charCodeAt(0) & 0xff);
      const list = this.buckets.get(key);
      if (list) list.push([name, value]);
      else this.buckets.set(key, [[name, value]]);
    }
  }

  get(text: string, start: number, end: number): T | undefined {
    const list = this.buckets.get(((end - start) << 8) | (text.charCodeAt(start) & 0xff));
    if (list === undefined) return undefined;
    const len = end - start;
    for (let i = 0; i < list.length; i++) {
      // A char loop: cheaper than a builtin call for names this short.
      const name = list[i][0];
      let k = len - 1;
      while (k > 0 && name.charCodeAt(k) === text.charCodeAt(start + k)) k--;
      if (k === 0) return list[i][1];
    }
    return undefined;
  }
}

/** Lines are read as latin1 (one char per byte); text shown to people is re-read as UTF-8 where it has high bytes. */
export function fromLatin1(text: string): string {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return Buffer.from(text, "latin1").toString("utf8");
  return text;
}

/** A string that does not share memory with the (large) string it was cut from. */
export function ownCopy(text: string): string {
  return Buffer.from(text, "latin1").toString("latin1");
}

/**
 * The `sec.usec` timestamp that ends right before `tsEnd` (the ':' after it), read backwards in
 * one pass. NaN when malformed.
 */
export function timestampBefore(s: string, tsEnd: number, lineStart: number): number {
  let i = tsEnd - 1;
  let frac = 0;
  let scale = 1;
  let c = s.charCodeAt(i);
  while (i > lineStart && c >= 48 && c <= 57) {
    frac += (c - 48) * scale;
    scale *= 10;
    c = s.charCodeAt(--i);
  }
  if (c !== 46 || scale === 1) return NaN;
  c = s.charCodeAt(--i);
  let sec = 0;
  let mul = 1;
  while (i >= lineStart && c >= 48 && c <= 57) {
    sec += (c - 48) * mul;
    mul *= 10;
    c = s.charCodeAt(--i);
  }
  return mul === 1 ? NaN : sec + frac / scale;
}
