import type { CasefileVerdict } from "../../analysis/model/casefile-verdict.js";
import { renderMarkdownReport } from "../../analysis/report/markdown-report.js";
import type { CrashRecord, IssueCorrections } from "../../store/crash-record.js";
import { duration, percent, safeIssueUrl, utc } from "./display-format.js";
import { html, queryString, trustedHtml, type Html } from "./html.js";
import { pageLayout, topHeader } from "./page-layout.js";
import { renderSafeMarkdown } from "./safe-markdown.js";

export interface CaseReportData {
  record: CrashRecord;
  corrections: IssueCorrections;
  occurrences: { count: number; first: { repository: string; issue: number; at: string } | null };
  explain: boolean;
}

/** The stored verdict as the case report the bot posted, plus what the store knows around it. */
export function renderCaseReport(d: CaseReportData): Html {
  const r = d.record;
  const issueUrl = safeIssueUrl(r.issue_url);
  let markdown: string;
  try {
    markdown = renderMarkdownReport(r as CasefileVerdict, { explain: d.explain });
  } catch (err) {
    // A record from an older writer may lack fields the renderer expects: show the summary instead.
    markdown = `**${r.verdict}** (${percent(r.confidence)}): ${r.summary}\n\n_The full report could not be rendered: ${err instanceof Error ? err.message : String(err)}_`;
  }
  const self = `/dashboard/crash${queryString({ repository: r.repository, issue: r.issue })}`;
  const first = d.occurrences.first;
  const facts = html`<dl class="facts">
<dt>issue</dt><dd>${issueUrl ? html`<a href="${issueUrl}" rel="noreferrer noopener" target="_blank">${r.repository}#${r.issue}</a>` : `${r.repository}#${r.issue}`}</dd>
<dt>arrived</dt><dd>${utc(r.received_at)}</dd>
<dt>analysed</dt><dd>${utc(r.analyzed_at)} in ${duration(r.duration_ms)}</dd>
<dt>signature</dt><dd><a class="mono" href="/dashboard${queryString({ signature: r.signature, window: "all" })}">${r.signature}</a> · ${d.occurrences.count} issue${d.occurrences.count === 1 ? "" : "s"}${first ? html` since ${utc(first.at)} (first: ${first.repository}#${first.issue})` : ""}</dd>
${d.corrections.verdict ? html`<dt>verdict corrected</dt><dd class="corrected">${d.corrections.verdict.from} → ${d.corrections.verdict.to} by ${d.corrections.verdict.by}, ${utc(d.corrections.verdict.at)}</dd>` : ""}
${d.corrections.owner ? html`<dt>owner corrected</dt><dd class="corrected">${d.corrections.owner.from} → ${d.corrections.owner.to} by ${d.corrections.owner.by}, ${utc(d.corrections.owner.at)}</dd>` : ""}
<dt>more</dt><dd>${d.explain ? html`<a href="${self}">short report</a>` : html`<a href="${self}&amp;explain=1">full evidence (explain)</a>`} · <a href="/api/crash${queryString({ repository: r.repository, issue: r.issue })}">JSON</a></dd>
</dl>`;
  const header = topHeader(html`<nav><a href="/dashboard">← dashboard</a></nav><span class="spacer"></span>`);
  return pageLayout(
    { title: `casefile · ${r.repository}#${r.issue} · ${r.verdict}`, header },
    html`${facts}<article class="report">${trustedHtml(renderSafeMarkdown(markdown))}</article>`,
  );
}
