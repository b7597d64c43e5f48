import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { CasefileMetrics } from "../../observability/metrics.js";
import { pipelineHealth } from "../../observability/pipeline-health.js";
import { crashId } from "../../store/crash-record.js";
import { InvalidCursorError, type CrashStore } from "../../store/crash-store.js";
import type { WindowName } from "../../store/crash-stats.js";
import { renderCaseReport } from "./case-report-page.js";
import { parseCrashQuery } from "./crash-query-params.js";
import { clearedSessionCookie, dashboardEnabled, isDashboardAuthorized, isMetricsAuthorized, sameSecret, sessionCookie, sessionIdentity, type AuthConfig } from "./dashboard-auth.js";
import { beginGithubSignIn, clearedStateCookie, completeGithubSignIn, GITHUB_CALLBACK_PATH, GITHUB_LOGIN_PATH } from "./github-sign-in.js";
import { renderDashboard, renderErrorPage } from "./dashboard-page.js";
import type { Html } from "./html.js";
import { renderLogin, renderSignedIn, safeNext } from "./login-page.js";
import { createQueueBoard, QUEUE_BOARD_PATH } from "./queue-board.js";

export type { AuthConfig } from "./dashboard-auth.js";
export { authFromEnv } from "./dashboard-auth.js";

export interface HttpHandlerDeps {
  store: CrashStore;
  queues: Queue[];
  redis: Redis;
  auth: AuthConfig;
  metrics: CasefileMetrics;
  /** pino-compatible; the startup lines say which routes are on. */
  log?: { info(msg: string): void; warn(msg: string): void };
  /** Seconds between dashboard reloads (default 60). */
  refreshSeconds?: number;
  /** Clock, for tests. */
  now?: () => Date;
}

/** Strict by default: our pages load only our stylesheet and run no script at all. */
const PAGE_CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const STYLE = readFileSync(new URL("./dashboard.css", import.meta.url), "utf8");
const LOGIN_BODY_LIMIT = 4096;
const STATS_CACHE_MS = 5000;

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.statusCode = status;
  res.setHeader("content-type", type);
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("referrer-policy", "no-referrer");
  if (!("cache-control" in headers)) res.setHeader("cache-control", "no-store");
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.end(body);
}

const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  send(res, status, "application/json; charset=utf-8", JSON.stringify(body), headers);
const sendPage = (res: ServerResponse, status: number, page: Html, headers: Record<string, string> = {}) =>
  send(res, status, "text/html; charset=utf-8", page.value, { "content-security-policy": PAGE_CSP, "x-frame-options": "DENY", ...headers });
const redirect = (res: ServerResponse, location: string, headers: Record<string, string> = {}) =>
  send(res, 303, "text/plain; charset=utf-8", `see ${location}\n`, { location, ...headers });

function readForm(req: IncomingMessage): Promise<URLSearchParams | null> {
  return new Promise((resolve) => {
    const type = String(req.headers["content-type"] ?? "");
    if (!type.startsWith("application/x-www-form-urlencoded")) return resolve(null);
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > LOGIN_BODY_LIMIT) {
        resolve(null);
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(new URLSearchParams(Buffer.concat(chunks).toString("utf8"))));
    req.on("error", () => resolve(null));
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    }),
  ]);
}

/** Our API routes only: /api/github/webhooks and anything else under /api belong to Probot. */
const API_ROUTES = new Set(["/api/crashes", "/api/crash", "/api/stats"]);
const isProtected = (path: string) =>
  path === "/dashboard" || path.startsWith("/dashboard/") || API_ROUTES.has(path) || path === QUEUE_BOARD_PATH || path.startsWith(`${QUEUE_BOARD_PATH}/`);

/**
 * The bot's own HTTP routes: /healthz, /readyz, /metrics, and (with DASHBOARD_TOKEN) /login,
 * /logout, /dashboard, /api/crashes, /api/crash, /api/stats and bull-board at /admin/queues.
 * Resolves true when it answered the request, false to let Probot's middleware (webhooks,
 * /ping) or its 404 answer: no other path of the server is exposed by this handler.
 */
export function createHttpHandler(deps: HttpHandlerDeps): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const { store, auth, metrics } = deps;
  const now = deps.now ?? (() => new Date());
  const refreshSeconds = deps.refreshSeconds ?? 60;
  const log = deps.log;
  const dashboardOn = dashboardEnabled(auth);
  const loginOptions = { token: auth.dashboardToken !== null, githubOrg: auth.github?.org ?? null };
  const board = dashboardOn ? createQueueBoard(deps.queues) : null;
  metrics.watchQueues(deps.queues);
  // Every open dashboard reloads each minute; viewers within a few seconds share one computation.
  let statsCache: { at: number; value: ReturnType<CrashStore["stats"]> } | null = null;
  const stats = (t: Date): ReturnType<CrashStore["stats"]> => {
    if (!statsCache || Math.abs(t.getTime() - statsCache.at) > STATS_CACHE_MS) {
      const value = store.stats(t);
      statsCache = { at: t.getTime(), value };
      value.catch(() => {
        if (statsCache?.value === value) statsCache = null;
      });
    }
    return statsCache.value;
  };

  if (!dashboardOn) {
    log?.warn("DASHBOARD_TOKEN is not set (nor GitHub sign-in): /dashboard, /api/* and /admin/queues are off (set DASHBOARD_TOKEN to a random string of 16+ characters to turn them on)");
  } else {
    const how = [auth.dashboardToken ? "DASHBOARD_TOKEN" : null, auth.github ? `GitHub sign-in for members of ${auth.github.org}` : null].filter(Boolean).join(" or ");
    log?.info(`dashboard on at /dashboard (sign in with ${how}), API at /api/crashes and /api/stats, queues at /admin/queues`);
  }
  if (!auth.metricsToken) log?.info("/metrics is public (counts by verdict, queue and HTTP status only); set METRICS_TOKEN to require a bearer token");

  async function dashboard(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const t = now();
    const q = parseCrashQuery(url.searchParams, t, { window: "7d", limit: 25 });
    if ("error" in q) return sendPage(res, 400, renderErrorPage(`Bad filter: ${q.error}`));
    const window: WindowName = q.window === "all" ? "30d" : q.window;
    let crashes;
    try {
      crashes = await store.query(q.filters, q.page);
    } catch (err) {
      if (err instanceof InvalidCursorError) return redirect(res, `/dashboard${url.search.replace(/([?&])cursor=[^&]*/, "$1")}`);
      throw err;
    }
    const [statsNow, health, occurrences, corrections] = await Promise.all([
      stats(t),
      pipelineHealth(deps.queues, t, 6),
      store.occurrenceCounts(crashes.items.map((r) => r.signature)),
      store.correctionsOfMany(crashes.items.map((r) => crashId(r.repository, r.issue))),
    ]);
    sendPage(res, 200, renderDashboard({ now: t, window, stats: statsNow, health, crashes, occurrences, corrections, query: q, refreshSeconds, viewer: sessionIdentity(auth, req, t) }));
  }

  async function caseReport(res: ServerResponse, url: URL, json: boolean): Promise<void> {
    const repository = url.searchParams.get("repository") ?? "";
    const issue = Number(url.searchParams.get("issue"));
    if (!/^[\w.-]+\/[\w.-]+$/.test(repository) || !Number.isInteger(issue) || issue <= 0) {
      const msg = "give ?repository=owner/name&issue=N";
      return json ? sendJson(res, 400, { error: msg }) : sendPage(res, 400, renderErrorPage(msg));
    }
    const record = await store.get(repository, issue);
    if (!record) {
      const msg = `no crash recorded for ${repository}#${issue}`;
      return json ? sendJson(res, 404, { error: msg }) : sendPage(res, 404, renderErrorPage(msg));
    }
    if (json) return sendJson(res, 200, record);
    const [corrections, occurrences] = await Promise.all([store.correctionsOf(repository, issue), store.occurrences(record.signature)]);
    sendPage(res, 200, renderCaseReport({ record, corrections, occurrences, explain: url.searchParams.get("explain") === "1" }));
  }

  async function apiCrashes(res: ServerResponse, url: URL): Promise<void> {
    const q = parseCrashQuery(url.searchParams, now());
    if ("error" in q) return sendJson(res, 400, { error: q.error });
    try {
      sendJson(res, 200, await store.query(q.filters, q.page));
    } catch (err) {
      if (err instanceof InvalidCursorError) return sendJson(res, 400, { error: `cursor: ${err.message}` });
      throw err;
    }
  }

  async function apiStats(res: ServerResponse): Promise<void> {
    const t = now();
    const [statsNow, pipeline] = await Promise.all([stats(t), pipelineHealth(deps.queues, t, 10)]);
    sendJson(res, 200, { ...statsNow, pipeline });
  }

  async function login(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method === "GET" || req.method === "HEAD") return sendPage(res, 200, renderLogin(safeNext(url.searchParams.get("next")), loginOptions));
    const form = await readForm(req);
    const token = form?.get("token") ?? "";
    const next = safeNext(form?.get("next"));
    if (auth.dashboardToken && token && sameSecret(token, auth.dashboardToken)) {
      return redirect(res, next, { "set-cookie": sessionCookie(auth, now()) });
    }
    log?.warn("dashboard login failed: wrong token");
    sendPage(res, 401, renderLogin(next, { ...loginOptions, error: "That token is not right." }));
  }

  async function githubCallback(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const result = await completeGithubSignIn(auth, req, url);
    if (!result.ok) {
      log?.warn(`dashboard GitHub sign-in refused: ${result.message}`);
      return sendPage(res, result.status, renderLogin("/dashboard", { ...loginOptions, error: result.message }), { "set-cookie": clearedStateCookie(auth) });
    }
    log?.info(`dashboard sign-in by ${result.login} (GitHub, ${auth.github?.org})`);
    res.setHeader("set-cookie", [sessionCookie(auth, now(), result.login), clearedStateCookie(auth)]);
    sendPage(res, 200, renderSignedIn(safeNext(result.next)));
  }

  function unauthorized(req: IncomingMessage, res: ServerResponse, url: URL, path: string): void {
    const wantsPage = (req.method === "GET" || req.method === "HEAD") && (path === "/dashboard" || path.startsWith("/dashboard/") || path.startsWith(QUEUE_BOARD_PATH));
    if (wantsPage && !req.headers.authorization) return redirect(res, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
    sendJson(res, 401, { error: "authentication required: Authorization: Bearer <DASHBOARD_TOKEN>, or sign in at /login" }, { "www-authenticate": 'Bearer realm="casefile"' });
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://casefile.invalid");
    } catch {
      return false;
    }
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
    const method = req.method ?? "GET";
    const read = method === "GET" || method === "HEAD";
    try {
      if (path === "/healthz" && read) {
        send(res, 200, "text/plain; charset=utf-8", "ok\n");
        return true;
      }
      if (path === "/readyz" && read) {
        try {
          await withTimeout(deps.redis.ping(), 2000, "Redis");
          send(res, 200, "text/plain; charset=utf-8", "ready\n");
        } catch (err) {
          send(res, 503, "text/plain; charset=utf-8", `not ready: Redis unreachable (${err instanceof Error ? err.message : String(err)})\n`);
        }
        return true;
      }
      if (path === "/metrics" && read) {
        if (!isMetricsAuthorized(auth, req)) {
          sendJson(res, 401, { error: "authentication required: Authorization: Bearer <METRICS_TOKEN>" }, { "www-authenticate": 'Bearer realm="casefile-metrics"' });
          return true;
        }
        const { contentType, body } = await metrics.exposition();
        send(res, 200, contentType, body);
        return true;
      }
      if (!dashboardOn) return false;
      if (path === "/dashboard/style.css" && read) {
        // Public on purpose: the login page needs it, and it holds nothing private.
        send(res, 200, "text/css; charset=utf-8", STYLE, { "cache-control": "public, max-age=300" });
        return true;
      }
      if (path === "/login" && (read || method === "POST")) {
        await login(req, res, url);
        return true;
      }
      if (auth.github && path === GITHUB_LOGIN_PATH && read) {
        const { location, cookie } = beginGithubSignIn(auth, safeNext(url.searchParams.get("next")));
        redirect(res, location, { "set-cookie": cookie });
        return true;
      }
      if (auth.github && path === GITHUB_CALLBACK_PATH && read) {
        await githubCallback(req, res, url);
        return true;
      }
      if (path === "/logout" && method === "POST") {
        redirect(res, "/login", { "set-cookie": clearedSessionCookie(auth) });
        return true;
      }
      if (!isProtected(path)) return false;
      if (!isDashboardAuthorized(auth, req)) {
        unauthorized(req, res, url, path);
        return true;
      }
      if (!read) {
        // The board is read-only too: no retry, clean or remove, whatever bull-board offers.
        sendJson(res, 405, { error: "read-only: only GET" }, { allow: "GET, HEAD" });
        return true;
      }
      if (path === QUEUE_BOARD_PATH || path.startsWith(`${QUEUE_BOARD_PATH}/`)) {
        await board!(req, res);
        return true;
      }
      switch (path) {
        case "/dashboard":
          await dashboard(req, res, url);
          return true;
        case "/dashboard/crash":
          await caseReport(res, url, false);
          return true;
        case "/api/crashes":
          await apiCrashes(res, url);
          return true;
        case "/api/crash":
          await caseReport(res, url, true);
          return true;
        case "/api/stats":
          await apiStats(res);
          return true;
        default:
          sendJson(res, 404, { error: "not found" });
          return true;
      }
    } catch (err) {
      log?.warn(`dashboard request ${method} ${path} failed: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) {
        const msg = "the crash store could not be read (is Redis reachable?); this page retries on its own";
        if (path.startsWith("/api/")) sendJson(res, 503, { error: msg });
        else sendPage(res, 503, renderErrorPage(msg));
      } else res.end();
      return true;
    }
  };
}
