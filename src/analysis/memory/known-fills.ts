/**
 * The patterns the kernel fills memory with (include/linux/poison.h), and the bytes of a range
 * that deviate from them, exact to the byte. A freed SLUB object is 0x6b with a last byte of
 * 0xa5, surrounded by red zones of 0xbb (inactive) or 0xcc (active); a freshly allocated one with
 * SLAB_POISON is 0x5a; a freed page under page_poisoning is 0xaa; a fresh page is zero.
 */
export const SLUB_FREE = 0x6b;
export const SLUB_END = 0xa5;
export const SLUB_INUSE = 0x5a;
export const RED_INACTIVE = 0xbb;
export const RED_ACTIVE = 0xcc;
export const PAGE_POISON = 0xaa;

export type FillKind = "slub-free" | "slub-inuse" | "page-poison" | "zero";

export interface Fill {
  kind: FillKind;
  value: number;
  /** "SLUB free poison 0x6b". */
  name: string;
}

export const FILLS: readonly Fill[] = [
  { kind: "slub-free", value: SLUB_FREE, name: "SLUB free poison 0x6b" },
  { kind: "page-poison", value: PAGE_POISON, name: "page poison 0xaa" },
  { kind: "zero", value: 0, name: "zeroes" },
];

/** Red zones count as fill next to slab poison when they run at least this long. */
const MIN_RED_ZONE = 8;

/** The fill most of `bytes` is made of, with the share of bytes that match it (red zones included). */
export function dominantFill(bytes: Uint8Array): { fill: Fill; share: number } | null {
  if (bytes.length === 0) return null;
  const counts = new Uint32Array(256);
  for (let i = 0; i < bytes.length; i++) counts[bytes[i]]++;
  let best: Fill | null = null;
  let bestCount = 0;
  for (const f of FILLS) {
    let c = counts[f.value];
    // A slab page under SLUB debugging: free objects, their end markers, red zones and padding.
    if (f.kind === "slub-free") c += counts[SLUB_END] + counts[RED_ACTIVE] + counts[RED_INACTIVE] + counts[SLUB_INUSE];
    if (c > bestCount) [best, bestCount] = [f, c];
  }
  return best ? { fill: best, share: bestCount / bytes.length } : null;
}

/**
 * For each byte, whether it is what the fill says it should be. Under slab poison a 0xa5 that
 * ends a 0x6b run is the object's end marker, 0x5a is padding, and runs of 0xbb/0xcc are red zones.
 */
export function fillMask(bytes: Uint8Array, fill: Fill): Uint8Array {
  const n = bytes.length;
  const mask = new Uint8Array(n);
  const v = fill.value;
  const slab = fill.kind === "slub-free" || fill.kind === "slub-inuse";
  for (let i = 0; i < n; i++) if (bytes[i] === v || (slab && bytes[i] === SLUB_INUSE)) mask[i] = 1;
  if (slab) {
    for (let i = 0; i < n; i++) {
      if (bytes[i] === SLUB_END && i > 0 && bytes[i - 1] === v && (i + 1 >= n || bytes[i + 1] !== v)) mask[i] = 1;
    }
    let i = 0;
    while (i < n) {
      const b = bytes[i];
      if (b !== RED_ACTIVE && b !== RED_INACTIVE) {
        i++;
        continue;
      }
      let j = i;
      while (j < n && bytes[j] === b) j++;
      if (j - i >= MIN_RED_ZONE) for (let k = i; k < j; k++) mask[k] = 1;
      i = j;
    }
  }
  return mask;
}

/** What the fill expected at byte i (for "0x01 instead of 0x6b" claims): the fill byte next to it. */
export function expectedByte(bytes: Uint8Array, mask: Uint8Array, i: number, fill: Fill): number {
  if (fill.kind !== "slub-free" && fill.kind !== "slub-inuse") return fill.value;
  for (const j of [i - 1, i + 1]) {
    if (j < 0 || j >= bytes.length || !mask[j]) continue;
    const b = bytes[j];
    if (b === RED_ACTIVE || b === RED_INACTIVE || b === SLUB_INUSE || b === SLUB_FREE) return b;
  }
  return fill.value;
}

/**
 * Whether a deviating run sits inside the fill rather than being a live object between fills:
 * under slab poison, inside a free object (0x6b before it, or 0x6b / the 0xa5 end marker after)
 * or inside padding (0x5a after it); live objects end at their red zone. Elsewhere the fill
 * itself on either side.
 */
export function insideFill(bytes: Uint8Array, start: number, end: number, fill: Fill): boolean {
  if (start === 0 && end === bytes.length) return false;
  const before = start > 0 ? bytes[start - 1] : -1;
  const after = end < bytes.length ? bytes[end] : -1;
  if (fill.kind === "slub-free" || fill.kind === "slub-inuse") {
    return before === SLUB_FREE || after === SLUB_FREE || after === SLUB_END || after === SLUB_INUSE;
  }
  return before === fill.value || after === fill.value;
}

/**
 * Runs of bytes that deviate from the fill: [start, end) offsets. Deviations closer than
 * `maxGap` fill bytes are one run, since one store of a value can contain a byte equal to the
 * fill; the bounds are still the first and last deviating byte.
 */
export function deviationRuns(mask: Uint8Array, maxGap = 7): { start: number; end: number }[] {
  const runs: { start: number; end: number }[] = [];
  let i = 0;
  const n = mask.length;
  while (i < n) {
    if (mask[i]) {
      i++;
      continue;
    }
    const start = i;
    let end = i + 1;
    let j = end;
    while (j < n) {
      if (!mask[j]) {
        end = j + 1;
        j++;
        continue;
      }
      let k = j;
      while (k < n && mask[k]) k++;
      if (k - j > maxGap || k >= n) break;
      j = k;
    }
    runs.push({ start, end });
    i = end;
  }
  return runs;
}

export function popcount8(x: number): number {
  x = x - ((x >> 1) & 0x55);
  x = (x & 0x33) + ((x >> 2) & 0x33);
  return (x + (x >> 4)) & 0x0f;
}
