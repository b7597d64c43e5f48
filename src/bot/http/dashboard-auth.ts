import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/**
 * Who may see the dashboard, the API and bull-board (they show crashes of private
 * repositories), and /metrics.
 */
export interface AuthConfig {
  /** DASHBOARD_TOKEN. Null: the dashboard, API, login and bull-board routes stay off. */
  dashboardToken: string | null;
  /** METRICS_TOKEN. Null: /metrics is public (it carries counts by verdict, queue and status only). */
  metricsToken: string | null;
  /** Secure cookie attribute. Only a plain-HTTP install without TLS in front turns it off (DASHBOARD_INSECURE_COOKIE=1). */
  secureCookie: boolean;
  /** How long a login lasts. */
  sessionTtlSeconds: number;
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
  return {
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

/**
 * The session value is "<expiry>.<HMAC(expiry)>" keyed by a key derived from the token: it
 * proves a login without holding the token, expires on its own, and every session ends when
 * the token is rotated.
 */
function sessionMac(token: string, expires: number): string {
  const key = createHash("sha256").update(`casefile-dashboard-session-key\0${token}`).digest();
  return createHmac("sha256", key).update(`v1\0${expires}`).digest("base64url");
}

export function sessionCookie(auth: AuthConfig, now: Date): string {
  if (!auth.dashboardToken) throw new Error("no DASHBOARD_TOKEN: sessions are off");
  const expires = Math.floor(now.getTime() / 1000) + auth.sessionTtlSeconds;
  const value = `${expires}.${sessionMac(auth.dashboardToken, expires)}`;
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${auth.sessionTtlSeconds}; HttpOnly; SameSite=Strict${auth.secureCookie ? "; Secure" : ""}`;
}

export function clearedSessionCookie(auth: AuthConfig): string {
  return `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${auth.secureCookie ? "; Secure" : ""}`;
}

function validSession(auth: AuthConfig, value: string | undefined, now: Date): boolean {
  if (!auth.dashboardToken || !value) return false;
  const dot = value.indexOf(".");
  if (dot <= 0) return false;
  const expires = Number(value.slice(0, dot));
  if (!Number.isInteger(expires) || expires * 1000 <= now.getTime()) return false;
  return sameSecret(value.slice(dot + 1), sessionMac(auth.dashboardToken, expires));
}

/** Dashboard, API, bull-board: the bearer token or a valid session cookie. */
export function isDashboardAuthorized(auth: AuthConfig, req: IncomingMessage, now = new Date()): boolean {
  if (!auth.dashboardToken) return false;
  const b = bearer(req);
  if (b !== null) return sameSecret(b, auth.dashboardToken);
  return validSession(auth, cookies(req).get(SESSION_COOKIE), now);
}

/** /metrics: open without METRICS_TOKEN; with it, that token (or dashboard access). */
export function isMetricsAuthorized(auth: AuthConfig, req: IncomingMessage, now = new Date()): boolean {
  if (!auth.metricsToken) return true;
  const b = bearer(req);
  if (b !== null && sameSecret(b, auth.metricsToken)) return true;
  return isDashboardAuthorized(auth, req, now);
}
