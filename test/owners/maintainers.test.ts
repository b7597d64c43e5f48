import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { maintainersOwners, matchMaintainers, parseMaintainers } from "../../src/analysis/owners/maintainers.js";

const text = readFileSync(new URL("../fixtures/owners/MAINTAINERS", import.meta.url), "utf8");
const parsed = parseMaintainers(text);

function titles(file: string | null, report: string | null = null): string[] {
  return matchMaintainers(parsed, file, report).map((m) => m.section.title);
}

describe("parseMaintainers", () => {
  it("reads the sections with their entries and skips the preamble's tag descriptions", () => {
    const mlx5 = parsed.sections.find((s) => s.title === "MELLANOX MLX5 core VPI driver");
    expect(mlx5?.maintainers).toEqual(["Saeed Mahameed <saeedm@nvidia.com>", "Leon Romanovsky <leonro@nvidia.com>", "Tariq Toukan <tariqt@nvidia.com>"]);
    expect(mlx5?.lists).toEqual(["netdev@vger.kernel.org", "linux-rdma@vger.kernel.org"]);
    expect(mlx5?.files).toContain("drivers/net/ethernet/mellanox/mlx5/core/");
    expect(parsed.sections.some((s) => /Descriptions|Maintainers List|note::/.test(s.title))).toBe(false);
    expect(parsed.warnings).toEqual([]);
  });
});

describe("matchMaintainers: the most specific section wins", () => {
  it("a deeper F: pattern beats a shallower directory", () => {
    expect(titles("drivers/net/ethernet/mellanox/mlx5/core/main.c")).toEqual(["MELLANOX MLX5 core VPI driver", "NETWORKING DRIVERS"]);
  });

  it("a file pattern with * beats its directory when it matches at the same depth", () => {
    expect(titles("drivers/net/ethernet/mellanox/mlx5/core/en_rx.c")[0]).toBe("MELLANOX ETHERNET DRIVER (mlx5e)");
    // `en_*` does not reach into a subdirectory
    expect(titles("drivers/net/ethernet/mellanox/mlx5/core/en/tc.c")[0]).toBe("MELLANOX MLX5 core VPI driver");
  });

  it("X: excludes a section", () => {
    expect(titles("drivers/net/wireless/ath/ath9k/htc_drv_main.c")).toEqual(["NETWORKING DRIVERS (WIRELESS)"]);
  });

  it("N: matches file names by regex", () => {
    expect(titles("drivers/soc/tegra/pmc.c")).toEqual(["TEGRA ARCHITECTURE SUPPORT"]);
  });

  it("K: matches the report text only when no section claims the file", () => {
    const report = "BUG: KASAN: use-after-free in foo\n kasan_report+0x1/0x2 mm/kasan/report.c:413\n";
    expect(titles("virt/kvm/eventfd.c", report)).toEqual(["KASAN"]);
    expect(titles("fs/ext4/dir.c", report)).toEqual(["EXT4 FILE SYSTEM"]);
  });

  it("THE REST (F: */) answers only when nothing else does", () => {
    expect(titles("init/main.c")).toEqual(["THE REST"]);
    expect(titles("fs/ext4/dir.c")).not.toContain("THE REST");
  });

  it("an unknown file and no report match nothing but the catch-all", () => {
    expect(titles(null)).toEqual([]);
  });
});

describe("maintainersOwners", () => {
  it("names the people and the entry that matched", () => {
    const owners = maintainersOwners(parsed, "drivers/net/ethernet/mellanox/mlx5/core/main.c");
    expect(owners[0]).toEqual({
      owner: "Saeed Mahameed <saeedm@nvidia.com>, Leon Romanovsky <leonro@nvidia.com>, Tariq Toukan <tariqt@nvidia.com>",
      label: null,
      reason: "MAINTAINERS: MELLANOX MLX5 core VPI driver, F: drivers/net/ethernet/mellanox/mlx5/core/",
    });
  });

  it("falls back to the list of an orphaned section and says it is orphaned", () => {
    const owners = maintainersOwners(parsed, "sound/core/oss/mulaw.c");
    expect(owners).toEqual([{ owner: "alsa-devel@alsa-project.org", label: null, reason: "MAINTAINERS: SOUND - OSS EMULATION, F: sound/core/oss/ (S: Orphan)" }]);
  });

  it("warns when the file names nobody", () => {
    expect(parseMaintainers("just some text\nwithout tags\n").warnings[0]).toMatch(/names nobody/);
  });

  it("never throws on garbage, and ignores unsafe regexes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("", "TITLE", "F:\t*", "F:\t[", "N:\t(a+)+$", "K:\t(", "X:\t*/", "M:\tx", "F:\tdrivers/")), { maxLength: 40 }),
        fc.string({ maxLength: 40 }),
        (lines, file) => {
          const p = parseMaintainers(lines.join("\n"));
          expect(Array.isArray(maintainersOwners(p, file, file))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
