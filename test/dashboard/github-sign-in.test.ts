import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startDashboardServer, type DashboardServer } from "./dashboard-server.js";

const github = { clientId: "Iv1.casefile", clientSecret: "oauth-secret-0123456789", org: "acme", webUrl: "https://github.com", apiUrl: "https://api.github.com" };
let s: DashboardServer;

beforeAll(async () => {
  // GitHub sign-in only: no dashboard token at all.
  s = await startDashboardServer("github", { dashboardToken: null, github });
  nock.disableNetConnect();
  nock.enableNetConnect(/^(localhost|127\.0\.0\.1)(:\d+)?$/);
});
afterEach(() => {
  nock.cleanAll();
});
afterAll(async () => {
  nock.enableNetConnect();
  await s?.close();
});

async function start(next: string): Promise<{ state: string; cookie: string }> {
  const r = await fetch(`${s.url}/login/github?next=${encodeURIComponent(next)}`, { redirect: "manual" });
  expect(r.status).toBe(303);
  const location = new URL(r.headers.get("location")!);
  expect(location.origin + location.pathname).toBe("https://github.com/login/oauth/authorize");
  expect(location.searchParams.get("client_id")).toBe(github.clientId);
  const setCookie = r.headers.get("set-cookie")!;
  expect(setCookie).toMatch(/HttpOnly/);
  return { state: location.searchParams.get("state")!, cookie: setCookie.split(";")[0] };
}

function githubAnswers(login: string, membership: { status: number; body?: object }) {
  nock("https://github.com")
    .post("/login/oauth/access_token", (b: Record<string, string>) => b.code === "the-code" && b.client_secret === github.clientSecret)
    .reply(200, { access_token: "gho_user_token", token_type: "bearer" });
  nock("https://api.github.com", { reqheaders: { authorization: "Bearer gho_user_token" } })
    .get("/user")
    .reply(200, { login })
    .get("/user/memberships/orgs/acme")
    .reply(membership.status, membership.body ?? {});
}

describe("GitHub sign-in limited to an organisation", () => {
  it("offers GitHub on the login page and turns the dashboard on without a token", async () => {
    const page = await (await fetch(`${s.url}/login`)).text();
    expect(page).toContain("Sign in with GitHub");
    expect(page).toContain("members of acme");
    expect(page).not.toContain('name="token"');
    expect((await fetch(`${s.url}/api/stats`)).status).toBe(401);
  });

  it("lets an active member in, with a session that names them, and returns to the page asked for", async () => {
    const { state, cookie } = await start("/dashboard?verdict=bit-flip");
    githubAnswers("alice", { status: 200, body: { state: "active", role: "member" } });
    const r = await fetch(`${s.url}/login/github/callback?code=the-code&state=${state}`, { headers: { cookie }, redirect: "manual" });
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('content="0; url=/dashboard?verdict=bit-flip"');
    const session = r.headers.getSetCookie().find((c) => c.startsWith("casefile_session="))!;
    expect(session).toMatch(/SameSite=Strict/);
    expect(session).not.toContain("gho_user_token");
    expect(nock.isDone()).toBe(true);
    const api = await fetch(`${s.url}/api/stats`, { headers: { cookie: session.split(";")[0] } });
    expect(api.status).toBe(200);
    const page = await (await fetch(`${s.url}/dashboard`, { headers: { cookie: session.split(";")[0] } })).text();
    expect(page).toContain('<span class="meta">alice</span>');
  });

  it("refuses people outside the organisation, and pending invitations", async () => {
    for (const [login, membership] of [
      ["mallory", { status: 404 }],
      ["bob", { status: 200, body: { state: "pending" } }],
    ] as const) {
      const { state, cookie } = await start("/dashboard");
      githubAnswers(login, membership);
      const r = await fetch(`${s.url}/login/github/callback?code=the-code&state=${state}`, { headers: { cookie }, redirect: "manual" });
      expect(r.status).toBe(403);
      expect(await r.text()).toContain(`${login} is not an active member of the acme organisation`);
      expect(r.headers.getSetCookie().some((c) => c.startsWith("casefile_session=") && !c.startsWith("casefile_session=;"))).toBe(false);
    }
  });

  it("refuses a callback whose state was not issued to this browser, without calling GitHub", async () => {
    const { cookie } = await start("/dashboard");
    const r = await fetch(`${s.url}/login/github/callback?code=the-code&state=forged`, { headers: { cookie }, redirect: "manual" });
    expect(r.status).toBe(400);
    const noCookie = await fetch(`${s.url}/login/github/callback?code=the-code&state=whatever`, { redirect: "manual" });
    expect(noCookie.status).toBe(400);
  });

  it("accepts no bearer token when only GitHub sign-in is configured", async () => {
    expect((await fetch(`${s.url}/api/stats`, { headers: { authorization: "Bearer " } })).status).toBe(401);
    const post = await fetch(`${s.url}/login`, { method: "POST", body: new URLSearchParams({ token: "" }), redirect: "manual" });
    expect(post.status).toBe(401);
  });
});
