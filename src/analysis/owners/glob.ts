/**
 * A small exact glob matcher for owner rules and CODEOWNERS.
 *
 * `*` any run of characters, `?` one character, `[abc]` / `[!abc]` a class, `\x` a literal x.
 * With `path: true`, `*` and `?` stay inside one path segment and `**` spans segments:
 * `a/**` is everything below a, `**\/b` is b at any depth, `a/**\/b` is b anywhere below a.
 * Compiled once into an anchored RegExp; no backtracking blow-up because every token is a
 * simple class or `.*`.
 */
export interface GlobOptions {
  /** `/`-separated path semantics (file patterns); otherwise `*` matches anything. */
  path?: boolean;
  /** Case-insensitive matching. */
  ignoreCase?: boolean;
}

const cache = new Map<string, RegExp>();

function escapeChar(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

/** The RegExp source for a glob, anchored at both ends. */
export function globSource(pattern: string, options: GlobOptions = {}): string {
  const path = options.path ?? false;
  const any = path ? "[^/]*" : "[\\s\\S]*";
  const one = path ? "[^/]" : "[\\s\\S]";
  let out = "";
  // A `[` with no `]` after it is a literal; knowing the last `]` keeps a run of `[` linear.
  const lastClose = pattern.lastIndexOf("]");
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\" && i + 1 < pattern.length) {
      out += escapeChar(pattern[++i]!);
    } else if (c === "*") {
      if (pattern[i + 1] === "*" && path) {
        // `**`: whole segments. `**/` may match no segment at all.
        const atSegmentStart = i === 0 || pattern[i - 1] === "/";
        i++;
        while (pattern[i + 1] === "*") i++;
        if (atSegmentStart && pattern[i + 1] === "/") {
          out += "(?:[^/]*/)*";
          i++;
        } else {
          out += "[\\s\\S]*";
        }
      } else {
        while (pattern[i + 1] === "*") i++;
        out += any;
      }
    } else if (c === "?") {
      out += one;
    } else if (c === "[") {
      const close = i + 2 <= lastClose ? pattern.indexOf("]", i + 2) : -1;
      if (close < 0) {
        out += "\\[";
        continue;
      }
      let body = pattern.slice(i + 1, close);
      let negate = false;
      if (body.startsWith("!") || body.startsWith("^")) {
        negate = true;
        body = body.slice(1);
      }
      const cls = body.replace(/[\\\]^]/g, (m) => `\\${m}`);
      out += negate ? `[^${cls}${path ? "/" : ""}]` : `[${cls}]`;
      i = close;
    } else {
      out += escapeChar(c);
    }
  }
  return `^${out}$`;
}

/** A compiled glob (cached: rules are matched many times). */
export function compileGlob(pattern: string, options: GlobOptions = {}): RegExp {
  const key = `${options.path ? "p" : "n"}${options.ignoreCase ? "i" : "c"}:${pattern}`;
  let re = cache.get(key);
  if (!re) {
    re = new RegExp(globSource(pattern, options), options.ignoreCase ? "i" : "");
    if (cache.size > 4096) cache.clear();
    cache.set(key, re);
  }
  return re;
}

export function globMatch(pattern: string, value: string, options: GlobOptions = {}): boolean {
  return compileGlob(pattern, options).test(value);
}
