import type { Endianness } from "../../analysis/model/machine.js";
import type { SeededRandom } from "../random/seeded-random.js";

/**
 * Plausible kernel memory: what a frame held before something corrupted it. The memory analysis
 * tells corruption from legitimate content, so legitimate content must look like the real thing
 * (pointers into the linear map, small counters, list heads, poison fills).
 */

/** SLUB poison of a free object: 0x6b, last byte 0xa5 (POISON_FREE / POISON_END). */
export const POISON_FREE = 0x6b;
export const POISON_END = 0xa5;
/** Page poisoning fill (PAGE_POISON). */
export const PAGE_POISON = 0xaa;
/** SLUB red zones: inactive 0xbb, active 0xcc. */
export const RED_INACTIVE = 0xbb;
export const RED_ACTIVE = 0xcc;

export function putU64(bytes: Uint8Array, at: number, value: bigint, endianness: Endianness): void {
  for (let i = 0; i < 8; i++) {
    const b = Number((value >> BigInt(8 * i)) & 0xffn);
    bytes[endianness === "little" ? at + i : at + 7 - i] = b;
  }
}

export function getU64(bytes: Uint8Array, at: number, endianness: Endianness): bigint {
  let v = 0n;
  for (let i = 0; i < 8; i++) v |= BigInt(bytes[endianness === "little" ? at + i : at + 7 - i]) << BigInt(8 * i);
  return v;
}

export interface KernelObjectsOptions {
  objectSize: number;
  endianness: Endianness;
  linearMapBase: bigint;
  /** Physical address of bytes[0] (objects' self-pointers and list heads point near it). */
  physBase: bigint;
  /** Physical range pointers may point into. */
  heapStart: bigint;
  heapEnd: bigint;
}

/**
 * A slab page full of live objects: each 8-byte word is a linear-map pointer (list heads, parent
 * pointers), a small counter, flags, or zero, in a fixed per-field layout so objects resemble
 * each other as instances of one struct do.
 */
export function slabObjects(length: number, o: KernelObjectsOptions, rng: SeededRandom): Uint8Array {
  const out = new Uint8Array(length);
  const words = o.objectSize / 8;
  const layout: ("ptr" | "self" | "count" | "flags" | "zero")[] = [];
  for (let w = 0; w < words; w++) layout.push(w < 2 ? "self" : rng.pick(["ptr", "ptr", "count", "flags", "zero", "zero"]));
  for (let obj = 0; obj + o.objectSize <= length; obj += o.objectSize) {
    for (let w = 0; w < words; w++) {
      const at = obj + w * 8;
      let v: bigint;
      switch (layout[w]) {
        case "self":
          v = o.linearMapBase + o.physBase + BigInt(obj + w * 8); // an empty list_head points at itself
          break;
        case "ptr": {
          const span = Number(o.heapEnd - o.heapStart) / 64;
          v = o.linearMapBase + o.heapStart + BigInt(Math.floor(rng.next() * span)) * 64n;
          break;
        }
        case "count":
          v = BigInt(rng.int(1, 4096));
          break;
        case "flags":
          v = BigInt(rng.pick([0x1, 0x11, 0x40000, 0x80000001]));
          break;
        default:
          v = 0n;
      }
      putU64(out, at, v, o.endianness);
    }
  }
  return out;
}

/** A free SLUB object: poison 0x6b with the last byte 0xa5. */
export function freeObjectPoison(size: number): Uint8Array {
  const out = new Uint8Array(size).fill(POISON_FREE);
  out[size - 1] = POISON_END;
  return out;
}

/** A page-table page: present PTEs mapping scattered frames, then empty entries. */
export function pageTablePage(length: number, used: number, o: { endianness: Endianness; pageShift: number }, rng: SeededRandom): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < used && i * 8 < length; i++) {
    const pfn = BigInt(rng.int(0x1000, 0x3fffff));
    const pte = 0x8000000000000000n | (pfn << BigInt(o.pageShift)) | 0x18dn; // present, accessed, dirty, read/write
    putU64(out, i * 8, pte, o.endianness);
  }
  return out;
}

const WORDS = ["request", "completed", "checkpoint", "flush", "segment", "replica", "commit", "lease", "shard", "compaction", "txn", "snapshot"];
const LEVELS = ["INFO ", "INFO ", "INFO ", "DEBUG", "WARN "];

/** Text file data as a storage device reads it into a page cache or I/O buffer: log lines. */
export function fileDataText(length: number, rng: SeededRandom, day = "2026-11-23"): Uint8Array {
  let text = "";
  let sec = rng.int(0, 80000);
  while (text.length < length) {
    sec += rng.int(0, 3);
    const hh = String(Math.floor(sec / 3600) % 24).padStart(2, "0");
    const mm = String(Math.floor(sec / 60) % 60).padStart(2, "0");
    const ss = String(sec % 60).padStart(2, "0");
    text += `${day} ${hh}:${mm}:${ss}.${String(rng.int(0, 999)).padStart(3, "0")} ${rng.pick(LEVELS)} [${rng.pick(WORDS)}-${rng.int(1, 64)}] ${rng.pick(WORDS)} ${rng.pick(WORDS)} id=${rng.int(100000, 999999)} ms=${rng.int(0, 900)}\n`;
  }
  return new TextEncoder().encode(text.slice(0, length));
}
