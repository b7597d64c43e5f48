// How fast the crash store answers the dashboard with a month of crashes in Redis.
// Usage: nice npx tsx bench/dashboard-store.ts [records=20000]   (needs REDIS_URL or a local Redis)
// Seeds records through CrashStore.record (the pipeline's recording step), then times the
// queries one dashboard load makes; removes every key it wrote afterwards.
import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";
import { CrashStore } from "../src/store/crash-store.js";
import { crashRecord } from "../test/store/crash-fixtures.js";
import { VERDICT_KINDS } from "../src/analysis/model/verdict-kind.js";

const n = Number(process.argv[2] ?? 20_000);
const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
const store = new CrashStore(redis, `casefile-bench-${process.pid}`);
const now = new Date();

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time(label: string, runs: number, fn: () => Promise<unknown>): Promise<void> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  console.log(`| ${label} | ${median(ms).toFixed(1)} ms |`);
}

try {
  const t0 = performance.now();
  const batch = 200;
  for (let i = 0; i < n; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, n - i) }, (_, j) => {
        const k = i + j;
        return store.record(
          crashRecord({
            issue: k + 1,
            repository: `acme/repo-${k % 12}`,
            verdict: VERDICT_KINDS[k % VERDICT_KINDS.length],
            owner: k % 7 ? `@acme/team-${k % 9}` : null,
            signature: `sig-${k % 400}`,
            receivedAt: new Date(now.getTime() - (k / n) * 30 * 86400_000),
            durationMs: 500 + (k % 5000),
          }),
        );
      }),
    );
  }
  const seed = performance.now() - t0;
  const mem = (await redis.info("memory")).match(/used_memory_human:(\S+)/)?.[1];
  console.log(`records: ${n}, recorded in ${(seed / 1000).toFixed(1)} s (${Math.round(n / (seed / 1000))} records/s, 200 in flight), Redis used_memory ${mem}`);
  console.log("| dashboard query | median of 10 |\n|---|---|");
  await time("first page, newest first (25 rows)", 10, () => store.query({ since: new Date(now.getTime() - 7 * 86400_000) }, { limit: 25 }));
  await time("verdict + repository filter, 7 days", 10, () =>
    store.query({ verdict: ["stale-dma"], repository: "acme/repo-3", since: new Date(now.getTime() - 7 * 86400_000) }, { limit: 25 }),
  );
  await time("sort by confidence, 30 days", 10, () => store.query({ sort: "confidence", since: new Date(now.getTime() - 30 * 86400_000) }, { limit: 25 }));
  await time("stats: 24h / 7d / 30d counts, series, accuracy, percentiles", 10, () => store.stats(now));
  await time("occurrences of one signature", 10, () => store.occurrences("sig-7"));
} finally {
  await store.clear();
  await redis.quit();
}
