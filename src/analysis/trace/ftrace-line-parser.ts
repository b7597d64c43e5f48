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

  /**
   * Finds the event name. False when the line is no event line (function-tracer lines
   * `func <-parent` and garbage). `<stack trace>` counts as an event named "<stack trace>".
   */
  locate(line: string): boolean {
    this.line = line;
    let p = line.indexOf(": ", this.skip);
    while (p !== -1) {
      // The timestamp ends right before ": ": digits, '.', digits.
      let q = p - 1;
      const stop = p - 11 > 0 ? p - 11 : 0;
      while (q > stop && isDigit(line.charCodeAt(q))) q--;
      if (q < p - 1 && line.charCodeAt(q) === 46 && isDigit(line.charCodeAt(q - 1))) break;
      p = line.indexOf(": ", p + 2);
    }
    if (p === -1) {
      this.tsEnd = -1;
      return false;
    }
    // From here on the line has a timestamp; -2 says "a line, but no event" (function tracer).
    this.tsEnd = -2;
    const start = p + 2;
    let end: number;
    if (line.charCodeAt(start) === 60 /* '<' */) {
      end = line.indexOf(">", start) + 1;
      if (end === 0) return false;
    } else {
      end = line.indexOf(":", start);
      if (end === -1 || end - start > 64 || end === start) return false;
      const space = line.indexOf(" ", start);
      if (space !== -1 && space < end) return false; // function tracer line
    }
    this.tsEnd = p;
    this.nameStart = start;
    this.nameEnd = end;
    let f = end + 1;
    while (line.charCodeAt(f) === 32) f++;
    this.fieldsStart = f;
    return true;
  }

  name(): string {
    return this.line.slice(this.nameStart, this.nameEnd);
  }

  /** Parses timestamp, CPU, pid and comm of the located line. False when they are malformed. */
  header(): boolean {
    const line = this.line;
    const tsEnd = this.tsEnd;
    let t = tsEnd - 1;
    while (t > 0 && line.charCodeAt(t - 1) !== 32 && line.charCodeAt(t - 1) !== 93) t--;
    this.ts = parseTimestamp(line, t, tsEnd);
    if (Number.isNaN(this.ts)) return false;
    const close = line.lastIndexOf("]", t);
    if (close === -1) return false;
    const open = line.lastIndexOf("[", close);
    if (open === -1) return false;
    const cpu = parseDecimal(line, open + 1, close);
    if (Number.isNaN(cpu)) return false;
    this.cpu = cpu;
    let left = open;
    while (left > this.skip && line.charCodeAt(left - 1) === 32) left--;
    if (line.charCodeAt(left - 1) === 41 /* ')' */) {
      // `(   4200)` or `(-------)`: the tgid column
      const tg = line.lastIndexOf("(", left - 1);
      if (tg > this.skip) {
        left = tg;
        while (left > this.skip && line.charCodeAt(left - 1) === 32) left--;
      }
    }
    const dash = line.lastIndexOf("-", left - 1);
    if (dash < this.skip) return false;
    const pid = parseDecimal(line, dash + 1, left);
    if (Number.isNaN(pid)) return false;
    this.pid = pid;
    let s = this.skip;
    while (s < dash && line.charCodeAt(s) === 32) s++;
    this.task = line.slice(s, dash);
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
export function fieldAt(s: string, key: string, from: number): number {
  let i = s.indexOf(key, from);
  while (i !== -1) {
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
