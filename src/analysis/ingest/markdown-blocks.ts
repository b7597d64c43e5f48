/** One fenced code block of a Markdown text. */
export interface FencedBlock {
  /** 1-based position among the blocks of the text. */
  index: number;
  /** The info string after the opening fence (`console`, `text`, ...), possibly empty. */
  info: string;
  text: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The text ended before a closing fence. */
  unterminated: boolean;
}

// Container prefixes GitHub allows before a fence: blockquote markers and list markers.
const PREFIX = /^((?:[ \t]*>)*)([ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?)/;
const OPEN = /^(`{3,}|~{3,})(.*)$/;

interface OpenFence {
  char: string;
  length: number;
  /** Columns of indentation to strip from content lines (the fence's own indentation). */
  indent: number;
  quotes: number;
  info: string;
  line: number;
  body: string[];
}

function width(ws: string): number {
  let n = 0;
  for (const c of ws) n += c === "\t" ? 4 - (n % 4) : 1;
  return n;
}

function stripQuotes(line: string, quotes: number): string {
  let rest = line;
  for (let i = 0; i < quotes; i++) {
    const m = /^[ \t]{0,3}>[ ]?/.exec(rest);
    if (!m) break;
    rest = rest.slice(m[0].length);
  }
  return rest;
}

function stripIndent(line: string, indent: number): string {
  let i = 0;
  let col = 0;
  while (i < line.length && col < indent && (line[i] === " " || line[i] === "\t")) {
    col += line[i] === "\t" ? 4 - (col % 4) : 1;
    i++;
  }
  return line.slice(i);
}

/**
 * The fenced code blocks of a Markdown text (``` and ~~~, any info string, fences indented
 * inside lists or quotes, a last fence left open runs to the end). Linear; never throws.
 */
export function extractFencedBlocks(markdown: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  const lines = markdown.split(/\r\n|\n|\r/);
  let open: OpenFence | null = null;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    if (open) {
      const inner = stripQuotes(line, open.quotes);
      const t = inner.trim();
      if (t.length >= open.length && t[0] === open.char && /^(`+|~+)$/.test(t) && t.length === t.split(open.char).length - 1) {
        blocks.push({ index: blocks.length + 1, info: open.info, text: open.body.join("\n"), line: open.line, unterminated: false });
        open = null;
      } else {
        open.body.push(stripIndent(inner, open.indent));
      }
      continue;
    }
    const p = PREFIX.exec(line);
    const quotes = p ? (p[1].match(/>/g) ?? []).length : 0;
    const lead = p ? p[2] : "";
    const rest = p ? line.slice(p[0].length) : line;
    const m = OPEN.exec(rest.replace(/^[ \t]+/, ""));
    if (!m) continue;
    const fence = m[1];
    const info = m[2].trim();
    if (fence[0] === "`" && info.includes("`")) continue; // inline code, not a fence
    const leadingWs = /^[ \t]*/.exec(rest)?.[0] ?? "";
    open = { char: fence[0], length: fence.length, indent: width(lead) + width(leadingWs), quotes, info, line: n + 1, body: [] };
  }
  if (open) blocks.push({ index: blocks.length + 1, info: open.info, text: open.body.join("\n"), line: open.line, unterminated: true });
  return blocks;
}

/** The text outside the fenced blocks (pasted logs without fences end up here). */
export function textOutsideFences(markdown: string): string {
  const blocks = extractFencedBlocks(markdown);
  if (blocks.length === 0) return markdown;
  const lines = markdown.split(/\r\n|\n|\r/);
  const inside = new Set<number>();
  for (const b of blocks) {
    const end = b.unterminated ? lines.length : b.line + b.text.split("\n").length + 1;
    for (let i = b.line - 1; i < end && i < lines.length; i++) inside.add(i);
  }
  return lines.filter((_, i) => !inside.has(i)).join("\n");
}
