import { html, type Html } from "./html.js";

export interface LayoutOptions {
  title: string;
  /** Seconds between automatic reloads (meta refresh keeps the filters in the URL; no script). */
  refreshSeconds?: number;
  /** Where the refresh goes (default: this page). */
  refreshTo?: string;
  /** Header extras: window links, "updated" time, logout. Omitted on the login page. */
  header?: Html;
}

export function pageLayout(o: LayoutOptions, body: Html): Html {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
${o.refreshSeconds !== undefined ? html`<meta http-equiv="refresh" content="${o.refreshSeconds}${o.refreshTo ? `; url=${o.refreshTo}` : ""}">` : ""}
<title>${o.title}</title>
<link rel="stylesheet" href="/dashboard/style.css">
</head><body>
${o.header ?? ""}
<main>${body}</main>
</body></html>`;
}

/** `viewer`: the GitHub login of a GitHub sign-in, shown beside "Sign out". */
export function topHeader(inner: Html, viewer?: string | null): Html {
  return html`<header class="top"><h1>casefile <span>on-call</span></h1>${inner}${viewer ? html`<span class="meta">${viewer}</span>` : ""}<form method="post" action="/logout"><button type="submit">Sign out</button></form></header>`;
}
