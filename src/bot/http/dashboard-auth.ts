import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/**
 * Who may see the dashboard, the API and bull-board (they show crashes of private
 * repositories), and /metrics.
 */
export interface AuthConfig {
  /** DASHBOARD_TOKEN. With neither it nor `github`, the dashboard, API, login and bull-board routes stay off. */
  dashboardToken: string | null;
  /** GitHub sign-in limited to one organisation's members (optional, beside or instead of the token). */
  github?: GithubSignIn | null;
  /** METRICS_TOKEN. Null: /metrics is public (it carries counts by verdict, queue and status only). */
  metricsToken: string | null;
  /** Secure cookie attribute. Only a plain-HTTP install without TLS in front turns it off (DASHBOARD_INSECURE_COOKIE=1). */
  secureCookie: boolean;
  /** How long a login lasts. */
  sessionTtlSeconds: number;
}

export interface GithubSignIn {
  /** OAuth client id and secret of the GitHub App (or an OAuth App); its callback URL must be https://<host>/login/github/callback. */
  clientId: string;
  clientSecret: string;
  /** Only active members of this organisation get in. */
  org: string;
  /** https://github.com, or a GitHub Enterprise Server URL. */
  webUrl: string;
  /** https://api.github.com, or https://<ghes>/api/v3. */
  apiUrl: string;
}

export const SESSION_COOKIE = "casefile_session";
const MIN_TOKEN_LENGTH = 16;

/** Reads the auth settings from the environment; refuses tokens too short to resist guessing. */
export function authFromEnv(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const token = (name: string): string | null => {
    const v = env[name]?.trim();
    if (!v) return null;
    if (v.length < MIN_TOKEN_LENGTH) throw new Error(`${name} must be at least ${MIN_TOKEN_LENGTH} characters (try: openssl rand -hex 24)`);
    return v;
  };
  const ttl = Number(env.DASHBOARD_SESSION_HOURS ?? 12);
  const gh = [env.DASHBOARD_GITHUB_CLIENT_ID?.trim(), env.DASHBOARD_GITHUB_CLIENT_SECRET?.trim(), env.DASHBOARD_GITHUB_ORG?.trim()];
  if (gh.some(Boolean) && !gh.every(Boolean)) {
    throw new Error("GitHub sign-in needs all of DASHBOARD_GITHUB_CLIENT_ID, DASHBOARD_GITHUB_CLIENT_SECRET and DASHBOARD_GITHUB_ORG");
  }
  const webUrl = (env.DASHBOARD_GITHUB_URL?.trim() || "https://github.com").replace(/\/+$/, "");
  return {
    github: gh.every(Boolean)
      ? {
          clientId: gh[0]!,
          clientSecret: gh[1]!,
          org: gh[2]!,
          webUrl,
          apiUrl: (env.DASHBOARD_GITHUB_API_URL?.trim() || (webUrl === "https://github.com" ? "https://api.github.com" : `${webUrl}/api/v3`)).replace(/\/+$/, ""),
        }
      : null,
    dashboardToken: token("DASHBOARD_TOKEN"),
    metricsToken: token("METRICS_TOKEN"),
    secureCookie: env.DASHBOARD_INSECURE_COOKIE !== "1",
    sessionTtlSeconds: Number.isFinite(ttl) && ttl > 0 ? Math.round(ttl * 3600) : 12 * 3600,
  };
}

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/** Constant-time comparison: both sides hashed to equal length first, so neither length nor content leaks. */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function bearer(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  if (typeof h !== "string") return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : null;
}

function cookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

/** True when some way to sign in is configured; otherwise the dashboard routes stay off. */
export function dashboardEnabled(auth: AuthConfig): boolean {
  return auth.dashboardToken !== null || Boolean(auth.github);
}

/**
 * The session value is "<expiry>.<who>.<HMAC(expiry, who)>", keyed by a key derived from the
 * configured secrets: it proves a sign-in without holding the token, expires on its own, and
 * every session ends when the token or the OAuth secret is rotated. `who` is the GitHub login
 * (base64url) or empty for a token sign-in.
 */
function sessionMac(auth: AuthConfig, expires: number, who: string): string | null {
  if (!dashboardEnabled(auth)) return null;
  const key = createHash("sha256")
    .update(`casefile-dashboard-session-key\0${auth.dashboardToken ?? ""}\0${auth.github?.clientSecret ?? ""}`)
    .digest();
  return createHmac("sha256", key).update(`v2\0${expires}\0${who}`).digest("base64url");
}

/** Set-Cookie for a new session; `login` is the GitHub login for GitHub sign-in. */
export function sessionCookie(auth: AuthConfig, now: Date, login = ""): string {
  const expires = Math.floor(now.getTime() / 1000) + auth.sessionTtlSeconds;
  const who = Buffer.from(login, "utf8").toString("base64url");
  const mac = sessionMac(auth, expires, who);
  if (mac === null) throw new Error("no DASHBOARD_TOKEN or GitHub sign-in: sessions are off");
  return `${SESSION_COOKIE}=${expires}.${who}.${mac}; Path=/; Max-Age=${auth.sessionTtlSeconds}; HttpOnly; SameSite=Strict${auth.secureCookie ? "; Secure" : ""}`;
}

export function clearedSessionCookie(auth: AuthConfig): string {
  return `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${auth.secureCookie ? "; Secure" : ""}`;
}

/** The signed-in identity of a valid session: "" for a token sign-in, the GitHub login otherwise; null when invalid. */
export function sessionIdentity(auth: AuthConfig, req: IncomingMessage, now = new Date()): string | null {
  const value = cookies(req).get(SESSION_COOKIE);
  if (!value) return null;
  const parts = value.split(".");
  if (parts.length !== 3) return null;
  const [exp, who, mac] = parts;
  const expires = Number(exp);
  if (!Number.isInteger(expires) || expires * 1000 <= now.getTime()) return null;
  const expected = sessionMac(auth, expires, who);
  if (expected === null || !sameSecret(mac, expected)) return null;
  return Buffer.from(who, "base64url").toString("utf8");
}

export function readCookie(req: IncomingMessage, name: string): string | undefined {
  return cookies(req).get(name);
}

/** Dashboard, API, bull-board: the bearer token or a valid session cookie. */
export function isDashboardAuthorized(auth: AuthConfig, req: IncomingMessage, now = new Date()): boolean {
  if (!dashboardEnabled(auth)) return false;
  const b = bearer(req);
  if (b !== null) return auth.dashboardToken !== null && sameSecret(b, auth.dashboardToken);
  return sessionIdentity(auth, req, now) !== null;
}

/** /metrics: open without METRICS_TOKEN; with it, that token (or dashboard access). */
export function isMetricsAuthorized(auth: AuthConfig, req: IncomingMessage, now = new Date()): boolean {
  if (!auth.metricsToken) return true;
  const b = bearer(req);
  if (b !== null && sameSecret(b, auth.metricsToken)) return true;
  return isDashboardAuthorized(auth, req, now);
}
