import { describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { assertNoEviction, connectRedis, redactRedisUrl, RedisSetupError } from "../../src/workers/redis-connection.js";
import { clusterSafePrefix } from "../../src/workers/queues.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

describe("Redis startup checks", () => {
  it("fails with a plain message, without the password, when Redis is unreachable", async () => {
    const err = await connectRedis("redis://:hunter2@127.0.0.1:1", "producer", 500).catch((e) => e);
    expect(err).toBeInstanceOf(RedisSetupError);
    expect(err.message).toMatch(/Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1 is unreachable: .*ECONNREFUSED/);
    expect(err.message).not.toContain("hunter2");
  });

  it("refuses a Redis whose maxmemory-policy would evict jobs", async () => {
    const fake = { info: async () => "# Memory\r\nused_memory:1\r\nmaxmemory_policy:allkeys-lru\r\n" } as unknown as Redis;
    await expect(assertNoEviction(fake)).rejects.toThrow(/maxmemory-policy is "allkeys-lru".*noeviction/);
    const ok = { info: async () => "maxmemory_policy:noeviction\r\n" } as unknown as Redis;
    await expect(assertNoEviction(ok)).resolves.toBeUndefined();
  });

  it("connects to the test Redis", async () => {
    const redis = await connectRedis(REDIS_URL, "worker");
    expect(await redis.ping()).toBe("PONG");
    redis.disconnect();
  });

  it("keeps every key in one Redis Cluster slot", () => {
    expect(clusterSafePrefix("casefile")).toBe("{casefile}");
    expect(clusterSafePrefix("{casefile}:prod")).toBe("{casefile}:prod");
    expect(redactRedisUrl("rediss://u:p@h:6380/1")).toBe("rediss://u:***@h:6380/1");
  });
});
