/**
 * Readable colours for the Markdown report on a terminal: headings bold, the verdict line
 * coloured by how sure it is, code spans cyan. Only ANSI SGR codes; the text stays the same
 * Markdown, so copying it from the terminal into an issue still renders.
 */
const BOLD = "\x1b[1m";
const DIM = "\x1b[2m";
const CYAN = "\x1b[36m";
const GREEN = "\x1b[32m";
const YELLOW = "\x1b[33m";
const RESET = "\x1b[0m";

export function colorizeReport(markdown: string): string {
  if (process.env.NO_COLOR) return markdown;
  return markdown
    .split("\n")
    .map((line) => {
      if (line.startsWith("### casefile verdict")) return `${BOLD}${line.includes("inconclusive") ? YELLOW : GREEN}${line}${RESET}`;
      if (/^#{1,6} /.test(line)) return `${BOLD}${line}${RESET}`;
      if (line.startsWith("<sub>") || line.startsWith("<details>") || line === "</details>") return `${DIM}${line}${RESET}`;
      return line.replace(/`([^`]+)`/g, `${CYAN}\`$1\`${RESET}`);
    })
    .join("\n");
}
