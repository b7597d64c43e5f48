import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/analysis/config/casefile-config.js";
import type { OwnerFacts } from "../../src/analysis/owners/owner-rules.js";
import { resolveOwners } from "../../src/analysis/owners/resolve-owners.js";

const maintainers = { name: "MAINTAINERS", text: readFileSync(new URL("../fixtures/owners/MAINTAINERS", import.meta.url), "utf8") };
const codeowners = { name: ".github/CODEOWNERS", text: readFileSync(new URL("../fixtures/owners/CODEOWNERS", import.meta.url), "utf8") };

const facts: OwnerFacts = { verdict: "use-after-free", driver: null, device: null, modules: [], function: "mlx5e_poll_rx_cq", file: null };

// A KASAN report whose first frames are the sanitizer's own.
const report = `BUG: KASAN: use-after-free in mlx5e_poll_rx_cq+0x1c/0x80 drivers/net/ethernet/mellanox/mlx5/core/en_rx.c:1402
Read of size 8 at addr ffff888012345678 by task swapper/0/0
Call Trace:
 dump_stack_lvl+0x1b1/0x28e lib/dump_stack.c:106
 kasan_report+0x104/0x200 mm/kasan/report.c:413
 mlx5e_poll_rx_cq+0x1c/0x80 drivers/net/ethernet/mellanox/mlx5/core/en_rx.c:1402
`;

const rules = parseConfig(`owners:
  - { match: { driver: "mlx5_*" }, owner: "@acme/rdma", label: "owner:rdma" }
  - { match: { file: "drivers/net/**" }, owner: "@acme/netdev", label: "owner:netdev" }
  - { match: { function: "mlx5e_*" }, owner: "@acme/en", label: "owner:rdma" }
`).owners;

describe("resolveOwners", () => {
  it("config rules first, matched on the guilty file from the report; labels from the rules, once each", () => {
    const got = resolveOwners({ rules, facts, maintainers, codeowners, reportText: report });
    expect(got.guiltyFile).toBe("drivers/net/ethernet/mellanox/mlx5/core/en_rx.c");
    expect(got.owners.map((o) => o.owner)).toEqual(["@acme/netdev", "@acme/en"]);
    expect(got.labels).toEqual(["owner:netdev", "owner:rdma"]);
  });

  it("the suspect's own file beats the report's guilty file", () => {
    const got = resolveOwners({ rules: [], facts: { ...facts, file: "fs/ext4/dir.c" }, maintainers, codeowners, reportText: report });
    expect(got.guiltyFile).toBe("fs/ext4/dir.c");
    expect(got.owners[0]?.reason).toBe("MAINTAINERS: EXT4 FILE SYSTEM, F: fs/ext4/");
  });

  it("falls back to MAINTAINERS on the guilty file when no rule matches, with no labels", () => {
    const got = resolveOwners({ rules: rules.slice(0, 1), facts, maintainers, codeowners, reportText: report });
    expect(got.owners[0]).toEqual({
      owner: "Saeed Mahameed <saeedm@nvidia.com>, Tariq Toukan <tariqt@nvidia.com>",
      label: null,
      reason: "MAINTAINERS: MELLANOX ETHERNET DRIVER (mlx5e), F: drivers/net/ethernet/mellanox/mlx5/core/en_*",
    });
    expect(got.labels).toEqual([]);
  });

  it("falls back to CODEOWNERS when there is no MAINTAINERS file", () => {
    const got = resolveOwners({ rules: [], facts, maintainers: null, codeowners, reportText: report });
    expect(got.owners.map((o) => o.owner)).toEqual(["@acme/rdma", "@alice"]);
    expect(got.owners[0]?.reason).toMatch(/^\.github\/CODEOWNERS:\d+: drivers\/net\/ethernet\/mellanox\/mlx5\/core\/en_rx\.c matches \/drivers\/net\/ethernet\/mellanox\/$/);
  });

  it("falls back to CODEOWNERS when MAINTAINERS names nobody for the file", () => {
    const got = resolveOwners({ rules: [], facts, maintainers: { name: "MAINTAINERS", text: "FOO\nF:\tfoo/\n" }, codeowners, reportText: report });
    expect(got.owners[0]?.owner).toBe("@acme/rdma");
  });

  it("has no owner and no guilty file when nothing is known", () => {
    expect(resolveOwners({ rules, facts: { ...facts, function: null }, maintainers: null, codeowners: null, reportText: null })).toEqual({
      owners: [],
      guiltyFile: null,
      labels: [],
      warnings: [],
    });
  });

  it("never throws on garbage files and reports", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 200 }), fc.string({ maxLength: 300 }), (m, c, r) => {
        const got = resolveOwners({ rules, facts, maintainers: { name: "M", text: m }, codeowners: { name: "C", text: c }, reportText: r });
        expect(Array.isArray(got.owners)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
