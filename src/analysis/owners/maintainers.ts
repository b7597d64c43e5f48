import type { Owner } from "../model/region.js";

/**
 * A Linux-style MAINTAINERS file and who it names for a source file, ranked the way
 * scripts/get_maintainer.pl ranks: `F:` patterns by depth (a deeper pattern wins), `X:`
 * excludes a section, `N:` (regex on the file name) and `K:` (regex on the report text)
 * match at the lowest rank, and catch-alls such as THE REST's `F: *\/` only count when
 * nothing else matched.
 */

export interface MaintainersSection {
  title: string;
  /** 1-based line of the title, for messages. */
  line: number;
  maintainers: string[];
  lists: string[];
  status: string | null;
  files: string[];
  excludes: string[];
  fileRegexes: string[];
  keywords: string[];
}

export interface MaintainersFile {
  name: string;
  sections: MaintainersSection[];
  warnings: string[];
}

const TAG = /^([A-Z]):[ \t]*(.*?)\s*$/;

export function parseMaintainers(text: string, name = "MAINTAINERS"): MaintainersFile {
  const sections: MaintainersSection[] = [];
  const warnings: string[] = [];
  let current: MaintainersSection | null = null;
  let tagged = false;
  const lines = typeof text === "string" ? text.split(/\r?\n/) : [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") {
      current = null;
      continue;
    }
    const tag = TAG.exec(line);
    if (tag) {
      if (!current) continue; // tag lines before any title belong to the preamble
      tagged = true;
      const value = tag[2]!;
      if (value === "") continue;
      switch (tag[1]) {
        case "M":
          current.maintainers.push(value);
          break;
        case "L":
          current.lists.push(value);
          break;
        case "S":
          current.status = value;
          break;
        case "F":
          current.files.push(value);
          break;
        case "X":
          current.excludes.push(value);
          break;
        case "N":
          current.fileRegexes.push(value);
          break;
        case "K":
          current.keywords.push(value);
          break;
        default:
          break;
      }
      continue;
    }
    if (current && tagged) continue; // free text inside a section
    if (current && !tagged) {
      // a multi-line preamble paragraph: the last untagged line before the tags is the title
      current.title = line.trim();
      current.line = i + 1;
      continue;
    }
    current = { title: line.trim(), line: i + 1, maintainers: [], lists: [], status: null, files: [], excludes: [], fileRegexes: [], keywords: [] };
    tagged = false;
    sections.push(current);
  }
  const useful = sections.filter((s) => s.files.length + s.fileRegexes.length + s.keywords.length > 0);
  if (typeof text === "string" && text.trim() !== "" && useful.length === 0) {
    warnings.push(`${name}: no section with F:, N: or K: entries, so it names nobody`);
  }
  return { name, sections: useful, warnings };
}

interface CompiledPattern {
  re: RegExp;
  /** get_maintainer.pl's pattern depth: slashes, +1 for a file (no trailing slash); -1 for a leading wildcard. */
  depth: number;
  slashes: number;
  directory: boolean;
  /** A plain path without wildcards: also matches as a directory (get_maintainer checks the disk). */
  plain: boolean;
}

const compiled = new Map<string, CompiledPattern>();

function compileFilePattern(pattern: string): CompiledPattern {
  let c = compiled.get(pattern);
  if (c) return c;
  const clean = pattern.replace(/^\.?\//, "");
  const source = clean.replace(/[\\^$.+()[\]{}|*?]/g, (ch) => (ch === "*" ? ".*" : ch === "?" ? "." : `\\${ch}`));
  const directory = clean.endsWith("/");
  const slashes = (clean.match(/\//g) ?? []).length;
  let depth = slashes + (directory ? 0 : 1);
  if (clean.startsWith("*")) depth = -1;
  c = { re: new RegExp(`^${source}`), depth, slashes, directory, plain: !/[*?]/.test(clean) };
  if (compiled.size > 20_000) compiled.clear();
  compiled.set(pattern, c);
  return c;
}

/** get_maintainer.pl's file_match_pattern: a directory matches below it; a file pattern at the same depth. */
function fileMatches(file: string, pattern: string): CompiledPattern | null {
  const c = compileFilePattern(pattern);
  if (!c.re.test(file)) return null;
  if (c.directory) return c;
  const fileSlashes = (file.match(/\//g) ?? []).length;
  if (fileSlashes === c.slashes) return c;
  if (c.plain && file.startsWith(`${pattern.replace(/^\.?\//, "")}/`)) return c;
  return null;
}

/** Regexes come from the repository: keep them short and free of nested quantifiers. */
function safeRegex(source: string, flags = ""): RegExp | null {
  if (source.length > 300 || /\([^)]*[+*][^)]*\)[+*{]/.test(source)) return null;
  try {
    return new RegExp(source.replace(/\s+/g, ""), flags); // Perl's /x: whitespace is not part of the pattern
  } catch {
    return null;
  }
}

export interface MaintainersMatch {
  section: MaintainersSection;
  depth: number;
  /** `F: drivers/net/` or `N: mlx5` or `K: \bmlx5_` */
  entry: string;
}

/** Every section that claims the file (or, by K:, the report), most specific first. */
export function matchMaintainers(parsed: MaintainersFile, file: string | null, reportText: string | null = null): MaintainersMatch[] {
  const matches: (MaintainersMatch & { order: number; length: number })[] = [];
  const path = file?.replace(/^\.?\//, "") ?? null;
  const text = reportText ? reportText.slice(0, 64 * 1024) : null;
  parsed.sections.forEach((section, order) => {
    let best: { depth: number; entry: string; length: number } | null = null;
    if (path) {
      if (section.excludes.some((x) => fileMatches(path, x))) return;
      for (const f of section.files) {
        const c = fileMatches(path, f);
        if (c && (!best || c.depth > best.depth || (c.depth === best.depth && f.length > best.length))) {
          best = { depth: c.depth, entry: `F: ${f}`, length: f.length };
        }
      }
      if (!best) {
        const n = section.fileRegexes.find((r) => safeRegex(r)?.test(path));
        if (n !== undefined) best = { depth: 0, entry: `N: ${n}`, length: n.length };
      }
    }
    if (!best && text) {
      const k = section.keywords.find((r) => safeRegex(r)?.test(text));
      if (k !== undefined) best = { depth: 0, entry: `K: ${k}`, length: k.length };
    }
    if (best) matches.push({ section, depth: best.depth, entry: best.entry, order, length: best.length });
  });
  matches.sort((a, b) => b.depth - a.depth || b.length - a.length || a.order - b.order);
  // Sections that claim the file speak first; a K: keyword (the report mentions their code,
  // e.g. the sanitizer that caught the bug) only when none does; a catch-all (`F: */`,
  // depth -1 after a leading wildcard) only when nobody else does.
  const byFile = matches.filter((m) => m.depth >= 0 && !m.entry.startsWith("K:"));
  const byKeyword = matches.filter((m) => m.entry.startsWith("K:"));
  const chosen = byFile.length > 0 ? byFile : byKeyword.length > 0 ? byKeyword : matches;
  return chosen.map(({ section, depth, entry }) => ({ section, depth, entry }));
}

function sectionOwner(section: MaintainersSection): string {
  if (section.maintainers.length > 0) return section.maintainers.join(", ");
  if (section.lists.length > 0) return section.lists.join(", ");
  return section.title;
}

/** Owners from a MAINTAINERS file for the guilty file, most specific section first. */
export function maintainersOwners(parsed: MaintainersFile, file: string | null, reportText: string | null = null): Owner[] {
  return matchMaintainers(parsed, file, reportText).map(({ section, entry }) => {
    const status = section.status && !/^(maintained|supported)$/i.test(section.status) ? ` (S: ${section.status})` : "";
    return { owner: sectionOwner(section), label: null, reason: `${parsed.name}: ${section.title}, ${entry}${status}` };
  });
}
