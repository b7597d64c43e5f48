import { Worker, type Queue } from "bullmq";
import type { VerdictKind } from "../../src/analysis/model/verdict-kind.js";
import type { CrashStore } from "../../src/store/crash-store.js";
import { crashRecord } from "../store/crash-fixtures.js";

/** One seeded crash, kept so tests can compute the figures the page must show. */
export interface DemoCrash {
  repository: string;
  issue: number;
  verdict: VerdictKind;
  owner: string | null;
  signature: string;
  receivedAt: Date;
}

// Titles in syzbot's conventions, one small family per verdict.
const CASES: Array<{ verdict: VerdictKind; title: string; driver: string; frame: string; owner: string | null; confidence: number }> = [
  { verdict: "stale-dma", title: "BUG: Bad page map in java", driver: "mlx5_core", frame: "__handle_mm_fault", owner: "@acme/rdma", confidence: 0.93 },
  { verdict: "stale-dma", title: "BUG: Bad page state in __get_metapage", driver: "nvme", frame: "__get_metapage", owner: "@acme/storage", confidence: 0.81 },
  { verdict: "dma-fault", title: "DMAR: DRHD: handling fault status reg 2", driver: "ixgbe", frame: "dmar_fault", owner: "@acme/net", confidence: 0.88 },
  { verdict: "use-after-free", title: "KASAN: slab-use-after-free Read in skb_release_data", driver: "tcp", frame: "skb_release_data", owner: "@acme/net", confidence: 0.95 },
  { verdict: "use-after-free", title: "KASAN: use-after-free Read in binder_release_work", driver: "binder", frame: "binder_release_work", owner: null, confidence: 0.9 },
  { verdict: "out-of-bounds", title: "KASAN: slab-out-of-bounds Write in ext4_htree_fill_tree", driver: "ext4", frame: "ext4_htree_fill_tree", owner: "@acme/storage", confidence: 0.86 },
  { verdict: "double-free", title: "KASAN: double-free in kvfree_call_rcu", driver: "kvm", frame: "kvfree_call_rcu", owner: "@acme/mm", confidence: 0.79 },
  { verdict: "bit-flip", title: "general protection fault in timerqueue_del", driver: "none", frame: "timerqueue_del", owner: "@acme/platform", confidence: 0.72 },
  { verdict: "cache-line-corruption", title: "list_del corruption in free_pcppages_bulk", driver: "none", frame: "free_pcppages_bulk", owner: "@acme/platform", confidence: 0.64 },
  { verdict: "software-corruption", title: "BUG: unable to handle kernel paging request in corrupted", driver: "none", frame: "corrupted", owner: "@acme/mm", confidence: 0.55 },
  { verdict: "inconclusive", title: "general protection fault in run_timer_softirq", driver: "none", frame: "run_timer_softirq", owner: null, confidence: 0.31 },
];
const REPOS = ["acme/kernel", "acme/drivers", "acme/platform-ci"];

/** A deterministic pseudo-random sequence, so the seeded page looks the same on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Fills the store through CrashStore.record (the pipeline's own recording step) with a month
 * of crashes, a few people's corrections, and one failed job, as an on-call engineer would see it.
 */
export async function seedDemo(store: CrashStore, now: Date, count = 140): Promise<DemoCrash[]> {
  const rand = rng(7);
  const out: DemoCrash[] = [];
  for (let i = 0; i < count; i++) {
    // Weighted towards recent arrivals, like a real incident week.
    const ageH = i < 12 ? i * 1.7 + rand() : Math.pow(rand(), 1.6) * 29.5 * 24;
    const c = CASES[Math.floor(Math.pow(rand(), 1.3) * CASES.length)];
    const repository = REPOS[Math.floor(Math.pow(rand(), 1.5) * REPOS.length)];
    const issue = 1000 + i;
    const receivedAt = new Date(now.getTime() - ageH * 3600_000);
    const signature = `${c.verdict}|${c.driver}|${c.frame}`;
    await store.record(
      crashRecord({
        repository,
        issue,
        verdict: c.verdict,
        owner: c.owner,
        signature,
        title: c.title,
        confidence: Math.min(0.99, Math.max(0.05, c.confidence + (rand() - 0.5) * 0.1)),
        receivedAt,
        durationMs: Math.round(800 + rand() * rand() * 40_000),
      }),
    );
    out.push({ repository, issue, verdict: c.verdict, owner: c.owner, signature, receivedAt });
  }
  const corrected = out.filter((_, i) => i % 9 === 4);
  for (const [n, c] of corrected.entries()) {
    await store.recordCorrection({
      repository: c.repository,
      issue: c.issue,
      kind: n % 2 ? "owner" : "verdict",
      from: n % 2 ? (c.owner ?? "none") : c.verdict,
      to: n % 2 ? "owner:mm" : "bit-flip",
      by: n % 3 ? "alice" : "bob",
      at: now.toISOString(),
    });
  }
  return out;
}

/** Leaves one failed job with a reason and a waiting job behind in the queue, like a bad night. */
export async function seedQueueTrouble(analyze: Queue): Promise<Worker> {
  const connection = analyze.opts.connection;
  await analyze.add("analyze", { repository: "acme/kernel", issue: 1099 }, { jobId: "acme-kernel-1099", attempts: 1 });
  const worker: Worker = new Worker(
    analyze.name,
    async (): Promise<unknown> => {
      throw new Error("download of https://github.com/user-attachments/files/123/vmcore.tar.gz refused: 2.1 GiB exceeds the 512 MiB bundle limit");
    },
    { connection, prefix: analyze.opts.prefix },
  );
  await new Promise<void>((resolve) => worker.once("failed", () => resolve()));
  await worker.pause();
  await analyze.add("analyze", { repository: "acme/drivers", issue: 1100 }, { jobId: "acme-drivers-1100" });
  return worker;
}
