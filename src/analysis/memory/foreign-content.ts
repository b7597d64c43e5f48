import { findPacket, type Payload } from "./payload-decoder.js";
import { KERNEL_LIKE, POINTER_CLASSES, type WordClassifier } from "./word-classifier.js";

/**
 * Finds foreign content inside live kernel memory, where nothing says what the bytes should
 * be: runs of words that are not kernel-looking (not pointers, small integers or zero). A packet
 * found by its headers bounds a run to the byte; so does the edge of ASCII text.
 */
export interface ForeignRun {
  /** Byte offsets in the scanned bytes, [start, end). */
  start: number;
  end: number;
  payload: Payload | null;
}

export interface ForeignScan {
  runs: ForeignRun[];
  /** Share of the words outside the runs that look like kernel data. */
  kernelShare: number;
  /** Pointer words outside the runs: live kernel memory has them. */
  pointers: number;
}

/** Kernel-looking words a run may contain (zeros in a payload, a small field) before it ends. */
const MAX_GAP_WORDS = 2;
const MIN_RUN_WORDS = 3;

export function scanForeign(bytes: Uint8Array, address: bigint, words: WordClassifier): ForeignScan {
  const skip = Number((8n - (address % 8n)) % 8n);
  const nWords = Math.floor((bytes.length - skip) / 8);
  const foreign = new Uint8Array(nWords);
  const ascii = new Uint8Array(nWords);
  const pointer = new Uint8Array(nWords);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let w = 0; w < nWords; w++) {
    const at = skip + w * 8;
    const c = words.classifyAt(bytes, dv, at);
    if (!KERNEL_LIKE.has(c)) foreign[w] = 1;
    if (c === "ascii") ascii[w] = 1;
    if (POINTER_CLASSES.has(c)) pointer[w] = 1;
  }
  const packets: Payload[] = [];
  for (let from = 0; from < bytes.length; ) {
    const p = findPacket(bytes, from, bytes.length);
    if (!p) break;
    packets.push(p);
    const end = Math.min(bytes.length, p.end ?? p.start + 14);
    for (let w = Math.max(0, Math.floor((p.start - skip) / 8)); w < nWords && skip + w * 8 < end; w++) foreign[w] = 1;
    from = Math.max(end, p.start + 1);
  }

  const runs: ForeignRun[] = [];
  const inRun = new Uint8Array(nWords);
  let w = 0;
  while (w < nWords) {
    if (!foreign[w]) {
      w++;
      continue;
    }
    const first = w;
    let last = w;
    let j = w + 1;
    while (j < nWords) {
      if (foreign[j]) {
        last = j;
        j++;
        continue;
      }
      let k = j;
      while (k < nWords && !foreign[k]) k++;
      if (k - j > MAX_GAP_WORDS || k >= nWords) break;
      j = k;
    }
    w = last + 1;
    let start = skip + first * 8;
    let end = skip + (last + 1) * 8;
    const packet = packets.find((p) => p.start < end && (p.end ?? p.start) > start) ?? null;
    if (!packet && last - first + 1 < MIN_RUN_WORDS) continue;
    if (packet) {
      if (packet.start >= start && packet.start < start + 8) start = packet.start;
      const pend = Math.min(bytes.length, packet.end ?? end);
      if (pend > end - 8) end = pend;
    }
    if (!packet) {
      // Text bounds are exact: from the first all-text word back, and the last one forward, to
      // the nearest byte that is not text (the edge words mix text with what was there).
      const fa = ascii[first] ? first : first + 1 <= last && ascii[first + 1] ? first + 1 : -1;
      const la = ascii[last] ? last : last - 1 >= first && ascii[last - 1] ? last - 1 : -1;
      if (fa >= 0 && la >= 0) {
        start = skip + fa * 8;
        while (start > 0 && printable(bytes[start - 1])) start--;
        end = skip + (la + 1) * 8;
        while (end < bytes.length && printable(bytes[end])) end++;
      }
    }
    for (let k = first; k <= last; k++) inRun[k] = 1;
    runs.push({ start, end, payload: packet });
  }

  let outside = 0;
  let kernel = 0;
  let pointers = 0;
  for (let k = 0; k < nWords; k++) {
    if (inRun[k]) continue;
    outside++;
    if (!foreign[k]) kernel++;
    if (pointer[k]) pointers++;
  }
  return { runs, kernelShare: outside === 0 ? 0 : kernel / outside, pointers };
}

function printable(b: number): boolean {
  return (b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x09;
}
