import { describe, expect, it } from "vitest";
import type { Evidence } from "../../src/analysis/model/evidence.js";
import { DECISION_THRESHOLD, weighEvidence } from "../../src/analysis/verdict/weigh-evidence.js";

const ev = (over: Partial<Evidence>): Evidence => ({
  claim: "c",
  weight: 0.5,
  source: null,
  verdict: "stale-dma",
  facet: "trace",
  ...over,
});

describe("weighEvidence", () => {
  it("is inconclusive with no evidence", () => {
    const w = weighEvidence([]);
    expect(w.verdict).toBe("inconclusive");
    expect(w.confidence).toBe(0);
    expect(w.leading).toBeNull();
  });

  it("counts independent facets together, like independent witnesses", () => {
    const one = weighEvidence([ev({ facet: "trace", weight: 0.6 })]);
    const three = weighEvidence([
      ev({ facet: "trace", weight: 0.6 }),
      ev({ facet: "alignment", weight: 0.3 }),
      ev({ facet: "content", weight: 0.5 }),
    ]);
    expect(one.confidence).toBe(0.6);
    // 1 - 0.4 * 0.7 * 0.5 = 0.86
    expect(three.confidence).toBe(0.86);
  });

  it("does not double-count items of one facet", () => {
    const w = weighEvidence([ev({ facet: "content", weight: 0.6, claim: "a" }), ev({ facet: "content", weight: 0.5, claim: "b" })]);
    expect(w.confidence).toBe(0.6);
    expect(w.scores[0].counted.map((e) => e.claim)).toEqual(["a"]);
  });

  it("lowers the score with counter-evidence and keeps it visible", () => {
    const w = weighEvidence([ev({ weight: 0.8 }), ev({ weight: 0.5, counter: true, facet: "trace", claim: "unmapped before the free" })]);
    expect(w.scores[0].score).toBeCloseTo(0.4);
    expect(w.verdict).toBe("inconclusive");
    expect(w.leading?.counter[0].claim).toBe("unmapped before the free");
  });

  it("lets independent DMA evidence overturn the crash report's own class", () => {
    const w = weighEvidence([
      ev({ verdict: "use-after-free", facet: "crash-report", weight: 0.75 }),
      ev({ verdict: "stale-dma", facet: "trace", weight: 0.8 }),
      ev({ verdict: "stale-dma", facet: "address-match", weight: 0.5 }),
      ev({ verdict: "stale-dma", facet: "content", weight: 0.5 }),
    ]);
    expect(w.verdict).toBe("stale-dma");
    expect(w.scores.map((s) => s.verdict)).toEqual(["stale-dma", "use-after-free"]);
    // A contradicting hypothesis costs confidence.
    expect(w.confidence).toBeLessThan(w.scores[0].score);
  });

  it("needs the threshold to claim a verdict", () => {
    expect(weighEvidence([ev({ weight: DECISION_THRESHOLD - 0.01 })]).verdict).toBe("inconclusive");
    expect(weighEvidence([ev({ weight: DECISION_THRESHOLD })]).verdict).toBe("stale-dma");
  });

  it("ignores owner facts when deciding what happened", () => {
    expect(weighEvidence([ev({ facet: "owner", weight: 0.9 })]).verdict).toBe("inconclusive");
  });

  it("is deterministic whatever the input order", () => {
    const items = [
      ev({ verdict: "bit-flip", facet: "fill", weight: 0.7, claim: "x" }),
      ev({ verdict: "cache-line-corruption", facet: "content", weight: 0.7, claim: "y" }),
    ];
    const a = weighEvidence(items);
    const b = weighEvidence([...items].reverse());
    expect(a).toEqual(b);
    // Equal scores break by the contract's verdict order.
    expect(a.verdict).toBe("cache-line-corruption");
  });
});
