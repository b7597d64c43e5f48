/** The verdicts of the contract (shared/spec/verdict.md), in the order the report lists them. */
export const VERDICT_KINDS = [
  "stale-dma",
  "dma-fault",
  "cache-line-corruption",
  "bit-flip",
  "use-after-free",
  "out-of-bounds",
  "double-free",
  "software-corruption",
  "inconclusive",
] as const;

export type VerdictKind = (typeof VERDICT_KINDS)[number];

export function isVerdictKind(value: unknown): value is VerdictKind {
  return typeof value === "string" && (VERDICT_KINDS as readonly string[]).includes(value);
}
