import { VERDICT_KINDS } from "../analysis/model/verdict-kind.js";

/**
 * Which labels to add and remove after a verdict. Pure, so the rule "a label a person
 * removed is never put back" is tested without GitHub.
 */
export interface LabelPlanInput {
  /** Labels the verdict asks for (`crash:stale-dma`, owner labels, `crash:needs-info`). */
  desired: readonly string[];
  /** Labels the issue has now. */
  current: readonly string[];
  /** Labels a person (not a bot) removed from this issue at some point. */
  removedByPeople: ReadonlySet<string>;
  /** The verdict label prefix, to find the app's own stale verdict labels after a rerun. */
  prefix: string;
  /** People's corrections (`/casefile wrong`, `/casefile owner`): they outrank any rerun. */
  corrections?: { verdict?: string; owner?: string; analysisOwnerLabels?: readonly string[] };
}

export function planLabels(input: LabelPlanInput): { add: string[]; remove: string[] } {
  const current = new Set(input.current);
  const verdictLabels = new Set([...VERDICT_KINDS, "needs-info"].map((v) => `${input.prefix}${v}`));
  let desired = new Set(input.desired);
  const c = input.corrections;
  if (c?.verdict) {
    desired = new Set([...desired].filter((l) => !verdictLabels.has(l)));
    desired.add(`${input.prefix}${c.verdict}`);
  }
  if (c?.owner) {
    const analysed = new Set(c.analysisOwnerLabels ?? []);
    desired = new Set([...desired].filter((l) => !analysed.has(l)));
    desired.add(c.owner);
  }
  const add = [...desired].filter((l) => !current.has(l) && !input.removedByPeople.has(l));
  // Only the app's own verdict labels are taken off (a rerun changed the verdict); owner labels stay.
  const remove = [...current].filter((l) => verdictLabels.has(l) && !desired.has(l));
  return { add, remove };
}
