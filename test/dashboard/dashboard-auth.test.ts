import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { authFromEnv, isDashboardAuthorized, isMetricsAuthorized, sessionCookie, type AuthConfig } from "../../src/bot/http/dashboard-auth.js";
import { safeNext } from "../../src/bot/http/login-page.js";

const TOKEN = "0123456789abcdef0123";
const auth: AuthConfig = { dashboardToken: TOKEN, metricsToken: null, secureCookie: true, sessionTtlSeconds: 3600 };
const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const cookieOf = (setCookie: string) => setCookie.split(";")[0];

describe("dashboard auth", () => {
  it("reads the environment, refusing short tokens", () => {
    expect(authFromEnv({})).toMatchObject({ dashboardToken: null, metricsToken: null, secureCookie: true });
    expect(authFromEnv({ DASHBOARD_TOKEN: ` ${TOKEN} `, DASHBOARD_INSECURE_COOKIE: "1", DASHBOARD_SESSION_HOURS: "2" })).toMatchObject({
      dashboardToken: TOKEN,
      secureCookie: false,
      sessionTtlSeconds: 7200,
    });
    expect(() => authFromEnv({ DASHBOARD_TOKEN: "short" })).toThrow(/DASHBOARD_TOKEN must be at least 16 characters/);
    expect(() => authFromEnv({ METRICS_TOKEN: "short" })).toThrow(/METRICS_TOKEN/);
  });

  it("configures GitHub sign-in only when client id, secret and organisation are all given", () => {
    expect(authFromEnv({}).github).toBeNull();
    expect(() => authFromEnv({ DASHBOARD_GITHUB_CLIENT_ID: "Iv1.x", DASHBOARD_GITHUB_ORG: "acme" })).toThrow(/DASHBOARD_GITHUB_CLIENT_SECRET/);
    const env = { DASHBOARD_GITHUB_CLIENT_ID: "Iv1.x", DASHBOARD_GITHUB_CLIENT_SECRET: "s3cret", DASHBOARD_GITHUB_ORG: "acme" };
    expect(authFromEnv(env).github).toEqual({ clientId: "Iv1.x", clientSecret: "s3cret", org: "acme", webUrl: "https://github.com", apiUrl: "https://api.github.com" });
    expect(authFromEnv({ ...env, DASHBOARD_GITHUB_URL: "https://ghe.example/" }).github).toMatchObject({ webUrl: "https://ghe.example", apiUrl: "https://ghe.example/api/v3" });
  });

  it("accepts the bearer token and a live session, nothing else", () => {
    const t0 = new Date("2026-11-20T12:00:00Z");
    const cookie = cookieOf(sessionCookie(auth, t0));
    expect(isDashboardAuthorized(auth, req({ authorization: `Bearer ${TOKEN}` }), t0)).toBe(true);
    expect(isDashboardAuthorized(auth, req({ authorization: `Bearer ${TOKEN}x` }), t0)).toBe(false);
    expect(isDashboardAuthorized(auth, req({ authorization: `Basic ${TOKEN}` }), t0)).toBe(false);
    expect(isDashboardAuthorized(auth, req({ cookie: `other=1; ${cookie}` }), t0)).toBe(true);
    // Expired after the TTL.
    expect(isDashboardAuthorized(auth, req({ cookie }), new Date(t0.getTime() + 3601_000))).toBe(false);
    // Rotating the token ends every session.
    expect(isDashboardAuthorized({ ...auth, dashboardToken: `${TOKEN}-rotated` }, req({ cookie }), t0)).toBe(false);
    expect(isDashboardAuthorized(auth, req({ cookie: "casefile_session=garbage" }), t0)).toBe(false);
    expect(isDashboardAuthorized({ ...auth, dashboardToken: null }, req({ authorization: `Bearer ${TOKEN}` }), t0)).toBe(false);
  });

  it("sets the Secure attribute unless told the install has no TLS", () => {
    expect(sessionCookie(auth, new Date())).toMatch(/; Secure$/);
    expect(sessionCookie({ ...auth, secureCookie: false }, new Date())).not.toMatch(/Secure/);
  });

  it("guards /metrics only when METRICS_TOKEN is set", () => {
    expect(isMetricsAuthorized(auth, req({}))).toBe(true);
    const guarded = { ...auth, metricsToken: "metrics-token-0123456789" };
    expect(isMetricsAuthorized(guarded, req({}))).toBe(false);
    expect(isMetricsAuthorized(guarded, req({ authorization: "Bearer metrics-token-0123456789" }))).toBe(true);
    expect(isMetricsAuthorized(guarded, req({ authorization: `Bearer ${TOKEN}` }))).toBe(true);
  });

  it("redirects after login only within the site", () => {
    expect(safeNext("/dashboard?verdict=bit-flip")).toBe("/dashboard?verdict=bit-flip");
    for (const bad of ["//evil.example", "https://evil.example", "/\\evil.example", "", null, "dashboard"]) expect(safeNext(bad)).toBe("/dashboard");
  });
});
