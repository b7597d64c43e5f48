import { html, type Html } from "./html.js";
import { pageLayout } from "./page-layout.js";

export function renderLogin(next: string, failed: boolean): Html {
  return pageLayout(
    { title: "casefile · sign in" },
    html`<form class="login" method="post" action="/login">
<h1>casefile on-call</h1>
${failed ? html`<div class="error">That token is not right.</div>` : ""}
<label for="token" class="muted">Dashboard token</label>
<input id="token" name="token" type="password" autocomplete="current-password" autofocus required>
<input type="hidden" name="next" value="${next}">
<button class="primary" type="submit">Sign in</button>
</form>`,
  );
}

/** Only same-site paths: "/dashboard?x", never "//evil" or "https://evil". */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/dashboard";
  return next;
}
