import type { CasefileVerdict, EvidenceJson } from "../model/casefile-verdict.js";
import type { TimelineEntry } from "../model/timeline.js";
import { bytesFromHex, renderHexExcerpt } from "./hex-excerpt.js";

/**
 * The case report, built like a prosecutor's case (verdict.md "The report"): verdict and
 * confidence in one line, the likely owner, the evidence with sources, the frame's timeline,
 * counter-evidence, the marked hex excerpt, and what would settle an open question. The same
 * text is the bot's comment and the CLI's output, so it must read well rendered on GitHub:
 * short on top, long parts folded in <details>.
 */
export interface ReportOptions {
  /** `/casefile explain`: every evidence item, the weighing of every verdict, all timeline rows. */
  explain?: boolean;
}

const TIMELINE_ROWS = 12;

/** Escapes text from the bundle (titles, claims, details) so it cannot inject Markdown or HTML. */
export function md(text: string): string {
  return text.replace(/[\\`*_{}[\]<>|#]/g, (c) => `\\${c}`).replace(/\r?\n/g, " ");
}

/** Inline code that survives backticks in its content. */
export function code(text: string): string {
  const t = text.replace(/\r?\n/g, " ");
  const fence = t.includes("`") ? "``" : "`";
  return `${fence}${fence.length > 1 ? " " : ""}${t}${fence.length > 1 ? " " : ""}${fence}`;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

function verdictLine(v: CasefileVerdict): string {
  if (v.verdict === "inconclusive") {
    const lead = v.scores[0];
    const leaning = lead ? ` (leaning ${code(lead.verdict)} at ${pct(lead.score)}, not enough to decide)` : "";
    return `### casefile verdict: ${code("inconclusive")}${leaning}`;
  }
  return `### casefile verdict: ${code(v.verdict)} — confidence ${pct(v.confidence)}`;
}

function ownerLine(v: CasefileVerdict): string | null {
  if (v.owners.length === 0) return null;
  const [primary, ...others] = v.owners;
  const also = others.length ? `; also ${others.map((o) => md(o.owner)).join(", ")}` : "";
  return `**Likely owner:** ${md(primary.owner)} — ${md(primary.reason)}${also}`;
}

function crashLine(v: CasefileVerdict): string {
  const c = v.crash;
  if (!c) return "**Crash:** no kernel crash report found in the bundle.";
  const where = [c.arch, c.kernel ? `kernel ${c.kernel}` : null, c.task ? `task ${c.task}${c.pid !== null ? `/${c.pid}` : ""}` : null, c.cpu !== null ? `CPU ${c.cpu}` : null]
    .filter(Boolean)
    .join(", ");
  return `**Crash:** ${code(c.title)}${where ? ` (${md(where)})` : ""}`;
}

function regionLine(v: CasefileVerdict): string | null {
  const r = v.region;
  if (!r) return null;
  const frames = v.frames.length ? `, frame${v.frames.length > 1 ? "s" : ""} ${v.frames.slice(0, 4).map(code).join(", ")}${v.frames.length > 4 ? ` and ${v.frames.length - 4} more` : ""}` : "";
  const content = r.content ? ` — ${md(r.content)}` : "";
  return `**Corrupted region:** ${code(`${r.start}-${r.end}`)} (${r.length} bytes, ${r.alignment === "unaligned" ? "unaligned" : `${r.alignment}-aligned`}, granule ${r.granule})${frames}${content}`;
}

function suspectLine(v: CasefileVerdict): string | null {
  const s = v.suspect;
  if (!s || (!s.device && !s.driver && !s.function && !s.file)) return null;
  const parts = [
    s.device ? `device ${code(s.device)}` : null,
    s.driver ? `driver ${code(s.driver)}` : null,
    s.function ? `function ${code(s.function)}` : null,
    s.file ? `file ${code(s.file)}` : null,
  ].filter(Boolean);
  return `**Suspect:** ${parts.join(", ")}`;
}

function evidenceItem(e: EvidenceJson): string {
  const src = e.source ? ` — ${code(e.source)}` : "";
  return `- ${md(e.claim)}${src} _(weight ${e.weight.toFixed(2)})_`;
}

function timelineTable(rows: TimelineEntry[], limit: number): string {
  const shown = rows.slice(0, limit);
  const out = ["| time (s) | event | frame | device / task | detail | source |", "|---:|---|---|---|---|---|"];
  for (const t of shown) {
    const who = [t.device, t.task ? `${t.task}${t.pid !== null ? `-${t.pid}` : ""}` : null, t.cpu !== null ? `CPU ${t.cpu}` : null].filter(Boolean).join(" · ");
    out.push(`| ${t.ts.toFixed(6)} | ${code(t.event)} | ${t.pfn ? code(t.pfn) : ""} | ${md(who)} | ${md(t.detail)} | ${code(t.source)} |`);
  }
  if (rows.length > limit) out.push(`\n_${rows.length - limit} more events: \`/casefile explain\` lists them all._`);
  return out.join("\n");
}

function details(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

export function renderMarkdownReport(v: CasefileVerdict, opts: ReportOptions = {}): string {
  const out: string[] = [];
  out.push(verdictLine(v));
  out.push("");
  out.push(md(v.summary));
  out.push("");
  const facts = [ownerLine(v), crashLine(v), regionLine(v), suspectLine(v)].filter((l): l is string => l !== null);
  out.push(facts.join("  \n"));

  if (v.evidence.length) {
    out.push("", "#### Evidence");
    const shown = opts.explain ? v.evidence : v.evidence.filter((e) => e.verdict === v.verdict || v.verdict === "inconclusive");
    for (const e of shown.length ? shown : v.evidence) out.push(evidenceItem(e));
  }

  if (v.timeline.length) {
    const frame = v.frames[0] ? ` of frame ${code(v.frames[0])}` : "";
    out.push("", `#### Timeline${frame}`, "", timelineTable(v.timeline, opts.explain ? Infinity : TIMELINE_ROWS));
  }

  const contra = [...v.counter_evidence];
  const rivals = v.evidence.filter((e) => e.verdict !== v.verdict && v.verdict !== "inconclusive");
  if (contra.length || (!opts.explain && rivals.length)) {
    out.push("", "#### Counter-evidence and contradictions");
    for (const e of contra) out.push(evidenceItem(e));
    for (const e of opts.explain ? [] : rivals) out.push(`${evidenceItem(e)} — points at ${code(e.verdict)} instead`);
  }

  if (v.excerpt) {
    const bytes = bytesFromHex(v.excerpt.bytes);
    const hexText = renderHexExcerpt({ base: BigInt(v.excerpt.base), bytes, start: BigInt(v.excerpt.start), end: BigInt(v.excerpt.end) });
    const where = v.region ? ` (${code(v.region.source)})` : "";
    out.push("", "#### Corrupted bytes" + where, "", "`[` marks the first corrupted byte, `]` follows the last, `>` marks lines inside the region.", "", "```", hexText, "```");
  }

  if (v.missing.length) {
    out.push("", v.verdict === "inconclusive" ? "#### What to attach next" : "#### What would settle it");
    for (const m of v.missing) out.push(`- ${m}`);
  }

  if (v.stale_mappings.length) {
    const rows = ["| frame | device | driver | mapped at (s) | reused at (s) | reused by | source |", "|---|---|---|---:|---:|---|---|"];
    for (const s of v.stale_mappings.slice(0, opts.explain ? Infinity : 20)) {
      rows.push(`| ${code(s.pfn)} | ${code(s.device)} | ${s.driver ? code(s.driver) : ""} | ${s.mapped_at.toFixed(6)} | ${s.reused_at.toFixed(6)} | ${md(s.reuse)} | ${code(s.source)} |`);
    }
    out.push("", details(`Frames handed to a new owner while a device still had them mapped (${v.stale_mappings.length})`, rows.join("\n")));
  }

  if (opts.explain && v.scores.length) {
    const rows = ["| verdict | score |", "|---|---:|", ...v.scores.map((s) => `| ${code(s.verdict)} | ${pct(s.score)} |`)];
    out.push("", details("How the evidence was weighed", rows.join("\n")));
  }

  const arts = ["| artifact | kind | bytes | events | warnings |", "|---|---|---:|---:|---|"];
  for (const a of v.artifacts) {
    arts.push(`| ${md(a.name)} | ${a.kind} | ${a.bytes} | ${a.events ?? ""} | ${a.warnings.map(md).join("; ")} |`);
  }
  const warned = v.artifacts.filter((a) => a.warnings.length).length;
  out.push("", details(`Artifacts read (${v.artifacts.length}${warned ? `, ${warned} with warnings` : ""})`, arts.join("\n")));

  const labels = v.labels.length ? ` · labels ${v.labels.map(code).join(" ")}` : "";
  out.push("", `<sub>signature ${code(v.signature)}${labels} · ${v.machine.arch}, ${v.machine.page_size / 1024} KiB pages · casefile/v1</sub>`);
  return out.join("\n") + "\n";
}
