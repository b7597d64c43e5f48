import { VERDICT_KINDS, type VerdictKind } from "../../analysis/model/verdict-kind.js";
import type { QueueHealth } from "../../observability/pipeline-health.js";
import type { CrashRecord, IssueCorrections } from "../../store/crash-record.js";
import { crashId } from "../../store/crash-record.js";
import { WINDOW_NAMES, type Stats, type WindowName, type WindowStats } from "../../store/crash-stats.js";
import { arrivalsChart } from "./arrivals-chart.js";
import type { CrashQuery } from "./crash-query-params.js";
import { age, ago, duration, percent, safeIssueUrl, utc } from "./display-format.js";
import { html, queryString, type Html } from "./html.js";
import { pageLayout, topHeader } from "./page-layout.js";
import { VERDICT_COLORS } from "./verdict-colors.js";

export interface DashboardData {
  now: Date;
  /** The window of counts and chart (the table's "all" shows 30d counts). */
  window: WindowName;
  stats: Stats;
  health: QueueHealth[];
  crashes: { items: CrashRecord[]; next: string | null; total: number };
  occurrences: Map<string, number>;
  corrections: Map<string, IssueCorrections>;
  query: CrashQuery;
  refreshSeconds: number;
  /** GitHub login of the signed-in person, when they used GitHub sign-in. */
  viewer?: string | null;
}

const SORTABLE: Array<{ key: string; label: string; sort?: string; num?: boolean }> = [
  { key: "time", label: "Arrived", sort: "received_at" },
  { key: "issue", label: "Issue", sort: "repository" },
  { key: "title", label: "Crash" },
  { key: "verdict", label: "Verdict", sort: "verdict" },
  { key: "confidence", label: "Conf.", sort: "confidence", num: true },
  { key: "owner", label: "Owner", sort: "owner" },
  { key: "signature", label: "Signature × issues", sort: "occurrences" },
];

function link(params: CrashQuery["params"], change: Record<string, string | undefined>): string {
  return `/dashboard${queryString({ ...params, cursor: undefined, ...change })}`;
}

function countsTable(rows: Array<{ key: string; count: number; href: string; color?: string; label?: Html | string; extra?: Html }>, empty: string, extraHead?: string): Html {
  if (rows.length === 0) return html`<div class="empty">${empty}</div>`;
  const max = Math.max(...rows.map((r) => r.count));
  return html`<table class="counts"><thead><tr><th></th><th class="num">n</th><th></th>${extraHead ? html`<th class="num">${extraHead}</th>` : ""}</tr></thead><tbody>${rows.map(
    (r) =>
      html`<tr><td><a href="${r.href}">${r.label ?? r.key}</a></td><td class="num">${r.count}</td><td class="bar"><svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none"><rect width="${((r.count / max) * 100).toFixed(1)}" height="10" rx="2" fill="${r.color ?? "#5b7bb5"}"/></svg></td>${r.extra ?? ""}</tr>`,
  )}</tbody></table>`;
}

function verdictBadge(v: VerdictKind): Html {
  return html`<span class="badge v-${v}">${v}</span>`;
}

function kpis(w: WindowStats, window: WindowName): Html {
  const cards = VERDICT_KINDS.filter((v) => w.by_verdict[v] > 0).map(
    (v) => html`<div class="kpi v-${v}" data-verdict="${v}"><div class="n">${w.by_verdict[v]}</div><div class="l">${v}</div></div>`,
  );
  const corrected = w.accuracy.all;
  return html`<div class="grid kpis">
<div class="kpi total" data-kpi="total"><div class="n">${w.total}</div><div class="l">crashes, last ${window}</div></div>
${cards}
<div class="kpi" data-kpi="corrected"><div class="n">${corrected.total ? percent(corrected.corrected_share) : "–"}</div><div class="l">corrected by people</div></div>
</div>`;
}

function healthPanel(health: QueueHealth[], w: WindowStats, now: Date): Html {
  const d = w.duration_ms;
  const queues = health.map((h) => {
    const oldest = h.oldest_waiting_s;
    const oldCls = oldest === null ? "" : oldest > 600 ? "bad" : oldest > 120 ? "warn" : "";
    return html`<tr data-queue="${h.queue}"><td>${h.queue}</td>${
      h.error
        ? html`<td colspan="5" class="bad">unreadable: ${h.error}</td>`
        : html`<td class="num">${h.counts.waiting + h.counts.prioritized}</td><td class="num">${h.counts.active}</td><td class="num ${h.counts.failed ? "bad" : ""}">${h.counts.failed}</td><td class="num ${oldCls}">${oldest === null ? "–" : age(oldest)}</td><td class="num ${h.workers === 0 ? "bad" : ""}">${h.workers ?? "?"}</td>`
    }</tr>`;
  });
  const failures = health
    .flatMap((h) => h.recent_failures)
    .sort((a, b) => (b.at ?? "").localeCompare(a.at ?? ""))
    .slice(0, 6);
  return html`<section class="panel health" id="pipeline"><h2>Pipeline health</h2>
${
  health.length
    ? html`<table><thead><tr><th>queue</th><th class="num">waiting</th><th class="num">active</th><th class="num">failed</th><th class="num">oldest wait</th><th class="num">workers</th></tr></thead><tbody>${queues}</tbody></table>`
    : html`<div class="empty">no queues configured</div>`
}
<p class="muted">Analysis time, last ${w.duration_ms.count} analyses: p50 <b>${duration(d.p50)}</b> · p90 <b>${duration(d.p90)}</b> · p99 <b>${duration(d.p99)}</b> · max ${duration(d.max)}</p>
<h2>Recent failures</h2>
${
  failures.length
    ? failures.map(
        (f) =>
          html`<div class="fail"><span class="muted">${f.at ? ago(f.at, now) : "?"} · ${f.queue} · ${f.name}${f.id ? html` #${f.id}` : ""} · ${f.attempts} attempt${f.attempts === 1 ? "" : "s"}</span><div class="reason">${f.reason}</div></div>`,
      )
    : html`<div class="empty okc">no failed jobs</div>`
}
</section>`;
}

function accuracyPanel(w: WindowStats): Html {
  const rows = VERDICT_KINDS.filter((v) => w.accuracy[v].total > 0).map((v) => {
    const a = w.accuracy[v];
    return html`<tr data-accuracy="${v}"><td>${verdictBadge(v)}</td><td class="num">${a.total}</td><td class="num">${a.verdict_corrected}</td><td class="num">${a.owner_corrected}</td><td class="num ${a.corrected_share > 0.2 ? "bad" : ""}">${percent(a.corrected_share)}</td></tr>`;
  });
  const all = w.accuracy.all;
  return html`<section class="panel" id="accuracy"><h2>Accuracy: verdicts corrected by people</h2>
${
  rows.length
    ? html`<table><thead><tr><th>verdict</th><th class="num">crashes</th><th class="num">/casefile wrong</th><th class="num">/casefile owner</th><th class="num">corrected</th></tr></thead><tbody>${rows}<tr><td><b>all</b></td><td class="num">${all.total}</td><td class="num">${all.verdict_corrected}</td><td class="num">${all.owner_corrected}</td><td class="num"><b>${percent(all.corrected_share)}</b></td></tr></tbody></table>`
    : html`<div class="empty">no crashes in this window</div>`
}
</section>`;
}

function filterForm(data: DashboardData): Html {
  const p = data.query.params;
  const w30 = data.stats.windows["30d"];
  const chosen = new Set((p.verdict ?? "").split(",").filter(Boolean));
  const owners = [...new Set([...w30.by_owner.map((o) => o.key), ...(p.owner ? [p.owner] : [])])];
  const repos = [...new Set([...w30.by_repository.map((o) => o.key), ...(p.repository ? [p.repository] : [])])];
  return html`<form class="filters" method="get" action="/dashboard">
<label>verdict<select name="verdict"><option value="">any</option>${VERDICT_KINDS.map((v) => html`<option value="${v}" ${chosen.has(v) && chosen.size === 1 ? "selected" : ""}>${v}</option>`)}</select></label>
<label>owner<select name="owner"><option value="">any</option>${owners.map((o) => html`<option value="${o}" ${p.owner === o ? "selected" : ""}>${o}</option>`)}</select></label>
<label>repository<select name="repository"><option value="">any</option>${repos.map((r) => html`<option value="${r}" ${p.repository === r ? "selected" : ""}>${r}</option>`)}</select></label>
<label>time<select name="window">${[...WINDOW_NAMES, "all" as const].map((w) => html`<option value="${w}" ${data.query.window === w ? "selected" : ""}>${w === "all" ? "all time" : `last ${w}`}</option>`)}</select></label>
${p.sort ? html`<input type="hidden" name="sort" value="${p.sort}">` : ""}${p.order ? html`<input type="hidden" name="order" value="${p.order}">` : ""}
<button type="submit">Apply</button><a class="reset" href="/dashboard">reset</a>
</form>`;
}

function crashTable(data: DashboardData): Html {
  const p = data.query.params;
  const sort = data.query.filters.sort ?? "received_at";
  const order = data.query.filters.order ?? "desc";
  const head = SORTABLE.map((c) => {
    if (!c.sort) return html`<th>${c.label}</th>`;
    const on = sort === c.sort;
    const nextOrder = on && order === "desc" ? "asc" : "desc";
    return html`<th class="${c.num ? "num" : ""}"><a class="${on ? "on" : ""}" href="${link(p, { sort: c.sort === "received_at" ? undefined : c.sort, order: nextOrder === "desc" ? undefined : nextOrder })}">${c.label}${on ? (order === "desc" ? " ▾" : " ▴") : ""}</a></th>`;
  });
  const rows = data.crashes.items.map((r) => {
    const id = crashId(r.repository, r.issue);
    const issueUrl = safeIssueUrl(r.issue_url);
    const report = `/dashboard/crash${queryString({ repository: r.repository, issue: r.issue })}`;
    const occ = data.occurrences.get(r.signature) ?? 1;
    const c = data.corrections.get(id);
    const owner = r.owners.length ? r.owners.map((o) => o.owner).join(", ") : "–";
    return html`<tr data-issue="${id}">
<td class="when" title="${utc(r.received_at)}">${ago(r.received_at, data.now)}</td>
<td>${issueUrl ? html`<a href="${issueUrl}" rel="noreferrer noopener" target="_blank">${r.repository}#${r.issue}</a>` : html`${r.repository}#${r.issue}`}</td>
<td class="title"><a href="${report}">${r.crash?.title ?? r.summary.slice(0, 120)}</a></td>
<td>${verdictBadge(r.verdict)}${c?.verdict ? html`<div class="corrected">→ ${c.verdict.to} (${c.verdict.by})</div>` : ""}</td>
<td class="num">${percent(r.confidence)}</td>
<td>${owner}${c?.owner ? html`<div class="corrected">→ ${c.owner.to} (${c.owner.by})</div>` : ""}</td>
<td><a class="sig mono" href="${link({}, { signature: r.signature, window: "all" })}">${r.signature.length > 60 ? r.signature.slice(0, 57) + "…" : r.signature}</a><span class="occ ${occ > 2 ? "many" : ""}" title="distinct issues with this signature">×${occ}</span></td>
</tr>`;
  });
  const next = data.crashes.next ? `/dashboard${queryString({ ...p, cursor: data.crashes.next })}` : null;
  const shown = data.crashes.items.length;
  return html`<section class="panel" id="crashes"><h2>Crashes</h2>
${filterForm(data)}
${
  shown
    ? html`<table class="crashes"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`
    : html`<div class="empty">no crashes match these filters</div>`
}
<div class="pager"><span data-total="${data.crashes.total}">${data.crashes.total} matching crash${data.crashes.total === 1 ? "" : "es"}${p.signature ? html` with signature <code>${p.signature}</code>` : ""}</span>${
    next ? html`<a href="${next}">next ${Math.min(data.query.page.limit, data.crashes.total)} →</a>` : ""
  }</div>
</section>`;
}

export function renderDashboard(data: DashboardData): Html {
  const w = data.stats.windows[data.window];
  const windowLinks = WINDOW_NAMES.map((name) => html`<a class="${name === data.window ? "on" : ""}" href="${link(data.query.params, { window: name })}">${name}</a>`);
  const header = topHeader(
    html`<nav>${windowLinks}<a href="/admin/queues">queues</a></nav><span class="spacer"></span><span class="meta">updated ${utc(data.now.toISOString())} · refreshes every ${data.refreshSeconds} s</span>`,
    data.viewer,
  );
  const byVerdict = VERDICT_KINDS.filter((v) => w.by_verdict[v] > 0)
    .sort((a, b) => w.by_verdict[b] - w.by_verdict[a])
    .map((v) => ({
      key: v,
      count: w.by_verdict[v],
      href: link(data.query.params, { verdict: v }),
      color: VERDICT_COLORS[v],
      label: verdictBadge(v),
    }));
  const byOwner = w.by_owner.slice(0, 10).map((o) => ({ key: o.key, count: o.count, href: link(data.query.params, { owner: o.key }) }));
  const byRepo = w.by_repository.slice(0, 10).map((o) => ({ key: o.key, count: o.count, href: link(data.query.params, { repository: o.key }) }));
  const body = html`
${kpis(w, data.window)}
<div class="grid row2">
<section class="panel" id="arrivals"><h2>Arrivals per verdict, last ${data.window}</h2>${arrivalsChart(w.series)}</section>
${healthPanel(data.health, w, data.now)}
</div>
<div class="grid row3">
<section class="panel" id="by-verdict"><h2>By verdict</h2>${countsTable(byVerdict, "no crashes in this window")}</section>
<section class="panel" id="by-owner"><h2>By owner</h2>${countsTable(byOwner, "no crashes in this window")}</section>
<section class="panel" id="by-repository"><h2>By repository</h2>${countsTable(byRepo, "no crashes in this window")}</section>
</div>
${crashTable(data)}
<div class="grid row2">
${accuracyPanel(w)}
<section class="panel" id="signatures"><h2>Most frequent signatures, last ${data.window}</h2>${
    w.top_signatures.length
      ? html`<table><tbody>${w.top_signatures.map((s) => html`<tr><td><a class="sig mono" href="${link({}, { signature: s.signature, window: data.window })}">${s.signature}</a></td><td class="num">${s.count}</td></tr>`)}</tbody></table>`
      : html`<div class="empty">none</div>`
  }</section>
</div>`;
  return pageLayout({ title: `casefile · ${w.total} crashes, last ${data.window}`, refreshSeconds: data.refreshSeconds, header }, body);
}

export function renderErrorPage(message: string): Html {
  return pageLayout({ title: "casefile · unavailable", refreshSeconds: 30, header: topHeader(html`<span class="spacer"></span>`) }, html`<div class="error">${message}</div>`);
}
