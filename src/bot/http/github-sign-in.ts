import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { z } from "zod";
import { readCookie, sameSecret, type AuthConfig, type GithubSignIn } from "./dashboard-auth.js";

/**
 * GitHub sign-in for the dashboard (OAuth web flow), limited to active members of one
 * organisation. The state parameter is bound to a short-lived cookie so a sign-in cannot be
 * started by another site; the user's GitHub token is used for two reads and then dropped.
 */
export const GITHUB_LOGIN_PATH = "/login/github";
export const GITHUB_CALLBACK_PATH = "/login/github/callback";
const STATE_COOKIE = "casefile_oauth_state";
const TIMEOUT_MS = 10_000;

const tokenReply = z.object({ access_token: z.string().min(1) }).or(z.object({ error: z.string(), error_description: z.string().optional() }));
const userReply = z.object({ login: z.string().min(1) });
const membershipReply = z.object({ state: z.string() });

/** Where to send the browser, and the state cookie to set (SameSite=Lax: it must survive the trip back from github.com). */
export function beginGithubSignIn(auth: AuthConfig, next: string): { location: string; cookie: string } {
  const gh = required(auth);
  const state = randomBytes(18).toString("base64url");
  const q = new URLSearchParams({ client_id: gh.clientId, state, scope: "read:org", allow_signup: "false" });
  const value = `${state}.${Buffer.from(next, "utf8").toString("base64url")}`;
  return {
    location: `${gh.webUrl}/login/oauth/authorize?${q}`,
    cookie: `${STATE_COOKIE}=${value}; Path=${GITHUB_CALLBACK_PATH}; Max-Age=600; HttpOnly; SameSite=Lax${auth.secureCookie ? "; Secure" : ""}`,
  };
}

export function clearedStateCookie(auth: AuthConfig): string {
  return `${STATE_COOKIE}=; Path=${GITHUB_CALLBACK_PATH}; Max-Age=0; HttpOnly; SameSite=Lax${auth.secureCookie ? "; Secure" : ""}`;
}

export type SignInResult = { ok: true; login: string; next: string } | { ok: false; status: number; message: string };

/** Handles GitHub's redirect back: checks the state, trades the code, checks org membership. */
export async function completeGithubSignIn(auth: AuthConfig, req: IncomingMessage, url: URL): Promise<SignInResult> {
  const gh = required(auth);
  const code = url.searchParams.get("code");
  const state = url.searchParams.get("state");
  const cookie = readCookie(req, STATE_COOKIE);
  const [expectedState, nextB64] = (cookie ?? "").split(".");
  if (url.searchParams.get("error")) return { ok: false, status: 401, message: `GitHub sign-in was cancelled (${url.searchParams.get("error")})` };
  if (!code || !state || !expectedState || !sameSecret(state, expectedState)) {
    return { ok: false, status: 400, message: "This sign-in link is stale or was not started here; start again." };
  }
  const next = Buffer.from(nextB64 ?? "", "base64url").toString("utf8");
  try {
    const token = tokenReply.parse(
      await call(`${gh.webUrl}/login/oauth/access_token`, {
        method: "POST",
        headers: { accept: "application/json", "content-type": "application/json" },
        body: JSON.stringify({ client_id: gh.clientId, client_secret: gh.clientSecret, code }),
      }),
    );
    if ("error" in token) return { ok: false, status: 401, message: `GitHub refused the sign-in: ${token.error_description ?? token.error}` };
    const headers = { accept: "application/vnd.github+json", authorization: `Bearer ${token.access_token}`, "user-agent": "casefile-dashboard" };
    const user = userReply.parse(await call(`${gh.apiUrl}/user`, { headers }));
    const membership = await call(`${gh.apiUrl}/user/memberships/orgs/${encodeURIComponent(gh.org)}`, { headers }, [404, 403]);
    const active = membership !== null && membershipReply.safeParse(membership).data?.state === "active";
    if (!active) return { ok: false, status: 403, message: `${user.login} is not an active member of the ${gh.org} organisation.` };
    return { ok: true, login: user.login, next };
  } catch (err) {
    return { ok: false, status: 502, message: `GitHub sign-in failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function required(auth: AuthConfig): GithubSignIn {
  if (!auth.github) throw new Error("GitHub sign-in is not configured");
  return auth.github;
}

/** JSON of a GitHub call; null for the statuses in `absent`; throws a short message otherwise. */
async function call(url: string, init: RequestInit, absent: number[] = []): Promise<unknown> {
  const res = await fetch(url, { ...init, redirect: "error", signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (absent.includes(res.status)) return null;
  if (!res.ok) throw new Error(`${new URL(url).pathname} answered ${res.status}`);
  return res.json();
}
