/**
 * Ingest of a large ftrace text inside a .tar.gz: time and peak memory. The entry is far larger
 * than what ingest keeps in memory, so it must be spooled, never held whole.
 *   nice npx tsx bench/ingest-large-trace.ts [MiB=1024]
 * Writes its input under /tmp and deletes it afterwards.
 */
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { createGzip } from "node:zlib";
import { pack as tarPack } from "tar-stream";
import { DEFAULT_CONFIG } from "../src/analysis/config/casefile-config.js";
import { ingestPaths } from "../src/analysis/ingest/path-ingest.js";

const mib = Number(process.argv[2] ?? 1024);
const line = "            java-4242    [007] .....   810.932786: mm_page_alloc: page=000000009af26054 pfn=0x54d7 order=0 migratetype=0 gfp_flags=GFP_KERNEL\n";
const block = Buffer.from(line.repeat(Math.floor((1 << 20) / line.length)));
const blocks = Math.ceil((mib << 20) / block.length);

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "casefile-bench-"));
  try {
    const path = join(dir, "bundle.tgz");
    const pack = tarPack();
    const writing = pipeline(pack, createGzip({ level: 1 }), createWriteStream(path));
    const entry = pack.entry({ name: "trace.txt", size: blocks * block.length });
    await pipeline(Readable.from((function* () { for (let i = 0; i < blocks; i++) yield block; })()), entry);
    pack.finalize();
    await writing;

    const limits = { ...DEFAULT_CONFIG.artifacts, max_file_bytes: 4 * 1024 ** 3, max_bundle_bytes: 8 * 1024 ** 3 };
    const rssBefore = process.memoryUsage().rss;
    const t0 = performance.now();
    const bundle = await ingestPaths([path], limits);
    const t1 = performance.now();
    const [a] = bundle.artifacts;
    let read = 0;
    for await (const c of a.open()) read += (c as Buffer).length;
    const t2 = performance.now();
    const peak = process.resourceUsage().maxRSS * 1024;
    console.log(JSON.stringify({
      trace_mib: Math.round((blocks * block.length) / 2 ** 20),
      kind: a.kind,
      spooled: a.path !== undefined,
      ingest_s: +((t1 - t0) / 1000).toFixed(2),
      ingest_mib_per_s: Math.round(read / 2 ** 20 / ((t1 - t0) / 1000)),
      reread_s: +((t2 - t1) / 1000).toFixed(2),
      rss_before_mib: Math.round(rssBefore / 2 ** 20),
      peak_rss_mib: Math.round(peak / 2 ** 20),
      warnings: a.warnings,
    }));
    await bundle.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
