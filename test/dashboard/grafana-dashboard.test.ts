import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { createMetrics } from "../../src/observability/metrics.js";

interface Panel {
  type: string;
  targets?: Array<{ expr: string }>;
}

describe("Grafana dashboard", () => {
  it("queries only metrics that /metrics exposes", () => {
    const dash = JSON.parse(readFileSync(new URL("../../deploy/grafana/casefile-dashboard.json", import.meta.url), "utf8")) as { panels: Panel[] };
    const redis = new Redis({ lazyConnect: true });
    const names = new Set(createMetrics({ redis, prefix: "grafana-test", processMetrics: false }).registry.getMetricsAsArray().map((m) => m.name));
    const used = new Set<string>();
    for (const p of dash.panels) for (const t of p.targets ?? []) for (const m of t.expr.matchAll(/\bcasefile_[a-z_]+/g)) used.add(m[0].replace(/_(bucket|sum|count)$/, ""));
    expect(used.size).toBeGreaterThanOrEqual(12);
    for (const name of used) expect(names, name).toContain(name);
    redis.disconnect();
  });
});
