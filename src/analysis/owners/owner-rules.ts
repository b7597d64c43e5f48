import type { OwnerMatch, OwnerRule } from "../config/casefile-config.js";
import type { VerdictKind } from "../model/verdict-kind.js";
import type { Owner } from "../model/region.js";
import { globMatch } from "./glob.js";

/** What is known about the crash that owner rules can match on. */
export interface OwnerFacts {
  verdict: VerdictKind;
  driver: string | null;
  device: string | null;
  modules: string[];
  /** The guilty frame (function) of the crash. */
  function: string | null;
  /** The guilty source file, tree-relative (`drivers/net/...`). */
  file: string | null;
}

/** The match keys in the order a reason lists them (config.md). */
const KEYS = ["driver", "device", "module", "function", "file", "verdict"] as const;
type Key = (typeof KEYS)[number];

/** Why one key holds, in plain words, or null when it does not. */
function keyHolds(key: Key, pattern: string, facts: OwnerFacts): string | null {
  switch (key) {
    case "driver":
    case "device":
    case "function": {
      const value = facts[key];
      return value !== null && globMatch(pattern, value) ? `${key} ${value} matches ${pattern}` : null;
    }
    case "module": {
      const hit = facts.modules.find((m) => globMatch(pattern, m));
      return hit !== undefined ? `module ${hit} matches ${pattern}` : null;
    }
    case "file": {
      const file = facts.file?.replace(/^\.?\//, "") ?? null;
      return file !== null && globMatch(pattern.replace(/^\//, ""), file, { path: true }) ? `file ${file} matches ${pattern}` : null;
    }
    case "verdict":
      return facts.verdict === pattern ? `verdict is ${pattern}` : null;
  }
}

/** The reasons one rule matches (every key must hold), or null. */
export function ruleReason(match: OwnerMatch, facts: OwnerFacts): string | null {
  const reasons: string[] = [];
  for (const key of KEYS) {
    const pattern = match[key];
    if (pattern === undefined) continue;
    const reason = keyHolds(key, pattern, facts);
    if (reason === null) return null;
    reasons.push(reason);
  }
  return reasons.length > 0 ? reasons.join(" and ") : null;
}

/**
 * Every rule that matches, in config order: the first is the primary owner.
 * A rule with no keys never matches (the schema rejects it; this guards hand-built rules).
 */
export function matchOwnerRules(rules: readonly OwnerRule[], facts: OwnerFacts): Owner[] {
  const owners: Owner[] = [];
  for (const rule of rules) {
    const reason = ruleReason(rule.match, facts);
    if (reason === null) continue;
    const owner: Owner = { owner: rule.owner, label: rule.label ?? null, reason };
    if (rule.assign) owner.assign = true;
    owners.push(owner);
  }
  return owners;
}
