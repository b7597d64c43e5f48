import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { globMatch } from "../../src/analysis/owners/glob.js";

describe("globMatch", () => {
  it("matches names with * and ? anywhere", () => {
    expect(globMatch("mlx5_*", "mlx5_core")).toBe(true);
    expect(globMatch("mlx5_*", "mlx4_core")).toBe(false);
    expect(globMatch("ext4_?b_*", "ext4_mb_new_blocks")).toBe(true);
    expect(globMatch("0001:01:00.?", "0001:01:00.0")).toBe(true);
    expect(globMatch("0001:01:00.?", "0001:01:0000")).toBe(false); // the dot is literal
  });

  it("matches the whole value, not a part", () => {
    expect(globMatch("mlx5", "mlx5_core")).toBe(false);
    expect(globMatch("core", "mlx5_core")).toBe(false);
  });

  it("keeps * inside one path segment and lets ** span segments", () => {
    expect(globMatch("drivers/net/*", "drivers/net/tun.c", { path: true })).toBe(true);
    expect(globMatch("drivers/net/*", "drivers/net/ethernet/intel/e1000.c", { path: true })).toBe(false);
    expect(globMatch("drivers/net/**", "drivers/net/ethernet/intel/e1000.c", { path: true })).toBe(true);
    expect(globMatch("**/kasan/*.c", "mm/kasan/report.c", { path: true })).toBe(true);
    expect(globMatch("**/kasan/*.c", "kasan/report.c", { path: true })).toBe(true);
    expect(globMatch("drivers/**/mlx5/**", "drivers/net/ethernet/mellanox/mlx5/core/en_rx.c", { path: true })).toBe(true);
    expect(globMatch("drivers/**/mlx5/**", "drivers/net/mlx4/main.c", { path: true })).toBe(false);
  });

  it("supports classes and escapes", () => {
    expect(globMatch("mlx[45]_core", "mlx4_core")).toBe(true);
    expect(globMatch("mlx[!45]_core", "mlx4_core")).toBe(false);
    expect(globMatch("a\\*b", "a*b")).toBe(true);
    expect(globMatch("a\\*b", "axb")).toBe(false);
  });

  it("never throws, whatever the pattern", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), fc.boolean(), (pattern, value, path) => {
        expect(typeof globMatch(pattern, value, { path })).toBe("boolean");
      }),
      { numRuns: 500 },
    );
  });

  it("a pattern without wildcards matches exactly itself", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9_./:-]{1,30}$/), (name) => {
        expect(globMatch(name, name, { path: true })).toBe(true);
        expect(globMatch(name, `${name}x`, { path: true })).toBe(false);
      }),
    );
  });
});
