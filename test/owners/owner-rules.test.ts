import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig, type OwnerRule } from "../../src/analysis/config/casefile-config.js";
import { matchOwnerRules, type OwnerFacts } from "../../src/analysis/owners/owner-rules.js";

const facts: OwnerFacts = {
  verdict: "stale-dma",
  driver: "mlx5_core",
  device: "0001:01:00.0",
  modules: ["ib_core", "mlx5_ib", "mlx5_core"],
  function: "mlx5e_poll_rx_cq",
  file: "drivers/net/ethernet/mellanox/mlx5/core/en_rx.c",
};

function rules(yaml: string): OwnerRule[] {
  return parseConfig(yaml).owners;
}

describe("matchOwnerRules: each match key", () => {
  it("driver", () => {
    const owners = matchOwnerRules(rules(`owners:\n  - { match: { driver: "mlx5_*" }, owner: "@acme/rdma", label: "owner:rdma" }\n`), facts);
    expect(owners).toEqual([{ owner: "@acme/rdma", label: "owner:rdma", reason: "driver mlx5_core matches mlx5_*" }]);
  });

  it("device", () => {
    const owners = matchOwnerRules(rules(`owners:\n  - { match: { device: "0001:01:*" }, owner: "@acme/slot1" }\n`), facts);
    expect(owners).toEqual([{ owner: "@acme/slot1", label: null, reason: "device 0001:01:00.0 matches 0001:01:*" }]);
  });

  it("module: any loaded module may match", () => {
    const owners = matchOwnerRules(rules(`owners:\n  - { match: { module: "mlx5_i?" }, owner: "@acme/ib" }\n`), facts);
    expect(owners.map((o) => o.reason)).toEqual(["module mlx5_ib matches mlx5_i?"]);
    expect(matchOwnerRules(rules(`owners:\n  - { match: { module: "nvme*" }, owner: "@x" }\n`), facts)).toEqual([]);
  });

  it("function", () => {
    const owners = matchOwnerRules(rules(`owners:\n  - { match: { function: "mlx5e_*" }, owner: "@acme/en" }\n`), facts);
    expect(owners[0]?.reason).toBe("function mlx5e_poll_rx_cq matches mlx5e_*");
  });

  it("file: path globs where * stays in a directory and ** does not", () => {
    expect(matchOwnerRules(rules(`owners:\n  - { match: { file: "drivers/net/**" }, owner: "@acme/netdev" }\n`), facts)[0]?.reason).toBe(
      "file drivers/net/ethernet/mellanox/mlx5/core/en_rx.c matches drivers/net/**",
    );
    expect(matchOwnerRules(rules(`owners:\n  - { match: { file: "drivers/net/*" }, owner: "@acme/netdev" }\n`), facts)).toEqual([]);
  });

  it("verdict", () => {
    const owners = matchOwnerRules(rules(`owners:\n  - { match: { verdict: stale-dma }, owner: "@acme/platform", label: "owner:platform" }\n`), facts);
    expect(owners[0]?.reason).toBe("verdict is stale-dma");
    expect(matchOwnerRules(rules(`owners:\n  - { match: { verdict: bit-flip }, owner: "@x" }\n`), facts)).toEqual([]);
  });

  it("every key of one match must hold, and the reason names each", () => {
    const both = rules(`owners:\n  - { match: { driver: "mlx5_*", verdict: stale-dma }, owner: "@a" }\n  - { match: { driver: "mlx5_*", verdict: bit-flip }, owner: "@b" }\n`);
    expect(matchOwnerRules(both, facts)).toEqual([{ owner: "@a", label: null, reason: "driver mlx5_core matches mlx5_* and verdict is stale-dma" }]);
  });

  it("an unknown fact never matches", () => {
    const none: OwnerFacts = { verdict: "inconclusive", driver: null, device: null, modules: [], function: null, file: null };
    const all = rules(`owners:\n  - { match: { driver: "*" }, owner: "@a" }\n  - { match: { file: "**" }, owner: "@b" }\n  - { match: { function: "*" }, owner: "@c" }\n`);
    expect(matchOwnerRules(all, none)).toEqual([]);
  });

  it("lists all matches in config order, first is primary, and carries assign", () => {
    const owners = matchOwnerRules(
      rules(`owners:
  - { match: { verdict: stale-dma }, owner: "@acme/platform", label: "owner:platform" }
  - { match: { driver: "mlx5_*" }, owner: "@alice", label: "owner:rdma", assign: true }
  - { match: { driver: "nvme" }, owner: "@acme/storage" }
`),
      facts,
    );
    expect(owners.map((o) => o.owner)).toEqual(["@acme/platform", "@alice"]);
    expect(owners[1]?.assign).toBe(true);
    expect(owners[0]?.assign).toBeUndefined();
  });
});

describe("an invalid owner rule", () => {
  function problem(yaml: string): string {
    try {
      parseConfig(yaml);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error("expected a ConfigError");
  }

  it("names the unknown key, with the path, and suggests the near one", () => {
    const msg = problem(`owners:\n  - match: { drivr: "mlx5_*" }\n    owner: "@acme/rdma"\n`);
    expect(msg).toContain("owners[0].match.drivr: unknown key `drivr`");
    expect(msg).toContain("did you mean `driver`?");
    expect(msg).not.toContain("a match needs at least one"); // the typo is the one problem
  });

  it("says a required owner is missing, and an empty match", () => {
    expect(problem(`owners:\n  - match: { driver: "mlx5_*" }\n`)).toContain("owners[0].owner: missing; it is required");
    expect(problem(`owners:\n  - match: {}\n    owner: "@a"\n`)).toContain("owners[0].match: a match needs at least one of driver");
    expect(problem(`owners:\n  - match: { driver: "" }\n    owner: "@a"\n`)).toContain("owners[0].match.driver: must not be empty");
  });

  it("names a verdict that does not exist", () => {
    expect(problem(`owners:\n  - match: { verdict: stale }\n    owner: "@a"\n`)).toContain("owners[0].match.verdict: Invalid option");
  });
});
