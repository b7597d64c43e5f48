import type { VerdictKind } from "../model/verdict-kind.js";

/** The labels of verdict.md: `crash:<verdict>`, the owner labels, and `crash:needs-info` with inconclusive. */
export function verdictLabels(verdict: VerdictKind, prefix: string, ownerLabels: readonly string[]): string[] {
  const labels = [`${prefix}${verdict}`];
  if (verdict === "inconclusive") labels.push(`${prefix}needs-info`);
  for (const l of ownerLabels) if (!labels.includes(l)) labels.push(l);
  return labels;
}
