import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpHandler } from "../../src/bot/http/dashboard-handler.js";
import { createMetrics } from "../../src/observability/metrics.js";
import { CrashStore } from "../../src/store/crash-store.js";
import type { CrashRecord } from "../../src/store/crash-record.js";
import { crashRecord, testRedis } from "../store/crash-fixtures.js";
import { METRICS_TOKEN, startDashboardServer, TOKEN, type DashboardServer } from "./dashboard-server.js";

const now = new Date();
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3600_000);
const bearer = { authorization: `Bearer ${TOKEN}` };

let s: DashboardServer;
const recorded: CrashRecord[] = [];

beforeAll(async () => {
  s = await startDashboardServer("api");
  // The pipeline's recording step: CrashStore.record, once per analysed issue.
  for (let i = 1; i <= 23; i++) {
    const rec = crashRecord({
      issue: i,
      repository: i % 3 === 0 ? "acme/drivers" : "acme/kernel",
      verdict: i % 2 ? "stale-dma" : "use-after-free",
      owner: i % 5 === 0 ? null : i % 2 ? "@acme/rdma" : "@acme/mm",
      receivedAt: hoursAgo(i * 10),
      title: i === 4 ? "KASAN: <script>alert(1)</script> in <img src=x onerror=alert(2)>" : undefined,
      durationMs: i * 1000,
    });
    await s.store.record(rec);
    recorded.push(rec);
  }
}, 60_000);

afterAll(async () => {
  await s?.close();
});

async function get(path: string, headers: Record<string, string> = bearer): Promise<Response> {
  return fetch(s.url + path, { headers, redirect: "manual" });
}

async function allPages(query: string, limit: number): Promise<{ issues: number[]; totals: Set<number>; pages: number }> {
  const issues: number[] = [];
  const totals = new Set<number>();
  let cursor: string | null = null;
  let pages = 0;
  do {
    const r = await get(`/api/crashes?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(r.status).toBe(200);
    const body = (await r.json()) as { items: CrashRecord[]; next: string | null; total: number };
    expect(body.items.length).toBeLessThanOrEqual(limit);
    issues.push(...body.items.map((x) => x.issue));
    totals.add(body.total);
    cursor = body.next;
    pages++;
  } while (cursor && pages < 50);
  return { issues, totals, pages };
}

describe("GET /api/crashes", () => {
  it("pages through every record newest first, with the contract's fields plus repository, issue and timestamps", async () => {
    const { issues, totals, pages } = await allPages("window=all", 5);
    expect(issues).toEqual(recorded.map((r) => r.issue));
    expect([...totals]).toEqual([23]);
    expect(pages).toBe(5);
    const first = (await (await get("/api/crashes?limit=1")).json()) as { items: Record<string, unknown>[] };
    for (const field of ["schema", "verdict", "confidence", "summary", "crash", "region", "owners", "signature", "repository", "issue", "issue_url", "received_at", "analyzed_at", "duration_ms"]) {
      expect(first.items[0]).toHaveProperty(field);
    }
  });

  it("combines filters and keeps them across pages", async () => {
    const expected = recorded
      .filter((r) => r.verdict === "stale-dma" && r.repository === "acme/kernel" && r.owners.some((o) => o.owner === "@acme/rdma"))
      .map((r) => r.issue);
    const { issues, totals } = await allPages("verdict=stale-dma&repository=acme/kernel&owner=@acme/rdma", 2);
    expect(issues).toEqual(expected);
    expect([...totals]).toEqual([expected.length]);

    const since = hoursAgo(55).toISOString();
    const until = hoursAgo(20).toISOString();
    const win = await allPages(`since=${encodeURIComponent(since)}&until=${encodeURIComponent(until)}`, 10);
    expect(win.issues).toEqual([3, 4, 5]);

    const day = await allPages("window=24h", 10);
    expect(day.issues).toEqual([1, 2]);

    const unowned = await allPages("owner=none&sort=duration_ms&order=desc", 10);
    expect(unowned.issues).toEqual([20, 15, 10, 5]);

    const twoVerdicts = await allPages("verdict=stale-dma,use-after-free&repository=acme/drivers", 100);
    expect(twoVerdicts.issues).toEqual([3, 6, 9, 12, 15, 18, 21]);
  });

  it("answers bad filters with 400 and a plain message", async () => {
    for (const [q, msg] of [
      ["verdict=haunted", /verdict must be one of/],
      ["limit=0", /limit/],
      ["limit=abc", /limit must be a number/],
      ["since=yesterday", /since must be an ISO 8601/],
      ["sort=colour", /sort must be one of/],
      ["repository=../../etc", /repository must be owner\/name/],
      ["cursor=bm9wZQ", /cursor/],
    ] as const) {
      const r = await get(`/api/crashes?${q}`);
      expect(r.status, q).toBe(400);
      expect(((await r.json()) as { error: string }).error, q).toMatch(msg);
    }
  });

  it("serves one record and the stats", async () => {
    const one = await get("/api/crash?repository=acme/kernel&issue=2");
    expect(((await one.json()) as CrashRecord).issue).toBe(2);
    expect((await get("/api/crash?repository=acme/kernel&issue=999")).status).toBe(404);
    const stats = (await (await get("/api/stats")).json()) as { total: number; windows: Record<string, { total: number }>; pipeline: Array<{ queue: string }> };
    expect(stats.total).toBe(23);
    expect(stats.windows["24h"].total).toBe(2);
    expect(stats.windows["7d"].total).toBe(16);
    expect(stats.pipeline.map((q) => q.queue)).toEqual(["analyze", "publish"]);
  });
});

describe("access", () => {
  const protectedRoutes = [
    "/dashboard",
    "/dashboard?verdict=stale-dma",
    "/dashboard/crash?repository=acme/kernel&issue=1",
    "/api/crashes",
    "/api/crash?repository=acme/kernel&issue=1",
    "/api/stats",
    "/admin/queues",
    "/admin/queues/api/queues",
  ];

  it("requires authentication on every protected route", async () => {
    for (const path of protectedRoutes) {
      const r = await get(path, {});
      const body = await r.text();
      expect([401, 303], path).toContain(r.status);
      if (r.status === 303) expect(r.headers.get("location"), path).toMatch(/^\/login\?next=/);
      expect(body, path).not.toContain("acme/kernel");
      const wrong = await get(path, { authorization: "Bearer not-the-token" });
      expect(wrong.status, path).toBe(401);
      const ok = await get(path);
      expect(ok.status, path).toBe(200);
    }
  });

  it("signs in with the form: a Secure, HttpOnly, SameSite session cookie that is not the token", async () => {
    const bad = await fetch(`${s.url}/login`, { method: "POST", body: new URLSearchParams({ token: "nope", next: "/dashboard" }), redirect: "manual" });
    expect(bad.status).toBe(401);
    expect(bad.headers.get("set-cookie")).toBeNull();
    const r = await fetch(`${s.url}/login`, { method: "POST", body: new URLSearchParams({ token: TOKEN, next: "//evil.example/x" }), redirect: "manual" });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/dashboard");
    const cookie = r.headers.get("set-cookie")!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(TOKEN);
    const session = cookie.split(";")[0];
    expect((await get("/api/stats", { cookie: session })).status).toBe(200);
    // A forged or altered session is refused.
    const [name, value] = session.split("=");
    const [exp, who, mac] = value.split(".");
    expect((await get("/api/stats", { cookie: `${name}=${Number(exp) + 1000}.${who}.${mac}` })).status).toBe(401);
    expect((await get("/api/stats", { cookie: `${name}=${exp}.${who}.${mac.slice(0, -2)}AA` })).status).toBe(401);
    expect((await get("/api/stats", { cookie: `${name}=${exp}.${Buffer.from("mallory").toString("base64url")}.${mac}` })).status).toBe(401);
    const out = await fetch(`${s.url}/logout`, { method: "POST", headers: { cookie: session }, redirect: "manual" });
    expect(out.headers.get("set-cookie")).toMatch(/Max-Age=0/);
  });

  it("leaves everything but health and metrics to Probot without DASHBOARD_TOKEN, and says so", async () => {
    const { redis, prefix } = testRedis("api-off");
    const lines: string[] = [];
    const handler = createHttpHandler({
      store: new CrashStore(redis, prefix),
      queues: [],
      redis,
      metrics: createMetrics({ redis, prefix, processMetrics: false }),
      auth: { dashboardToken: null, metricsToken: null, secureCookie: true, sessionTtlSeconds: 60 },
      log: { info: (m) => lines.push(m), warn: (m) => lines.push(m) },
    });
    const server = createServer((req, res) => {
      void handler(req, res).then((handled) => {
        if (!handled) {
          res.statusCode = 404;
          res.end("probot 404");
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const path of ["/dashboard", "/api/crashes", "/api/stats", "/admin/queues", "/login", "/", "/api/github/webhooks"]) {
        const r = await fetch(base + path, { headers: bearer, redirect: "manual" });
        expect(await r.text(), path).toBe("probot 404");
      }
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect(lines.join("\n")).toMatch(/DASHBOARD_TOKEN is not set \(nor GitHub sign-in\): \/dashboard, \/api\/\* and \/admin\/queues are off/);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
      await redis.quit();
    }
  });

  it("escapes strangers' text in the table and the case report, under a no-script CSP", async () => {
    for (const path of ["/dashboard?window=30d&repository=acme/kernel&verdict=use-after-free", "/dashboard/crash?repository=acme/kernel&issue=4"]) {
      const r = await get(path);
      const page = await r.text();
      expect(page, path).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
      expect(page, path).not.toMatch(/<script|<img/i);
      expect(r.headers.get("content-security-policy"), path).toMatch(/default-src 'none'/);
    }
  });

  it("refuses writes on read-only routes, bull-board included", async () => {
    const r = await fetch(`${s.url}/api/crashes`, { method: "POST", headers: bearer });
    expect(r.status).toBe(405);
    await s.queues[1].add("publish", { issue: 1 }, { jobId: "keep-me" });
    for (const path of ["/admin/queues/api/queues/publish/clean/waiting", "/admin/queues/api/queues/publish/keep-me/remove"]) {
      for (const method of ["POST", "PUT", "DELETE"]) {
        expect((await fetch(s.url + path, { method, headers: bearer })).status, `${method} ${path}`).toBe(405);
      }
    }
    expect(await s.queues[1].getJob("keep-me")).toBeDefined();
  });

  it("leaves Probot's webhook path and unknown paths alone even with the dashboard on", async () => {
    for (const path of ["/api/github/webhooks", "/api/other", "/", "/ping", "/dashboardx"]) {
      const r = await fetch(s.url + path, { method: path === "/api/github/webhooks" ? "POST" : "GET", redirect: "manual" });
      expect(await r.text(), path).toBe("probot 404\n");
    }
  });
});

describe("health and metrics", () => {
  it("answers liveness, readiness from Redis, and a clear 503 when Redis is down", async () => {
    expect(await (await get("/healthz", {})).text()).toBe("ok\n");
    expect((await get("/readyz", {})).status).toBe(200);
    const dead = new Redis("redis://127.0.0.1:1", { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    dead.on("error", () => {}); // the refusals are the point of this test
    const handler = createHttpHandler({
      store: new CrashStore(dead, "dead"),
      queues: [],
      redis: dead,
      metrics: createMetrics({ redis: dead, prefix: "dead", processMetrics: false }),
      auth: { dashboardToken: TOKEN, metricsToken: null, secureCookie: true, sessionTtlSeconds: 60 },
    });
    const server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const r = await fetch(`${base}/readyz`);
      expect(r.status).toBe(503);
      expect(await r.text()).toMatch(/Redis unreachable/);
      // The dashboard and API say what is wrong instead of hanging or crashing the server.
      const page = await fetch(`${base}/dashboard`, { headers: bearer });
      expect(page.status).toBe(503);
      expect(await page.text()).toContain("the crash store could not be read (is Redis reachable?)");
      const api = await fetch(`${base}/api/stats`, { headers: bearer });
      expect(api.status).toBe(503);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain("casefile_redis_up 0");
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
      dead.disconnect();
    }
  });

  it("exposes the fleet's verdicts and durations, worker-side counters, webhook deliveries and queue gauges", async () => {
    // A worker process on another machine: its own metrics object, same Redis and prefix.
    const { redis } = testRedis("api-worker");
    const workerMetrics = createMetrics({ redis, prefix: s.store.keys.prefix, processMetrics: false });
    workerMetrics.githubApiError(502);
    workerMetrics.githubApiError(502);
    workerMetrics.rateLimitWait(2.5);
    workerMetrics.download(4096, "ok");
    await redis.quit(); // flushes the fire-and-forget increments first
    s.metrics.webhookDelivery("issues.opened", "enqueued", 0.004);
    await s.queues[0].add("analyze", { issue: 1 });

    const text = await (await get("/metrics", {})).text();
    const stale = recorded.filter((r) => r.verdict === "stale-dma").length;
    expect(text).toContain(`casefile_verdicts_total{verdict="stale-dma"} ${stale}`);
    expect(text).toContain(`casefile_analysis_duration_seconds_count ${recorded.length}`);
    expect(text).toContain(`casefile_analysis_duration_seconds_bucket{le="5"} 5`);
    expect(text).toContain(`casefile_analysis_duration_seconds_bucket{le="+Inf"} ${recorded.length}`);
    expect(text).toContain('casefile_github_api_errors_total{status="502"} 2');
    expect(text).toContain("casefile_github_rate_limit_waits_total 1");
    expect(text).toContain("casefile_github_rate_limit_wait_seconds_total 2.5");
    expect(text).toContain('casefile_download_bytes_total{outcome="ok"} 4096');
    expect(text).toContain('casefile_webhook_deliveries_total{event="issues.opened",outcome="enqueued"} 1');
    expect(text).toContain('casefile_webhook_ack_seconds_bucket{le="0.005",event="issues.opened"} 1');
    expect(text).toContain('casefile_queue_jobs{queue="analyze",state="waiting"} 1');
    expect(text).toContain("casefile_crashes_stored 23");
    expect(text).toContain("casefile_redis_up 1");
  });

  it("protects /metrics with METRICS_TOKEN when it is set", async () => {
    const guarded = await startDashboardServer("api-metrics", { metricsToken: METRICS_TOKEN });
    try {
      expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
      expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});
