import { Marked, type Tokens } from "marked";
import { escapeHtml } from "./html.js";

/**
 * Markdown to HTML for case reports. The report is ours, but titles, claims, paths and hex it
 * quotes come from strangers' attachments, so raw HTML is never passed through: only the bare
 * tags the report itself uses (<details>, <summary>, <sub>, <br>) survive, everything else in an
 * HTML token is shown as text; links keep only http(s) targets; images become plain links (no
 * remote loads). The page's CSP (no scripts at all) backs this up.
 */
const ALLOWED_TAG = /^<\/?(details|summary|sub|sup|br)\s*\/?>$/i;
const TAG_SPLIT = /(<\/?[a-z]+\s*\/?>)/i;
/** The report escapes Markdown specials with backslashes; inside HTML blocks those escapes are literal. */
const MD_ESCAPE = /\\([\\`*_{}[\]<>|#])/g;

function safeHref(href: string): string | null {
  try {
    const u = new URL(href);
    return u.protocol === "https:" || u.protocol === "http:" ? u.toString() : null;
  } catch {
    return null;
  }
}

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return text
        .split(TAG_SPLIT)
        .map((part) => (ALLOWED_TAG.test(part) ? part.replace(/\s+/g, "").toLowerCase() : escapeHtml(part.replace(MD_ESCAPE, "$1"))))
        .join("");
    },
    link(this: { parser: { parseInline(t: Tokens.Generic[]): string } }, { href, title, tokens }: Tokens.Link): string {
      const inner = this.parser.parseInline(tokens);
      const safe = safeHref(href);
      if (!safe) return inner;
      return `<a href="${escapeHtml(safe)}" rel="noreferrer noopener nofollow" target="_blank"${title ? ` title="${escapeHtml(title)}"` : ""}>${inner}</a>`;
    },
    image({ href, text }: Tokens.Image): string {
      const safe = safeHref(href);
      return safe ? `<a href="${escapeHtml(safe)}" rel="noreferrer noopener nofollow" target="_blank">${escapeHtml(text || "image")}</a>` : escapeHtml(text);
    },
  },
});

export function renderSafeMarkdown(markdown: string): string {
  return marked.parse(markdown, { async: false }) as string;
}
