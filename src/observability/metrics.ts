import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Metric } from "prom-client";
import { CrashStore } from "../store/crash-store.js";
import { FleetCounters } from "./fleet-counters.js";
import { JOB_STATES, pipelineHealth } from "./pipeline-health.js";

/**
 * casefile's Prometheus metrics.
 *
 * Where each number comes from, and why:
 * - Webhook deliveries and their ack latency happen in the bot process: plain in-process metrics.
 * - Analyses happen in worker processes on other machines. Every analysis ends in
 *   `CrashStore.record`, which also bumps a verdict counter and a duration histogram in Redis;
 *   the bot reads them at scrape time. GitHub API errors, rate-limit waits and download bytes
 *   are likewise counted in Redis by the process that sees them (`FleetCounters`). So one
 *   scrape of the bot shows the whole fleet, and workers (often short-lived, behind NAT, many
 *   per machine) need no /metrics port or service discovery. With several bot replicas, each
 *   serves the same fleet figures: aggregate `casefile_fleet_*`-style series with max(), not sum().
 * - Queue gauges are read from BullMQ (`getJobCounts`) at scrape time.
 */

export type WebhookOutcome = "enqueued" | "ignored" | "duplicate" | "invalid" | "failed";
export type DownloadOutcome = "ok" | "refused" | "too-large" | "timeout" | "error";

export interface CasefileMetrics {
  readonly registry: Registry;
  /** A webhook delivery answered: its event ("issues.opened"), what became of it, seconds to the ack. */
  webhookDelivery(event: string, outcome: WebhookOutcome, ackSeconds: number): void;
  /** A GitHub API call failed with this HTTP status (0 for network errors). Fleet-wide. */
  githubApiError(status: number): void;
  /** A job or request waited for GitHub's rate limit. Fleet-wide. */
  rateLimitWait(seconds: number): void;
  /** An attachment download ended; `bytes` received (also for refused/partial ones). Fleet-wide. */
  download(bytes: number, outcome: DownloadOutcome): void;
  /** Adds queues to the scrape-time job gauges (the bot passes every queue it knows). */
  watchQueues(queues: Queue[]): void;
  /** The Prometheus text exposition and its content type. */
  exposition(): Promise<{ contentType: string; body: string }>;
}

export interface MetricsOptions {
  redis: Redis;
  /** The crash store / queue key prefix shared by bot and workers ("casefile"). */
  prefix: string;
  queues?: Queue[];
  /** Node process metrics (heap, event loop lag). On by default; off for short-lived helpers. */
  processMetrics?: boolean;
  /** Where Redis write errors of fleet counters go (they never throw). */
  onError?: (err: unknown) => void;
}

const FLEET = {
  githubErrors: "github_api_errors",
  rateLimitWaits: "github_rate_limit_waits",
  rateLimitSeconds: "github_rate_limit_wait_seconds",
  downloadBytes: "download_bytes",
  downloads: "downloads",
} as const;

/** A counter whose values live in the Redis fleet hash; re-read on every scrape. */
function fleetCounter(registry: Registry, fleet: () => Promise<Map<string, Array<{ labels: Record<string, string>; value: number }>>>, name: string, field: string, help: string, labelNames: string[] = []): void {
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      for (const { labels, value } of (await fleet()).get(field) ?? []) {
        if (value > 0) this.inc(labels, value);
      }
    },
  });
}

export function createMetrics(opts: MetricsOptions): CasefileMetrics {
  const registry = new Registry();
  const store = new CrashStore(opts.redis, opts.prefix);
  const fleet = new FleetCounters(opts.redis, opts.prefix, opts.onError);
  const queues: Queue[] = [...(opts.queues ?? [])];
  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: "casefile_" });

  // One Redis read per scrape, shared by every metric that needs it.
  let scrape: { at: number; fleet: Promise<Awaited<ReturnType<FleetCounters["read"]>>>; analysis: ReturnType<CrashStore["analysisCounters"]> } | null = null;
  const current = () => {
    const now = Date.now();
    if (!scrape || now - scrape.at > 1000) {
      const f = fleet.read();
      const a = store.analysisCounters();
      f.catch(() => {});
      a.catch(() => {});
      scrape = { at: now, fleet: f, analysis: a };
    }
    return scrape;
  };
  const fleetValues = async () => {
    try {
      return await current().fleet;
    } catch {
      return new Map();
    }
  };

  const deliveries = new Counter({
    name: "casefile_webhook_deliveries_total",
    help: "Webhook deliveries answered by this bot process, by event and outcome",
    labelNames: ["event", "outcome"],
    registers: [registry],
  });
  const ackLatency = new Histogram({
    name: "casefile_webhook_ack_seconds",
    help: "Time from receiving a webhook delivery to answering it",
    labelNames: ["event"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  const redisUp = new Gauge({ name: "casefile_redis_up", help: "1 when the last scrape could read Redis", registers: [registry] });
  new Gauge({
    name: "casefile_queue_jobs",
    help: "BullMQ jobs by queue and state, read at scrape time",
    labelNames: ["queue", "state"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const h of await health()) {
        if (h.error) continue;
        for (const s of JOB_STATES) this.set({ queue: h.queue, state: s }, h.counts[s]);
      }
    },
  });
  new Gauge({
    name: "casefile_queue_oldest_waiting_seconds",
    help: "Age of the oldest waiting job per queue (0 with none waiting)",
    labelNames: ["queue"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const h of await health()) if (!h.error) this.set({ queue: h.queue }, h.oldest_waiting_s ?? 0);
    },
  });
  new Gauge({
    name: "casefile_queue_workers",
    help: "Workers connected per queue (absent when the Redis server hides CLIENT LIST)",
    labelNames: ["queue"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const h of await health()) if (!h.error && h.workers !== null) this.set({ queue: h.queue }, h.workers);
    },
  });
  // Queue health is read once per scrape however many gauges use it.
  let healthRead: { at: number; p: ReturnType<typeof pipelineHealth> } | null = null;
  const health = () => {
    const now = Date.now();
    if (!healthRead || now - healthRead.at > 1000) healthRead = { at: now, p: pipelineHealth(queues, new Date(now), 0) };
    return healthRead.p;
  };

  new Counter({
    name: "casefile_verdicts_total",
    help: "Analyses recorded by the whole worker fleet, by verdict (reruns included)",
    labelNames: ["verdict"],
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const { verdicts } = await current().analysis;
        for (const [verdict, n] of Object.entries(verdicts)) if (n > 0) this.inc({ verdict }, n);
        redisUp.set(1);
      } catch {
        redisUp.set(0);
      }
    },
  });
  new Gauge({
    name: "casefile_crashes_stored",
    help: "Distinct issues in the crash store",
    registers: [registry],
    async collect() {
      try {
        this.set(await opts.redis.zcard(store.keys.byTime));
      } catch {
        // redisUp reports it
      }
    },
  });
  registry.registerMetric(redisHistogram(() => current().analysis) as unknown as Metric);

  fleetCounter(registry, fleetValues, "casefile_github_api_errors_total", FLEET.githubErrors, "GitHub API calls that failed, by HTTP status (0: network), whole fleet", ["status"]);
  fleetCounter(registry, fleetValues, "casefile_github_rate_limit_waits_total", FLEET.rateLimitWaits, "Times a process waited for GitHub's rate limit, whole fleet");
  fleetCounter(registry, fleetValues, "casefile_github_rate_limit_wait_seconds_total", FLEET.rateLimitSeconds, "Seconds spent waiting for GitHub's rate limit, whole fleet");
  fleetCounter(registry, fleetValues, "casefile_download_bytes_total", FLEET.downloadBytes, "Attachment bytes downloaded, by outcome, whole fleet", ["outcome"]);
  fleetCounter(registry, fleetValues, "casefile_downloads_total", FLEET.downloads, "Attachment downloads, by outcome, whole fleet", ["outcome"]);

  return {
    registry,
    webhookDelivery(event, outcome, ackSeconds) {
      deliveries.inc({ event, outcome });
      if (Number.isFinite(ackSeconds) && ackSeconds >= 0) ackLatency.observe({ event }, ackSeconds);
    },
    githubApiError(status) {
      fleet.add(FLEET.githubErrors, 1, { name: "status", value: String(Number.isInteger(status) ? status : 0) });
    },
    rateLimitWait(seconds) {
      fleet.add(FLEET.rateLimitWaits, 1);
      fleet.add(FLEET.rateLimitSeconds, seconds);
    },
    download(bytes, outcome) {
      fleet.add(FLEET.downloads, 1, { name: "outcome", value: outcome });
      fleet.add(FLEET.downloadBytes, bytes, { name: "outcome", value: outcome });
    },
    watchQueues(more) {
      for (const q of more) if (!queues.includes(q)) queues.push(q);
    },
    async exposition() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

/** The fleet's analysis duration histogram, kept in Redis by CrashStore.record, as a prom-client metric. */
function redisHistogram(read: () => ReturnType<CrashStore["analysisCounters"]>) {
  const name = "casefile_analysis_duration_seconds";
  const help = "Time one analysis took in a worker (CrashRecord.duration_ms), whole fleet";
  return {
    name,
    help,
    type: "histogram",
    aggregator: "sum",
    labelNames: [],
    reset() {},
    async get() {
      const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = [];
      try {
        const { duration } = await read();
        for (const [le, n] of duration.buckets) values.push({ labels: { le }, value: n, metricName: `${name}_bucket` });
        values.push({ labels: { le: "+Inf" }, value: duration.count, metricName: `${name}_bucket` });
        values.push({ labels: {}, value: duration.sum, metricName: `${name}_sum` });
        values.push({ labels: {}, value: duration.count, metricName: `${name}_count` });
      } catch {
        // Redis unreachable: casefile_redis_up says so; an empty histogram is better than a failed scrape.
      }
      return { name, help, type: "histogram", aggregator: "sum", values };
    },
  };
}
