import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { codeownersOwners, matchCodeowners, parseCodeowners } from "../../src/analysis/owners/codeowners.js";

const parsed = parseCodeowners(readFileSync(new URL("../fixtures/owners/CODEOWNERS", import.meta.url), "utf8"), ".github/CODEOWNERS");

function owners(file: string): string[] | null {
  return matchCodeowners(parsed, file)?.owners ?? null;
}

describe("CODEOWNERS", () => {
  it("the last matching line wins", () => {
    expect(owners("drivers/net/ethernet/mellanox/mlx5/core/en_rx.c")).toEqual(["@acme/rdma", "@alice"]);
    expect(owners("drivers/net/tun.c")).toEqual(["@acme/netdev"]);
    expect(owners("kernel/fork.c")).toEqual(["@acme/kernel-leads"]);
  });

  it("an unanchored pattern matches at any depth; a later, more general line still wins", () => {
    expect(owners("include/linux/mlx5/driver.h")).toEqual(["@acme/headers"]);
    // *.h comes before /drivers/net/ in the file, so the directory line wins for a header under it
    expect(owners("drivers/net/ethernet/intel/e1000/e1000.h")).toEqual(["@acme/netdev"]);
  });

  it("anchored directories, ** at any depth, and docs/* only one level", () => {
    expect(owners("mm/kasan/report.c")).toEqual(["@acme/sanitizers"]);
    expect(owners("docs/index.md")).toEqual(["docs@example.com"]);
    expect(owners("docs/sub/page.md")).toEqual(["@acme/kernel-leads"]);
    expect(owners("lib/drivers/net/x.c")).toEqual(["@acme/kernel-leads"]); // /drivers/net/ is anchored
  });

  it("a matching line without owners leaves the file unowned", () => {
    expect(owners("fs/ext4/orphan.c")).toEqual([]);
    expect(codeownersOwners(parsed, "fs/ext4/orphan.c")).toEqual([]);
  });

  it("gives one Owner per handle with the line that matched", () => {
    expect(codeownersOwners(parsed, "drivers/net/ethernet/mellanox/mlx5/core/en_rx.c")).toEqual([
      { owner: "@acme/rdma", label: null, reason: ".github/CODEOWNERS:11: drivers/net/ethernet/mellanox/mlx5/core/en_rx.c matches /drivers/net/ethernet/mellanox/" },
      { owner: "@alice", label: null, reason: ".github/CODEOWNERS:11: drivers/net/ethernet/mellanox/mlx5/core/en_rx.c matches /drivers/net/ethernet/mellanox/" },
    ]);
  });

  it("warns about what GitHub does not support, and about odd owners", () => {
    const p = parseCodeowners("!secret.txt @a\nsrc/[ab].c @b\n*.c not-a-handle\n");
    expect(p.warnings).toHaveLength(3);
    expect(p.rules.map((r) => r.pattern)).toEqual(["*.c"]);
  });

  it("never throws on garbage", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 30 }), { maxLength: 30 }), fc.string({ maxLength: 30 }), (lines, file) => {
        const p = parseCodeowners(lines.join("\n"));
        expect(Array.isArray(codeownersOwners(p, file))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
