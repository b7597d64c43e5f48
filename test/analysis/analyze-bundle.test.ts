import { describe, expect, it } from "vitest";
import { analyzeBundle } from "../../src/analysis/analyze.js";
import { DEFAULT_CONFIG } from "../../src/analysis/config/casefile-config.js";
import { ingestMarkdown } from "../../src/analysis/ingest/index.js";

/** Small bundles pasted as an issue body, through ingest and the whole analysis. */
async function analyzeBody(log: string) {
  const bundle = await ingestMarkdown("Crash:\n\n```\n" + log + "\n```\n", "issue #1 body", DEFAULT_CONFIG.artifacts);
  try {
    return await analyzeBundle(bundle, { config: DEFAULT_CONFIG });
  } finally {
    await bundle.dispose();
  }
}

describe("analyzeBundle on pasted console logs", () => {
  it("blames the device an AMD-Vi fault names, with its driver from dev_printk lines", async () => {
    const v = await analyzeBody(
      [
        "[    2.100000] ahci 0000:28:00.0: version 3.0",
        "[  812.000456] ahci 0000:28:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x0035 address=0x7fffff00000 flags=0x0000]",
      ].join("\n"),
    );
    expect(v.verdict).toBe("dma-fault");
    expect(v.suspect).toMatchObject({ device: "0000:28:00.0", driver: "ahci" });
    expect(v.labels).toEqual(["crash:dma-fault"]);
  });

  it("never names the ARM SMMU that caught a fault as the device that made it", async () => {
    const v = await analyzeBody(
      "[ 1523.543220] arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x402, iova=0xf0278000, fsynr=0x1d0003, cbfrsynra=0x4a0, cb=3",
    );
    expect(v.verdict).toBe("dma-fault");
    expect(v.suspect).toBeNull();
  });

  it("is inconclusive without a crash report, and says to attach one", async () => {
    const v = await analyzeBody("[    1.000000] Linux version 6.12.0 (gcc 13)\n[    2.000000] mlx5_core 0001:01:00.0: firmware version: 16.35.2000");
    expect(v.crash).toBeNull();
    expect(v.verdict).toBe("inconclusive");
    expect(v.labels).toEqual(["crash:inconclusive", "crash:needs-info"]);
    expect(v.missing.length).toBeGreaterThan(0);
  });
});
