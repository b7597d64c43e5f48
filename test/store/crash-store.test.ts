import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { CrashStore, InvalidCursorError } from "../../src/store/crash-store.js";
import { crashRecord, testRedis } from "./crash-fixtures.js";

const { redis, prefix } = testRedis("store");
const store = new CrashStore(redis, prefix);
const now = new Date("2026-11-20T12:00:00Z");
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3600_000);

beforeEach(async () => {
  await store.clear();
});
afterAll(async () => {
  await store.clear();
  await redis.quit();
});

describe("CrashStore", () => {
  it("clears only its own keys, never queues that share the hash tag", async () => {
    await store.record(crashRecord({ issue: 1, receivedAt: hoursAgo(1) }));
    await redis.set(`{${prefix}}:analyze:meta`, "bullmq");
    await store.clear();
    expect(await redis.get(`{${prefix}}:analyze:meta`)).toBe("bullmq");
    expect(await store.query({}, { limit: 1 })).toMatchObject({ total: 0 });
    await redis.del(`{${prefix}}:analyze:meta`);
  });

  it("keeps every key under one Redis Cluster hash tag", async () => {
    await store.record(crashRecord({ issue: 1, receivedAt: hoursAgo(1) }));
    await store.recordCorrection({ repository: "acme/kernel", issue: 1, kind: "verdict", from: "stale-dma", to: "bit-flip", by: "alice", at: now.toISOString() });
    const keys = await redis.keys(`*${prefix}*`);
    expect(keys.length).toBeGreaterThan(4);
    for (const k of keys) expect(k.startsWith(`{${prefix}}:`)).toBe(true);
  });

  it("replaces a re-recorded issue and counts distinct issues per signature", async () => {
    await store.record(crashRecord({ issue: 7, signature: "sig-a", receivedAt: hoursAgo(5) }));
    await store.record(crashRecord({ issue: 8, signature: "sig-a", receivedAt: hoursAgo(4) }));
    await store.record(crashRecord({ issue: 8, signature: "sig-a", receivedAt: hoursAgo(3), verdict: "bit-flip" }));
    expect(await store.occurrences("sig-a")).toEqual({
      count: 2,
      first: { repository: "acme/kernel", repo: "acme/kernel", issue: 7, at: hoursAgo(5).toISOString() },
    });
    expect((await store.get("acme/kernel", 8))?.verdict).toBe("bit-flip");
    const all = await store.query({}, { limit: 10 });
    expect(all.total).toBe(2);
    // A rerun that changes the signature leaves the old signature's count.
    await store.record(crashRecord({ issue: 8, signature: "sig-b", receivedAt: hoursAgo(2) }));
    expect((await store.occurrences("sig-a")).count).toBe(1);
    expect((await store.occurrences("sig-b")).count).toBe(1);
    expect(await store.occurrences("never-seen")).toEqual({ count: 0, first: null });
    // A rerun that arrives inside a window counts there, though the signature was first seen before it.
    await store.record(crashRecord({ issue: 7, signature: "sig-a", receivedAt: hoursAgo(1) }));
    const recent = await store.query({ signature: "sig-a", since: hoursAgo(2) }, { limit: 10 });
    expect(recent.items.map((r) => r.issue)).toEqual([7]);
    expect((await store.occurrences("sig-a")).first?.at).toBe(hoursAgo(5).toISOString());
  });

  it("filters, sorts and pages through records", async () => {
    for (let i = 1; i <= 12; i++) {
      await store.record(
        crashRecord({
          issue: i,
          repository: i % 2 ? "acme/kernel" : "acme/drivers",
          verdict: i % 3 === 0 ? "use-after-free" : "stale-dma",
          owner: i % 4 === 0 ? null : "@acme/rdma",
          confidence: i / 20,
          receivedAt: hoursAgo(i),
        }),
      );
    }
    const first = await store.query({}, { limit: 5 });
    expect(first.total).toBe(12);
    expect(first.items.map((r) => r.issue)).toEqual([1, 2, 3, 4, 5]);
    const second = await store.query({}, { limit: 5, cursor: first.next! });
    expect(second.items.map((r) => r.issue)).toEqual([6, 7, 8, 9, 10]);
    const third = await store.query({}, { limit: 5, cursor: second.next! });
    expect(third.items.map((r) => r.issue)).toEqual([11, 12]);
    expect(third.next).toBeNull();

    const uaf = await store.query({ verdict: ["use-after-free"], repository: "acme/kernel" }, { limit: 10 });
    expect(uaf.items.map((r) => r.issue)).toEqual([3, 9]);
    const unowned = await store.query({ owner: "none" }, { limit: 10 });
    expect(unowned.items.map((r) => r.issue)).toEqual([4, 8, 12]);
    const byLabel = await store.query({ owner: "owner:rdma", since: hoursAgo(3.5) }, { limit: 10 });
    expect(byLabel.items.map((r) => r.issue)).toEqual([1, 2, 3]);
    const window = await store.query({ since: hoursAgo(6), until: hoursAgo(3) }, { limit: 10 });
    expect(window.items.map((r) => r.issue)).toEqual([4, 5, 6]);
    const byConfidence = await store.query({ sort: "confidence", order: "desc" }, { limit: 3 });
    expect(byConfidence.items.map((r) => r.issue)).toEqual([12, 11, 10]);
    const filteredPage = await store.query({ verdict: ["stale-dma"] }, { limit: 3 });
    expect(filteredPage.total).toBe(8);
    const filteredNext = await store.query({ verdict: ["stale-dma"] }, { limit: 3, cursor: filteredPage.next! });
    expect(filteredNext.items.map((r) => r.issue)).toEqual([5, 7, 8]);
    await expect(store.query({}, { limit: 3, cursor: "garbage!" })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it("computes window counts, series, accuracy and duration percentiles", async () => {
    await store.record(crashRecord({ issue: 1, verdict: "stale-dma", receivedAt: hoursAgo(1), durationMs: 1000 }));
    await store.record(crashRecord({ issue: 2, verdict: "stale-dma", receivedAt: hoursAgo(30), durationMs: 3000, repository: "acme/drivers" }));
    await store.record(crashRecord({ issue: 3, verdict: "bit-flip", receivedAt: hoursAgo(24 * 10), durationMs: 2000, owner: null }));
    await store.record(crashRecord({ issue: 4, verdict: "bit-flip", receivedAt: hoursAgo(24 * 40) }));
    await store.recordCorrection({ repository: "acme/kernel", issue: 1, kind: "owner", from: "owner:rdma", to: "owner:net", by: "bob", at: now.toISOString() });
    const s = await store.stats(now);
    expect(s.total).toBe(4);
    expect(s.windows["24h"].total).toBe(1);
    expect(s.windows["7d"].total).toBe(2);
    expect(s.windows["30d"].total).toBe(3);
    expect(s.windows["30d"].by_verdict["bit-flip"]).toBe(1);
    expect(s.windows["30d"].by_owner).toEqual([
      { key: "@acme/rdma", count: 2 },
      { key: "none", count: 1 },
    ]);
    expect(s.windows["7d"].by_repository).toEqual([
      { key: "acme/drivers", count: 1 },
      { key: "acme/kernel", count: 1 },
    ]);
    expect(s.windows["7d"].accuracy["stale-dma"]).toMatchObject({ total: 2, corrected: 1, owner_corrected: 1, corrected_share: 0.5 });
    expect(s.windows["30d"].duration_ms).toMatchObject({ count: 3, p50: 2000, max: 3000 });
    const series = s.windows["24h"].series;
    expect(series.buckets.reduce((n, b) => n + b.counts["stale-dma"], 0)).toBe(1);
    const counters = await store.analysisCounters();
    expect(counters.verdicts).toEqual({ "stale-dma": 2, "bit-flip": 2 });
    expect(counters.duration.count).toBe(4);
    expect(counters.duration.buckets.get(1)).toBe(1);
    expect(counters.duration.buckets.get(2.5)).toBe(3);
  });

  it("refuses records and corrections that break the contract, with a clear message", async () => {
    const bad = { ...crashRecord({ issue: 1, receivedAt: now }), verdict: "haunted" } as never;
    await expect(store.record(bad)).rejects.toThrow(/acme\/kernel#1 is invalid: verdict/);
    await expect(
      store.recordCorrection({ repository: "not a repo", issue: 1, kind: "verdict", from: "a", to: "b", by: "x", at: now.toISOString() }),
    ).rejects.toThrow(/repository must be owner\/name/);
  });

  it("skips a stored record that was corrupted instead of failing the page", async () => {
    await store.record(crashRecord({ issue: 1, receivedAt: hoursAgo(1) }));
    await store.record(crashRecord({ issue: 2, receivedAt: hoursAgo(2) }));
    await redis.hset(store.keys.records, "acme/kernel#2", "{not json");
    const page = await store.query({}, { limit: 10 });
    expect(page.items.map((r) => r.issue)).toEqual([1]);
    // A summary with a wrong field type is left out of counts rather than miscounted.
    const summary = JSON.parse((await redis.hget(store.keys.summaries, "acme/kernel#1"))!) as Record<string, unknown>;
    await redis.hset(store.keys.summaries, "acme/kernel#1", JSON.stringify({ ...summary, verdict: "haunted" }));
    expect((await store.stats(now)).windows["24h"].total).toBe(1);
    await redis.hset(store.keys.summaries, "acme/kernel#1", JSON.stringify({ ...summary, owners: "@acme/rdma" }));
    expect((await store.stats(now)).windows["24h"].total).toBe(1);
  });
});

describe("CrashStore corrections", () => {
  it("keeps the latest correction of each kind per issue, also in bulk", async () => {
    await store.clear();
    const at = now.toISOString();
    await store.recordCorrection({ repository: "acme/kernel", issue: 1, kind: "verdict", from: "stale-dma", to: "bit-flip", by: "alice", at });
    await store.recordCorrection({ repository: "acme/kernel", issue: 1, kind: "verdict", from: "bit-flip", to: "use-after-free", by: "bob", at });
    await store.recordCorrection({ repository: "acme/kernel", issue: 1, kind: "owner", from: "owner:rdma", to: "owner:mm", by: "bob", at });
    await store.recordCorrection({ repository: "acme/kernel", issue: 2, kind: "owner", from: "none", to: "owner:net", by: "carol", at });
    expect((await store.correctionsOf("acme/kernel", 1)).verdict?.to).toBe("use-after-free");
    const many = await store.correctionsOfMany(["acme/kernel#1", "acme/kernel#2", "acme/kernel#3"]);
    expect(many.get("acme/kernel#1")).toMatchObject({ verdict: { to: "use-after-free" }, owner: { to: "owner:mm" } });
    expect(many.get("acme/kernel#2")).toEqual({ owner: expect.objectContaining({ to: "owner:net", by: "carol" }) });
    expect(many.has("acme/kernel#3")).toBe(false);
    expect((await store.recentCorrections(10)).map((c) => c.by)).toEqual(["carol", "bob", "bob", "alice"]);
  });
});
