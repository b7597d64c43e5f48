import { html, type Html } from "./html.js";
import { pageLayout } from "./page-layout.js";

export interface LoginOptions {
  /** Show the token form (DASHBOARD_TOKEN is set). */
  token: boolean;
  /** Show "Sign in with GitHub" for members of this organisation. */
  githubOrg: string | null;
  /** A plain-words problem to show above the form. */
  error?: string;
}

export function renderLogin(next: string, o: LoginOptions): Html {
  return pageLayout(
    { title: "casefile · sign in" },
    html`<div class="login">
<h1>casefile on-call</h1>
${o.error ? html`<div class="error">${o.error}</div>` : ""}
${
  o.token
    ? html`<form method="post" action="/login">
<label for="token" class="muted">Dashboard token</label>
<input id="token" name="token" type="password" autocomplete="current-password" autofocus required>
<input type="hidden" name="next" value="${next}">
<button class="primary" type="submit">Sign in</button>
</form>`
    : ""
}
${o.githubOrg ? html`<p${o.token ? html` class="muted"` : ""}>${o.token ? "or " : ""}<a class="primary" href="/login/github?next=${encodeURIComponent(next)}">Sign in with GitHub</a> (members of ${o.githubOrg})</p>` : ""}
</div>`,
  );
}

/** After GitHub's redirect: a same-site hop, so the SameSite=Strict session cookie goes along. */
export function renderSignedIn(next: string): Html {
  return pageLayout({ title: "casefile · signed in", refreshSeconds: 0, refreshTo: next }, html`<div class="login"><p>Signed in. <a href="${next}">Continue</a></p></div>`);
}

/** Only same-site paths: "/dashboard?x", never "//evil" or "https://evil". */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/dashboard";
  return next;
}
