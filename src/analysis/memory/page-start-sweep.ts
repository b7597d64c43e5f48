import { readSync } from "node:fs";
import { decodeEthernet } from "./payload-decoder.js";
import type { PhysicalMemory } from "./physical-memory.js";

/**
 * With no crash report to say where to look in a vmcore, sweeps the start of every dumped page
 * for a network packet header: a page that begins with a packet is the tell-tale of a device
 * writing through a stale DMA address. NICs put the frame at offset 0 or, with NET_IP_ALIGN, 2.
 * This is the one loop over a whole core, so it reads the file directly with one reused buffer:
 * 64-byte probes for large pages, 64 KiB blocks (16 page starts a read) for 4 KiB pages.
 */
const PROBE = 64;
const BLOCK = 65536;

export interface SweepResult {
  pages: bigint[];
  scanned: number;
  truncated: boolean;
}

export function sweepPageStarts(memory: PhysicalMemory, pageSize: number, maxPages = 1 << 22, maxHits = 16): SweepResult {
  const pages: bigint[] = [];
  let scanned = 0;
  const step = pageSize >= BLOCK ? pageSize : BLOCK;
  const buf = Buffer.alloc(pageSize >= BLOCK ? PROBE : BLOCK);
  for (const r of memory.coreRanges()) {
    // Physical addresses and file offsets of real cores fit in a double exactly (< 2^53).
    const start = Number(r.start);
    const end = Number(r.end);
    const fileBase = Number(r.fileOffset);
    const first = Math.ceil(start / pageSize) * pageSize;
    for (let at = first; at + PROBE <= end; at += step) {
      const want = Math.min(buf.length, end - at);
      const got = readSync(r.fd, buf, 0, want, fileBase + (at - start));
      memory.bytesReadFromCores += got;
      for (let off = 0; off + PROBE <= got; off += pageSize) {
        if (scanned >= maxPages || pages.length >= maxHits) return { pages, scanned, truncated: true };
        scanned++;
        // Holes and zero pages are the common case: one look at the EtherType skips them.
        const t0 = buf[off + 12] | buf[off + 14];
        if (t0 === 0) continue;
        const probe = buf.subarray(off, off + PROBE);
        if (decodeEthernet(probe, 0) || decodeEthernet(probe, 2)) pages.push(BigInt(at + off));
      }
      if (got < want) break;
    }
  }
  return { pages, scanned, truncated: false };
}
