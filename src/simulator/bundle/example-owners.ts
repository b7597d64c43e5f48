import type { VerdictKind } from "../../analysis/model/verdict-kind.js";

/**
 * The owner rules of `examples/casefile.yml`, the example configuration every simulated case is
 * judged against: truth.json's `owner` is the first rule that matches, as config.md says.
 */
export interface ExampleOwnerRule {
  match: { driver?: string; function?: string; verdict?: VerdictKind };
  owner: string;
  label: string;
}

export const EXAMPLE_OWNER_RULES: readonly ExampleOwnerRule[] = [
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
];

/** `*` matches any run of characters, `?` one; the whole value must match. */
export function globMatch(glob: string, value: string): boolean {
  const re = new RegExp("^" + glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$");
  return re.test(value);
}

export function exampleOwner(verdict: VerdictKind, suspect: { driver: string | null; function: string | null } | null, crashFrame: string | null): string | null {
  for (const rule of EXAMPLE_OWNER_RULES) {
    const m = rule.match;
    if (m.verdict && m.verdict !== verdict) continue;
    if (m.driver && !(suspect?.driver && globMatch(m.driver, suspect.driver))) continue;
    const fn = suspect?.function ?? crashFrame;
    if (m.function && !(fn && globMatch(m.function, fn))) continue;
    return rule.owner;
  }
  return null;
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
