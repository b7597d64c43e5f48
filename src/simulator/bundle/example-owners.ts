import { ownerRuleSchema, type OwnerRule } from "../../analysis/config/casefile-config.js";
import type { VerdictKind } from "../../analysis/model/verdict-kind.js";
import { matchOwnerRules, type OwnerFacts } from "../../analysis/owners/owner-rules.js";

/**
 * The owner rules of `examples/casefile.yml`, the example configuration every simulated case is
 * judged against: truth.json's `owner` is the first rule that matches, as config.md says. They go
 * through the real config schema and owner matcher, so the truth is what casefile itself decides.
 */
export const EXAMPLE_OWNER_RULES: readonly OwnerRule[] = [
  { match: { driver: "mlx5_*" }, owner: "@acme/rdma", label: "owner:rdma" },
  { match: { driver: "nvme*" }, owner: "@acme/storage", label: "owner:storage" },
  { match: { driver: "ice" }, owner: "@acme/netdev", label: "owner:netdev" },
  { match: { driver: "ixgbe" }, owner: "@acme/netdev", label: "owner:netdev" },
  { match: { verdict: "cache-line-corruption" }, owner: "@acme/platform", label: "owner:platform" },
  { match: { verdict: "bit-flip" }, owner: "@acme/platform", label: "owner:platform" },
  { match: { function: "ext4_*" }, owner: "@acme/filesystems", label: "owner:fs" },
  { match: { function: "xfs_*" }, owner: "@acme/filesystems", label: "owner:fs" },
  { match: { function: "tcp_*" }, owner: "@acme/netdev", label: "owner:netdev" },
  { match: { function: "nf_*" }, owner: "@acme/netdev", label: "owner:netdev" },
].map((rule) => ownerRuleSchema.parse(rule));

export function exampleOwner(verdict: VerdictKind, suspect: { driver: string | null; function: string | null } | null, crashFrame: string | null): string | null {
  const facts: OwnerFacts = { verdict, driver: suspect?.driver ?? null, device: null, modules: [], function: suspect?.function ?? crashFrame, file: null };
  return matchOwnerRules(EXAMPLE_OWNER_RULES, facts)[0]?.owner ?? null;
}

/** The YAML text of examples/casefile.yml, generated from the same rules. */
export function exampleConfigYaml(): string {
  let out = "# Example .github/casefile.yml: who owns which crash. The simulator's truth.json files\n# name the owner these rules give (first match wins).\nowners:\n";
  for (const r of EXAMPLE_OWNER_RULES) {
    const [key, value] = Object.entries(r.match)[0];
    out += `  - match: { ${key}: "${value}" }\n    owner: "${r.owner}"\n    label: "${r.label}"\n`;
  }
  return out;
}
