/**
 * Splits issue Markdown into what a person wrote as prose (lines outside fenced code blocks
 * and block quotes) and the fenced code blocks themselves. Commands are only read from the
 * prose; code blocks become artifacts. One linear pass, no backtracking regular expressions.
 */

export interface CodeBlock {
  /** 1-based index among the blocks of this text. */
  index: number;
  /** The info string after the opening fence (`text`, `console`, ...), may be empty. */
  info: string;
  text: string;
}

export interface ScannedMarkdown {
  /** Lines outside code blocks and quotes, in order. */
  prose: string[];
  codeBlocks: CodeBlock[];
}

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

export function scanMarkdown(markdown: string): ScannedMarkdown {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const prose: string[] = [];
  const codeBlocks: CodeBlock[] = [];
  let fence: { marker: string; info: string; lines: string[] } | null = null;
  for (const line of lines) {
    if (fence) {
      const close = FENCE.exec(line);
      if (close && close[1][0] === fence.marker[0] && close[1].length >= fence.marker.length && close[2].trim() === "") {
        codeBlocks.push({ index: codeBlocks.length + 1, info: fence.info, text: fence.lines.join("\n") });
        fence = null;
      } else {
        fence.lines.push(line);
      }
      continue;
    }
    const open = FENCE.exec(line);
    if (open && !(open[1][0] === "`" && open[2].includes("`"))) {
      fence = { marker: open[1], info: open[2].trim(), lines: [] };
      continue;
    }
    if (/^ {0,3}>/.test(line)) continue;
    prose.push(line);
  }
  // An unclosed fence runs to the end of the text, as GitHub renders it.
  if (fence) codeBlocks.push({ index: codeBlocks.length + 1, info: fence.info, text: fence.lines.join("\n") });
  return { prose, codeBlocks };
}
