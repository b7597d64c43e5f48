import type { Evidence, EvidenceFacet } from "../model/evidence.js";
import { VERDICT_KINDS, type VerdictKind } from "../model/verdict-kind.js";

/** Below this score no verdict is claimed: the case is `inconclusive`. */
export const DECISION_THRESHOLD = 0.5;

/** How much the runner-up's score takes off the winner's confidence: contradiction is shown, and costs. */
const CONTRADICTION_PENALTY = 0.3;

export interface VerdictScore {
  verdict: VerdictKind;
  /** 0..1 after counter-evidence. */
  score: number;
  /** The strongest item of each facet that counted, strongest first. */
  counted: Evidence[];
  counter: Evidence[];
}

export interface Weighing {
  verdict: VerdictKind;
  confidence: number;
  /** Every verdict with any evidence, best first. */
  scores: VerdictScore[];
  /** The best hypothesis even when it is below the threshold (for "inconclusive, leaning ..."). */
  leading: VerdictScore | null;
}

/** Items of one facet restate one observation: only the strongest counts. */
function strongestPerFacet(items: readonly Evidence[]): Evidence[] {
  const best = new Map<EvidenceFacet, Evidence>();
  for (const e of items) {
    const cur = best.get(e.facet);
    if (!cur || e.weight > cur.weight) best.set(e.facet, e);
  }
  return [...best.values()].sort(byWeightThenClaim);
}

function byWeightThenClaim(a: Evidence, b: Evidence): number {
  return b.weight - a.weight || a.claim.localeCompare(b.claim);
}

/** Independent observations combine like independent witnesses: 1 - Π(1 - w). */
function combine(items: readonly Evidence[]): number {
  let doubt = 1;
  for (const e of items) doubt *= 1 - clamp01(e.weight);
  return 1 - doubt;
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/**
 * Weighs all evidence into one verdict. Deterministic: ties break by the contract's verdict
 * order, items by weight then claim text.
 */
export function weighEvidence(evidence: readonly Evidence[]): Weighing {
  const scores: VerdictScore[] = [];
  for (const verdict of VERDICT_KINDS) {
    if (verdict === "inconclusive") continue;
    const pro = evidence.filter((e) => e.verdict === verdict && !e.counter && e.facet !== "owner");
    const con = evidence.filter((e) => e.verdict === verdict && e.counter);
    if (pro.length === 0) continue;
    const counted = strongestPerFacet(pro);
    const counter = strongestPerFacet(con);
    const score = combine(counted) * (1 - combine(counter));
    scores.push({ verdict, score, counted, counter });
  }
  scores.sort((a, b) => b.score - a.score || VERDICT_KINDS.indexOf(a.verdict) - VERDICT_KINDS.indexOf(b.verdict));
  const leading = scores[0] ?? null;
  if (!leading || leading.score < DECISION_THRESHOLD) {
    return { verdict: "inconclusive", confidence: 0, scores, leading };
  }
  const runnerUp = scores[1]?.score ?? 0;
  const confidence = round2(clamp01(leading.score * (1 - CONTRADICTION_PENALTY * runnerUp)));
  return { verdict: leading.verdict, confidence, scores, leading };
}
