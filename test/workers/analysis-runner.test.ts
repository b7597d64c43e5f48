import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/analysis/config/casefile-config.js";
import { AnalysisFailed, childEnv, ForkAnalysisRunner } from "../../src/workers/analysis-runner.js";

describe("the analysis sandbox", () => {
  it("hands the child process no secret from the worker's environment", () => {
    const env = childEnv({ PATH: "/usr/bin", HOME: "/home/w", PRIVATE_KEY: "-----BEGIN", WEBHOOK_SECRET: "s", DASHBOARD_TOKEN: "t", REDIS_URL: "redis://:pw@h" });
    expect(env).toEqual({ PATH: "/usr/bin", HOME: "/home/w" });
  });

  it("stops an analysis that runs past its time and says so, as bad input (not retried)", async () => {
    // A 1 ms budget: the child cannot even start in time.
    const runner = new ForkAnalysisRunner({ timeoutMs: 1, maxHeapMb: 256 });
    const err = await runner.run({ name: "x#1", files: [], config: DEFAULT_CONFIG, maintainers: null, codeowners: null }).catch((e) => e);
    expect(err).toBeInstanceOf(AnalysisFailed);
    expect(err.message).toMatch(/took longer than/);
  });
});
