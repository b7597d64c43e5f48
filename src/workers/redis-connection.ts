import { Redis } from "ioredis";

/** Redis could not be used: unreachable, or configured so that it would lose jobs. */
export class RedisSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RedisSetupError";
  }
}

export type ConnectionRole =
  /** Producers (the webhook handler): fail fast when Redis is down so GitHub sees an error and redelivers. */
  | "producer"
  /** BullMQ workers: block and reconnect, as BullMQ requires (`maxRetriesPerRequest: null`). */
  | "worker";

/** The URL without its password, for messages and logs. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable REDIS_URL)";
  }
}

/**
 * Connects and checks the server before anything is enqueued: startup fails with a plain
 * message when Redis is unreachable or its maxmemory-policy would evict queued jobs.
 */
export async function connectRedis(url: string, role: ConnectionRole, connectTimeoutMs = 5000): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    maxRetriesPerRequest: role === "worker" ? null : 1,
    enableOfflineQueue: role === "worker",
    // Keep reconnecting after a Redis restart; the first connect is checked below.
    retryStrategy: (times) => Math.min(times * 200, 5000),
  });
  // ioredis emits 'error' on every failed reconnect; the first connect reports the last one.
  let lastError: Error | null = null;
  redis.on("error", (err: Error) => {
    lastError = err;
  });
  try {
    await withTimeout(redis.connect(), connectTimeoutMs + 1000);
    await assertNoEviction(redis);
  } catch (err) {
    redis.disconnect();
    if (err instanceof RedisSetupError) throw err;
    const seen = lastError as Error | null;
    const reason = seen?.message ?? (err instanceof Error ? err.message : String(err));
    throw new RedisSetupError(`Redis at ${redactRedisUrl(url)} is unreachable: ${reason}`);
  }
  return redis;
}

/** Reads the policy from INFO (CONFIG is often disabled on managed Redis). */
export async function assertNoEviction(redis: Redis): Promise<void> {
  const info = await redis.info("memory");
  const policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
  if (policy && policy !== "noeviction") {
    throw new RedisSetupError(
      `Redis maxmemory-policy is "${policy}", which may evict queued jobs; set it to "noeviction" (redis.conf: maxmemory-policy noeviction)`,
    );
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
