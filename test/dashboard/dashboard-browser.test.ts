import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Worker } from "bullmq";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDashboardServer, TOKEN, type DashboardServer } from "./dashboard-server.js";
import { seedDemo, seedQueueTrouble, type DemoCrash } from "./demo-data.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = join(process.cwd(), "docs", "images");

let server: DashboardServer;
let browser: BrowserContext;
let worker: Worker;
let profile: string;
let crashes: DemoCrash[];
const now = new Date();

beforeAll(async () => {
  server = await startDashboardServer("browser");
  crashes = await seedDemo(server.store, now);
  worker = await seedQueueTrouble(server.queues[0]);
  profile = mkdtempSync(join(tmpdir(), "casefile-chromium-"));
  // A fresh profile per run (playwright passes it as --user-data-dir).
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    viewport: { width: 1440, height: 900 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

const within = (c: DemoCrash, hours: number) => c.receivedAt.getTime() >= now.getTime() - hours * 3600_000;

describe("dashboard in a browser", () => {
  it("signs in, shows the counts and the table, filters, and opens a case report", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/dashboard`);
    // Not signed in: the login form, and no data.
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.fill("#token", TOKEN);
    await Promise.all([page.waitForURL(/\/dashboard/), page.click("button[type=submit]")]);

    const week = crashes.filter((c) => within(c, 24 * 7));
    expect(await page.textContent('[data-kpi="total"] .n')).toBe(String(week.length));
    const uafWeek = week.filter((c) => c.verdict === "use-after-free").length;
    expect(await page.textContent('[data-verdict="use-after-free"] .n')).toBe(String(uafWeek));
    // Table: newest first, 25 rows, the total of the window under it.
    const rows = page.locator("table.crashes tbody tr");
    expect(await rows.count()).toBe(25);
    const newest = [...week].sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime())[0];
    expect(await rows.first().getAttribute("data-issue")).toBe(`${newest.repository}#${newest.issue}`);
    expect(await page.getAttribute("[data-total]", "data-total")).toBe(String(week.length));
    // Pipeline health shows the failed job and its reason.
    expect(await page.textContent("#pipeline")).toContain("exceeds the 512 MiB bundle limit");

    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, "dashboard.png"), fullPage: true });

    // Filter: use-after-free in the last 30 days.
    await page.selectOption('select[name="verdict"]', "use-after-free");
    await page.selectOption('select[name="window"]', "30d");
    await Promise.all([page.waitForURL(/verdict=use-after-free/), page.click("form.filters button[type=submit]")]);
    const uafMonth = crashes.filter((c) => within(c, 24 * 30) && c.verdict === "use-after-free");
    expect(await page.getAttribute("[data-total]", "data-total")).toBe(String(uafMonth.length));
    const badges = await page.locator("table.crashes tbody tr .badge").allTextContents();
    expect(badges.length).toBe(Math.min(25, uafMonth.length));
    expect(new Set(badges)).toEqual(new Set(["use-after-free"]));

    // Sort by confidence, ascending after a second click.
    await Promise.all([page.waitForURL(/sort=confidence/), page.click('th a:has-text("Conf.")')]);
    await Promise.all([page.waitForURL(/order=asc/), page.click('th a:has-text("Conf.")')]);
    const confidences = (await page.locator("table.crashes tbody tr td.num").allTextContents()).map((t) => parseInt(t, 10));
    expect(confidences).toEqual([...confidences].sort((a, b) => a - b));

    // A row opens the case report, rendered from the stored verdict.
    await Promise.all([page.waitForURL(/\/dashboard\/crash/), page.locator("table.crashes tbody tr td.title a").first().click()]);
    expect(await page.textContent("article.report")).toContain("casefile verdict");
    await page.screenshot({ path: join(SHOTS, "case-report.png"), fullPage: true });
    await page.close();
  }, 120_000);
});
