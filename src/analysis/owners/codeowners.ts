import type { Owner } from "../model/region.js";
import { globSource } from "./glob.js";

/**
 * GitHub CODEOWNERS: one `pattern owner...` per line, `#` comments, the LAST matching line
 * wins. Patterns follow gitignore: a leading or inner `/` anchors at the repository root,
 * otherwise the pattern matches at any depth; a trailing `/` (or a match on a directory
 * name) covers everything below; `*` stays in one segment, `**` spans segments. A matching
 * line with no owners leaves the file unowned. Like GitHub, `!` negation and `[ ]` ranges
 * are not supported: such lines are skipped with a warning.
 */

export interface CodeownersRule {
  pattern: string;
  owners: string[];
  /** 1-based line in the file. */
  line: number;
  re: RegExp;
}

export interface CodeownersFile {
  name: string;
  rules: CodeownersRule[];
  warnings: string[];
}

/** A pattern to a RegExp over repository-relative paths (no leading `/`). */
function compilePattern(pattern: string): RegExp {
  let p = pattern;
  const directoryOnly = p.endsWith("/");
  if (directoryOnly) p = p.replace(/\/+$/, "");
  const anchored = p.startsWith("/") || p.includes("/");
  p = p.replace(/^\/+/, "");
  let body = globSource(p, { path: true }).slice(1, -1); // drop ^ and $
  if (!anchored) body = `(?:[^/]*/)*${body}`;
  // The pattern names the path itself (a file) or a directory: then everything below it.
  // GitHub: `docs/*` is the files directly in docs, not those of docs/sub/.
  const tail = directoryOnly ? "/[\\s\\S]*" : /(^|[^*])\*$/.test(p) ? "" : "(?:/[\\s\\S]*)?";
  return new RegExp(`^${body}${tail}$`);
}

export function parseCodeowners(text: string, name = "CODEOWNERS"): CodeownersFile {
  const rules: CodeownersRule[] = [];
  const warnings: string[] = [];
  const lines = typeof text === "string" ? text.split(/\r?\n/) : [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    // `\#` is a literal #; an unescaped # starts a comment
    const line = raw.replace(/(^|[^\\])#.*$/, "$1").trim();
    if (line === "") continue;
    const fields = line.split(/\s+/);
    const pattern = fields[0]!.replace(/\\#/g, "#");
    const owners = fields.slice(1);
    if (pattern.startsWith("!")) {
      warnings.push(`${name}:${i + 1}: negated pattern ${pattern} is not supported by CODEOWNERS; skipped`);
      continue;
    }
    // indexOf, not /\[.*\]/: that regex is quadratic on a long run of `[`.
    if (pattern.includes("[") && pattern.indexOf("]", pattern.indexOf("[")) > 0) {
      warnings.push(`${name}:${i + 1}: character range in ${pattern} is not supported by CODEOWNERS; skipped`);
      continue;
    }
    const bad = owners.find((o) => !/^@[\w.-]+(?:\/[\w.-]+)?$/.test(o) && !isEmailAddress(o));
    if (bad !== undefined) warnings.push(`${name}:${i + 1}: ${bad} is neither @user, @org/team nor an email address`);
    rules.push({ pattern, owners, line: i + 1, re: compilePattern(pattern) });
  }
  return { name, rules, warnings };
}

/** `name@host.tld` (no whitespace, one `@`, a dot inside the domain), checked without a backtracking regex. */
function isEmailAddress(o: string): boolean {
  const at = o.indexOf("@");
  if (at <= 0 || o.indexOf("@", at + 1) >= 0 || /\s/.test(o)) return false;
  return o.slice(at + 2, -1).includes(".");
}

/** The line that owns the file: the last one that matches, or null. */
export function matchCodeowners(parsed: CodeownersFile, file: string | null): CodeownersRule | null {
  if (!file) return null;
  const path = file.replace(/^\.?\//, "");
  for (let i = parsed.rules.length - 1; i >= 0; i--) {
    if (parsed.rules[i]!.re.test(path)) return parsed.rules[i]!;
  }
  return null;
}

/** One Owner per handle of the winning line (its first handle is the primary owner). */
export function codeownersOwners(parsed: CodeownersFile, file: string | null): Owner[] {
  const rule = matchCodeowners(parsed, file);
  if (!rule) return [];
  const reason = `${parsed.name}:${rule.line}: ${file} matches ${rule.pattern}`;
  return rule.owners.map((owner) => ({ owner, label: null, reason }));
}
