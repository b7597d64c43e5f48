import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VERDICT_KINDS } from "../../src/analysis/model/verdict-kind.js";
import { SCENARIOS } from "../../src/simulator/scenarios/scenario-registry.js";
import { simulate } from "../../src/simulator/simulate.js";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "casefile-sim-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function digest(dir: string): Promise<string> {
  const h = createHash("sha256");
  for (const f of (await readdir(dir)).sort()) h.update(f).update(await readFile(join(dir, f)));
  return h.digest("hex");
}

/** The ftrace lines of a bundle's trace, without header. */
async function traceLines(dir: string): Promise<string[]> {
  return (await readFile(join(dir, "trace.txt"), "utf8")).split("\n").filter((l) => l && !l.startsWith("#"));
}

describe("simulate", () => {
  it("covers every verdict of the contract", () => {
    const verdicts = new Set<string>();
    return Promise.all(
      SCENARIOS.map(async (s) => {
        const t = await simulate(s.name, { out: join(root, "cover", s.name), seed: 5, noise: 200 });
        verdicts.add(t.verdict);
      }),
    ).then(() => expect([...verdicts].sort()).toEqual([...VERDICT_KINDS].sort()));
  });

  it("writes the same bytes for the same seed, and different ones for another seed", async () => {
    const a = await simulate("stale-dma-x86-nvme", { out: join(root, "det-a"), seed: 42, noise: 500 });
    await simulate("stale-dma-x86-nvme", { out: join(root, "det-b"), seed: 42, noise: 500 });
    const c = await simulate("stale-dma-x86-nvme", { out: join(root, "det-c"), seed: 43, noise: 500 });
    expect(await digest(join(root, "det-a"))).toBe(await digest(join(root, "det-b")));
    expect(a.region).not.toEqual(c.region);
  });

  it("puts the stale-DMA story in the trace: map, free, re-allocation, and no unmap of that mapping", async () => {
    const dir = join(root, "story");
    const t = await simulate("stale-dma-power", { out: dir, seed: 3, noise: 20_000 });
    const pfn = t.frames[0];
    const phys = (BigInt(pfn) * 65536n).toString(16);
    const lines = await traceLines(dir);
    const key = t.key_events.map((e) => e.event);
    expect(key).toEqual(["dma_map_page", "mm_migrate_pages_start", "mm_page_free", "test_pages_isolated", "hash_fault", "mm_page_alloc"]);
    // The last map of the frame before the crash is the story's; its dma_addr is never unmapped afterwards.
    const lastMap = lines.map((l, i) => [l, i] as const).filter(([l]) => l.includes("dma_map_page:") && l.includes(`phys_addr=${phys} `)).at(-1)!;
    const dmaAddr = /dma_addr=([0-9a-f]+)/.exec(lastMap[0])![1];
    const after = lines.slice(lastMap[1] + 1);
    expect(after.some((l) => l.includes("dma_unmap_page:") && l.includes(`dma_addr=${dmaAddr} `))).toBe(false);
    const free = after.findIndex((l) => l.includes("mm_page_free:") && l.includes(`pfn=${pfn} `));
    const alloc = after.findIndex((l) => l.includes("mm_page_alloc:") && l.includes(`pfn=${pfn} `) && l.includes("java-"));
    expect(free).toBeGreaterThanOrEqual(0);
    expect(alloc).toBeGreaterThan(free);
    // The console carries the hot-remove and the crash on the same time base.
    const console = await readFile(join(dir, "console.log"), "utf8");
    expect(console).toMatch(/pseries-hotplug-mem: Attempting to hot-remove 1 LMB\(s\) at 8[0-9a-f]{7}/);
    expect(console).toMatch(/BUG: Bad page map in process java {2}pte:[0-9a-f]{16} pmd:c[0-9a-f]{15}/);
    expect(console).toContain("mlx5_core 0001:01:00.0: firmware version:");
  });

  it("keeps noise off the story's frames and never frees a frame it left mapped", async () => {
    const dir = join(root, "noise");
    const t = await simulate("stale-dma-x86-nic", { out: dir, seed: 9, noise: 30_000 });
    const pfn = BigInt(t.frames[0]);
    const reserved = new Set([pfn - 1n, pfn, pfn + 1n].map((p) => "0x" + p.toString(16)));
    const lines = await traceLines(dir);
    const keyTs = new Set(t.key_events.map((e) => e.ts.toFixed(6)));
    const live = new Map<string, string>(); // dma_addr -> pfn, for noise mappings
    for (const l of lines) {
      const ts = /\s(\d+\.\d{6}): /.exec(l)?.[1];
      const pfnField = /pfn=(0x[0-9a-f]+)/.exec(l)?.[1];
      if (pfnField && reserved.has(pfnField) && !keyTs.has(ts!)) {
        // Only the story and its deliberate decoys (allocations by the story's tasks) touch these frames.
        expect(l).toMatch(/postgres-|kworker\/12:1H-|find-|ksoftirqd\/9-/);
      }
      const map = /dma_map_page: \S+ dir=\S+ dma_addr=([0-9a-f]+) size=\d+ phys_addr=([0-9a-f]+)/.exec(l);
      if (map && map[1].startsWith("8")) live.set(map[1], "0x" + (BigInt("0x" + map[2]) / 4096n).toString(16));
      const unmap = /dma_unmap_page: \S+ dir=\S+ dma_addr=([0-9a-f]+)/.exec(l);
      if (unmap) live.delete(unmap[1]);
      if (l.includes("mm_page_free:") && pfnField) expect([...live.values()]).not.toContain(pfnField);
    }
  });

  it("streams gzip and JSON Lines traces and scatters the lost-events markers asked for", async () => {
    const dir = join(root, "jsonl");
    const t = await simulate("cache-line-corruption", { out: dir, seed: 2, noise: 5000, traceFormat: "jsonl", gzip: true, lost: 4 });
    expect(t.files.map((f) => f.name)).toContain("events.jsonl.gz");
    const lines = gunzipSync(await readFile(join(dir, "events.jsonl.gz"))).toString("utf8").trim().split("\n");
    const events = lines.map((l) => JSON.parse(l) as { ts: number; event: string });
    expect(events.filter((e) => e.event === "lost_events")).toHaveLength(4);
    for (let i = 1; i < events.length; i++) expect(events[i].ts).toBeGreaterThanOrEqual(events[i - 1].ts);
    expect(events.some((e) => e.event === "page_alloc" && (e as unknown as { pfn: string }).pfn === t.frames[0])).toBe(true);
    const cmd = join(root, "tracecmd");
    await simulate("cache-line-corruption", { out: cmd, seed: 2, noise: 1000, traceFormat: "trace-cmd", lost: 2 });
    const report = await readFile(join(cmd, "trace-report.txt"), "utf8");
    expect(report.startsWith("cpus=")).toBe(true);
    expect(report.match(/^CPU:\d+ \[\d+ EVENTS DROPPED\]$/gm)).toHaveLength(2);
  });

  it("spaces the key events by --gap", async () => {
    const fast = await simulate("stale-dma-x86-nvme", { out: join(root, "gap-a"), seed: 4, noise: 100, gap: 0.0003 });
    const slow = await simulate("stale-dma-x86-nvme", { out: join(root, "gap-b"), seed: 4, noise: 100, gap: 180 });
    const span = (t: typeof fast) => t.key_events.at(-1)!.ts - t.key_events[0].ts;
    expect(span(fast)).toBeLessThan(0.001);
    expect(span(slow)).toBeGreaterThan(300);
  });

  it("writes the corrupted bytes into every memory format, at the region's address", async () => {
    for (const memory of ["hexdump", "xxd", "rd", "vmcore"] as const) {
      const dir = join(root, "mem-" + memory);
      const t = await simulate("stale-dma-x86-nvme", { out: dir, seed: 11, noise: 100, memory });
      const file = t.files.find((f) => ["hexdump", "xxd", "crash-rd", "elf-vmcore"].includes(f.kind))!;
      expect(file).toBeDefined();
      if (memory === "vmcore") {
        const core = await readFile(join(dir, file.name));
        expect(core.subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
        expect(core.includes(Buffer.from("PAGESIZE=4096"))).toBe(true);
      } else {
        const text = await readFile(join(dir, file.name), "utf8");
        const start = t.region!.start.slice(2);
        expect(text).toMatch(new RegExp(`^\\s*0*${start}:?\\s`, "m"));
      }
    }
  });

  it("writes a legacy kernel's formats: decimal pfns, four flag columns, older report lines", async () => {
    const dir = join(root, "legacy");
    const t = await simulate("stale-dma-x86-nvme", { out: dir, seed: 5, noise: 500, kernel: "legacy" });
    const lines = await traceLines(dir);
    const alloc = lines.find((l) => l.includes("mm_page_alloc:") && l.includes(`pfn=${BigInt(t.frames[0]).toString(10)} `));
    expect(alloc).toMatch(/\[\d{3}\] \.{4} +\d+\.\d{6}: mm_page_alloc: /);
    const console = await readFile(join(dir, "console.log"), "utf8");
    expect(console).toContain("general protection fault: 0000 [#1] SMP NOPTI");
    expect(console).toMatch(/CPU: 4 PID: \d+ Comm: find Not tainted 4\.18\.0-/);
    expect(console).not.toContain("<TASK>");
    const slub = await simulate("uaf-slub", { out: join(root, "legacy-slub"), seed: 5, noise: 100, kernel: "legacy" });
    const slubLog = await readFile(join(root, "legacy-slub", "console.log"), "utf8");
    expect(slubLog).toMatch(new RegExp(`INFO: 0x[0-9a-f]{16}-0x[0-9a-f]{16} @offset=\\d+\\. First byte 0x[0-9a-f]+ instead of 0x6b`));
    expect(slub.verdict).toBe("use-after-free");
  });

  it("refuses what it cannot simulate, in plain words", async () => {
    await expect(simulate("no-such-story", { out: join(root, "x") })).rejects.toThrow(/unknown scenario "no-such-story"; known: stale-dma-power/);
    await expect(simulate("stale-dma-power", { out: join(root, "x"), arch: "x86_64" })).rejects.toThrow(/happens on ppc64le or ppc64, not x86_64/);
    await expect(simulate("bit-flip", { out: join(root, "x"), gap: 0 })).rejects.toThrow(/--gap must be a positive/);
  });
});
