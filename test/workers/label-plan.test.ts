import { describe, expect, it } from "vitest";
import { planLabels } from "../../src/workers/label-plan.js";

describe("planLabels", () => {
  it("adds the verdict and owner labels that are missing", () => {
    expect(planLabels({ desired: ["crash:stale-dma", "owner:rdma"], current: ["crash"], removedByPeople: new Set(), prefix: "crash:" })).toEqual({
      add: ["crash:stale-dma", "owner:rdma"],
      remove: [],
    });
  });

  it("never puts back a label a person removed", () => {
    const plan = planLabels({ desired: ["crash:stale-dma", "owner:rdma"], current: ["crash"], removedByPeople: new Set(["owner:rdma"]), prefix: "crash:" });
    expect(plan.add).toEqual(["crash:stale-dma"]);
  });

  it("keeps what people corrected over what a rerun concludes", () => {
    const plan = planLabels({
      desired: ["crash:use-after-free", "owner:fs"],
      current: ["crash", "crash:stale-dma", "owner:rdma"],
      removedByPeople: new Set(),
      prefix: "crash:",
      corrections: { verdict: "stale-dma", owner: "owner:rdma", analysisOwnerLabels: ["owner:fs"] },
    });
    expect(plan).toEqual({ add: [], remove: [] });
  });

  it("takes off its own stale verdict labels after a rerun changed the verdict, but no one else's labels", () => {
    const plan = planLabels({
      desired: ["crash:bit-flip"],
      current: ["crash", "crash:inconclusive", "crash:needs-info", "owner:fs", "crash:regression"],
      removedByPeople: new Set(),
      prefix: "crash:",
    });
    expect(plan).toEqual({ add: ["crash:bit-flip"], remove: ["crash:inconclusive", "crash:needs-info"] });
  });
});
