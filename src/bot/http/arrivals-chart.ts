import { VERDICT_KINDS, type VerdictKind } from "../../analysis/model/verdict-kind.js";
import type { WindowStats } from "../../store/crash-stats.js";
import { html, type Html } from "./html.js";
import { VERDICT_COLORS } from "./verdict-colors.js";

const W = 900;
const H = 210;
const PAD = { left: 34, right: 8, top: 10, bottom: 24 };

function niceMax(n: number): number {
  if (n <= 4) return Math.max(1, n);
  const mag = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (step * mag >= n) return step * mag;
  return 10 * mag;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Which buckets get an axis label: midnights for multi-hour buckets, every few hours for hourly ones. */
function tickLabel(iso: string, index: number, count: number, bucketMs: number): string | null {
  const d = new Date(iso);
  const day = `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
  if (bucketMs >= 24 * 3600_000) return index % Math.max(1, Math.ceil(count / 10)) === 0 ? day : null;
  if (bucketMs > 3600_000) return d.getUTCHours() === 0 ? day : null;
  if (d.getUTCHours() % 3 !== 0) return null;
  return d.getUTCHours() === 0 ? day : `${String(d.getUTCHours()).padStart(2, "0")}:00`;
}

/**
 * Arrivals per verdict as stacked bars, rendered on the server as inline SVG: no script, no
 * library to ship, crisp in a screenshot, and the page's strict CSP needs no exception.
 */
export function arrivalsChart(series: WindowStats["series"]): Html {
  const buckets = series.buckets;
  const totals = buckets.map((b) => VERDICT_KINDS.reduce((n, v) => n + b.counts[v], 0));
  const max = niceMax(Math.max(0, ...totals));
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const slot = innerW / Math.max(1, buckets.length);
  const barW = Math.max(1, slot * 0.78);
  const y = (n: number) => PAD.top + innerH - (n / max) * innerH;
  const present = new Set<VerdictKind>();

  // Gridlines at whole numbers: the first of 4, 5, 3, 2 steps that divides the top evenly.
  const steps = [4, 5, 3, 2].find((k) => max % k === 0) ?? 1;
  const grid = Array.from({ length: steps + 1 }, (_, i) => {
    const v = (max / steps) * i;
    return html`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v)}" y2="${y(v)}" stroke="#e4e7ec" stroke-width="1"/><text x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text>`;
  });
  const bars = buckets.map((b, i) => {
    let acc = 0;
    const x = PAD.left + i * slot + (slot - barW) / 2;
    const rects = VERDICT_KINDS.filter((v) => b.counts[v] > 0).map((v) => {
      present.add(v);
      const y0 = y(acc);
      acc += b.counts[v];
      const y1 = y(acc);
      return html`<rect x="${x.toFixed(1)}" y="${y1.toFixed(1)}" width="${barW.toFixed(1)}" height="${(y0 - y1).toFixed(1)}" fill="${VERDICT_COLORS[v]}"><title>${b.start} ${v}: ${b.counts[v]}</title></rect>`;
    });
    return rects;
  });
  const ticks = buckets.map((b, i) => {
    const label = tickLabel(b.start, i, buckets.length, series.bucket_ms);
    return label === null ? "" : html`<text x="${(PAD.left + i * slot + slot / 2).toFixed(1)}" y="${H - 6}" text-anchor="middle">${label}</text>`;
  });
  const legend = VERDICT_KINDS.filter((v) => present.has(v)).map((v) => html`<span><span class="dot v-${v}"></span>${v}</span>`);
  return html`<div class="chart"><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="Arrivals per verdict">${grid}${bars}${ticks}</svg>
<div class="legend">${legend.length ? legend : html`<span>no arrivals in this window</span>`}</div></div>`;
}
