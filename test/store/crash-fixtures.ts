import { Redis } from "ioredis";
import type { CrashRecord } from "../../src/store/crash-record.js";
import type { VerdictKind } from "../../src/analysis/model/verdict-kind.js";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** A fresh connection and a key prefix no other test file or run shares. */
export function testRedis(area: string): { redis: Redis; prefix: string } {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: false });
  const prefix = `casefile-test-${area}-${process.pid}-${Date.now().toString(36)}`;
  return { redis, prefix };
}

export interface FixtureOptions {
  repository?: string;
  issue: number;
  verdict?: VerdictKind;
  confidence?: number;
  owner?: string | null;
  signature?: string;
  title?: string;
  receivedAt: Date;
  durationMs?: number;
}

/** A contract-shaped record, as the pipeline's recording step would hand it to CrashStore.record. */
export function crashRecord(o: FixtureOptions): CrashRecord {
  const repository = o.repository ?? "acme/kernel";
  const verdict = o.verdict ?? "stale-dma";
  const owner = o.owner === undefined ? "@acme/rdma" : o.owner;
  const analyzed = new Date(o.receivedAt.getTime() + (o.durationMs ?? 1500));
  return {
    schema: "casefile/v1",
    bundle: `${repository}#${o.issue}`,
    verdict,
    confidence: o.confidence ?? 0.9,
    summary: `Device 0001:01:00.0 (mlx5_core) wrote into frame 0x54d7 (issue ${o.issue})`,
    crash: {
      title: o.title ?? "BUG: Bad page map in java",
      kind: "bad-page-map",
      frame: "__handle_mm_fault",
      address: "0x54d70000",
      access: "write",
      size: 8,
      task: "java",
      pid: 4242,
      cpu: 3,
      modules: ["mlx5_core"],
      stack: ["__handle_mm_fault", "handle_mm_fault"],
      arch: "x86_64",
      kernel: "6.12.0",
    },
    region: { start: "0x54d70000", end: "0x54d70800", length: 2048, alignment: "page", granule: 65536, source: "memory.txt:1", content: null },
    frames: ["0x54d7"],
    timeline: [
      { ts: 810.932442, event: "dma_map", pfn: "0x54d7", device: "0001:01:00.0", cpu: 3, task: null, pid: null, detail: "dir=FROM_DEVICE size=4096", source: "trace.txt:5018" },
    ],
    suspect: { device: "0001:01:00.0", driver: "mlx5_core", function: null, file: null },
    owners: owner ? [{ owner, label: `owner:${owner.split("/").pop()}`, reason: "driver mlx5_core matches mlx5_*" }] : [],
    labels: [`crash:${verdict}`],
    evidence: [{ claim: "corruption starts at the mapped DMA address 0x54d70000", weight: 0.4, source: "trace.txt:5018", verdict, facet: "address-match" }],
    counter_evidence: [],
    signature: o.signature ?? `${verdict}|mlx5_core|__handle_mm_fault`,
    artifacts: [{ name: "trace.txt.gz", kind: "ftrace", bytes: 2400000, events: 20010, warnings: [] }],
    missing: [],
    stale_mappings: [],
    excerpt: null,
    scores: [{ verdict, score: o.confidence ?? 0.9 }],
    guilty_file: null,
    warnings: [],
    machine: { arch: "x86_64", page_size: 4096, cache_line: 64, endianness: "little" },
    repository,
    issue: o.issue,
    issue_url: `https://github.com/${repository}/issues/${o.issue}`,
    received_at: o.receivedAt.toISOString(),
    analyzed_at: analyzed.toISOString(),
    duration_ms: o.durationMs ?? 1500,
  };
}
