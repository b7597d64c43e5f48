import { describe, expect, it } from "vitest";
import { rateLimitWaitMs } from "../../src/workers/github-rate-limit.js";

const err = (status: number, headers: Record<string, string>, message = "x") => ({ status, message, response: { headers } });

describe("rateLimitWaitMs", () => {
  it("waits what retry-after says on a secondary rate limit", () => {
    expect(rateLimitWaitMs(err(403, { "retry-after": "30" }, "You have exceeded a secondary rate limit"))).toBe(30_000);
    expect(rateLimitWaitMs(err(429, { "retry-after": "5" }))).toBe(5000);
  });

  it("waits until the quota resets when it is exhausted", () => {
    const now = 1_700_000_000_000;
    expect(rateLimitWaitMs(err(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(now / 1000 + 120) }), now)).toBe(120_000);
  });

  it("leaves other errors alone: a plain 403 (no permission) or a 500 is not a rate limit", () => {
    expect(rateLimitWaitMs(err(403, { "x-ratelimit-remaining": "4999" }, "Resource not accessible by integration"))).toBeNull();
    expect(rateLimitWaitMs(err(500, {}))).toBeNull();
    expect(rateLimitWaitMs(new Error("boom"))).toBeNull();
  });
});
