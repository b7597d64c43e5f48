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
  /** Tree-relative pattern text. */
  clean: string;
  /** Only for patterns with wildcards: most F: entries are plain paths, compared as strings. */
  re: RegExp | null;
  /** get_maintainer.pl's pattern depth: slashes, +1 for a file (no trailing slash); -1 for a leading wildcard. */
  depth: number;
  slashes: number;
  directory: boolean;
}

const compiled = new Map<string, CompiledPattern>();

function slashCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 47) n++;
  return n;
}

function compileFilePattern(pattern: string): CompiledPattern {
  let c = compiled.get(pattern);
  if (c) return c;
  const clean = pattern.replace(/^\.?\//, "");
  const wild = /[*?]/.test(clean);
  // get_maintainer.pl: `*` -> `.*`, `?` -> `.`, everything else literal, matched from the start
  const re = wild ? new RegExp(`^${clean.replace(/[\\^$.+()[\]{}|*?]/g, (ch) => (ch === "*" ? ".*" : ch === "?" ? "." : `\\${ch}`))}`) : null;
  const directory = clean.endsWith("/");
  const slashes = slashCount(clean);
  let depth = slashes + (directory ? 0 : 1);
  if (clean.startsWith("*")) depth = -1;
  c = { clean, re, depth, slashes, directory };
  if (compiled.size > 50_000) compiled.clear();
  compiled.set(pattern, c);
  return c;
}

/** get_maintainer.pl's file_match_pattern: a directory matches below it; a file pattern at the same depth. */
function fileMatches(file: string, fileSlashes: number, pattern: string): CompiledPattern | null {
  const c = compileFilePattern(pattern);
  if (c.re === null) {
    // A plain path: the file itself, or (get_maintainer checks the disk) a directory above it.
    if (c.directory) return file.startsWith(c.clean) ? c : null;
    return file === c.clean || file.startsWith(`${c.clean}/`) ? c : null;
  }
  if (!c.re.test(file)) return null;
  if (c.directory || fileSlashes === c.slashes) return c;
  return null;
}

const regexes = new Map<string, RegExp | null>();

/** Regexes come from the repository: keep them short and free of nested quantifiers. Cached. */
function safeRegex(source: string): RegExp | null {
  let re = regexes.get(source);
  if (re !== undefined) return re;
  re = null;
  if (source.length <= 300 && !/\([^)]*[+*][^)]*\)[+*{]/.test(source)) {
    try {
      re = new RegExp(source.replace(/\s+/g, "")); // Perl's /x: whitespace is not part of the pattern
    } catch {
      re = null;
    }
  }
  if (regexes.size > 20_000) regexes.clear();
  regexes.set(source, re);
  return re;
}

export interface MaintainersMatch {
  section: MaintainersSection;
  depth: number;
  /** `F: drivers/net/` or `N: mlx5` or `K: \bmlx5_` */
  entry: string;
}

type Ranked = MaintainersMatch & { order: number; length: number };

function ranked(matches: Ranked[]): MaintainersMatch[] {
  matches.sort((a, b) => b.depth - a.depth || b.length - a.length || a.order - b.order);
  return matches.map(({ section, depth, entry }) => ({ section, depth, entry }));
}

/**
 * Every section that claims the file, most specific first. Sections that claim it by F: or
 * N: speak first; a K: keyword (the report mentions their code) only when none does, so the
 * sanitizer that caught a bug is not blamed for it; a catch-all (THE REST's `F: *\/`, depth
 * -1 after a leading wildcard) only when nobody else does.
 */
export function matchMaintainers(parsed: MaintainersFile, file: string | null, reportText: string | null = null): MaintainersMatch[] {
  const path = file?.replace(/^\.?\//, "") ?? null;
  const byFile: Ranked[] = [];
  const catchAll: Ranked[] = [];
  if (path) {
    const pathSlashes = slashCount(path);
    parsed.sections.forEach((section, order) => {
      let best: Ranked | null = null;
      for (const f of section.files) {
        const c = fileMatches(path, pathSlashes, f);
        if (c && (!best || c.depth > best.depth || (c.depth === best.depth && f.length > best.length))) {
          best = { section, depth: c.depth, entry: `F: ${f}`, order, length: f.length };
        }
      }
      if (!best) {
        const n = section.fileRegexes.find((r) => safeRegex(r)?.test(path));
        if (n !== undefined) best = { section, depth: 0, entry: `N: ${n}`, order, length: n.length };
      }
      if (!best || section.excludes.some((x) => fileMatches(path, pathSlashes, x))) return;
      (best.depth >= 0 ? byFile : catchAll).push(best);
    });
  }
  if (byFile.length > 0) return ranked(byFile);
  if (reportText) {
    const text = reportText.slice(0, 64 * 1024);
    const byKeyword: Ranked[] = [];
    parsed.sections.forEach((section, order) => {
      const k = section.keywords.find((r) => safeRegex(r)?.test(text));
      if (k !== undefined) byKeyword.push({ section, depth: 0, entry: `K: ${k}`, order, length: k.length });
    });
    if (byKeyword.length > 0) return ranked(byKeyword);
  }
  return ranked(catchAll);
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
