import { KERNEL_LIKE, type WordClass, type WordClassifier } from "./word-classifier.js";
import { decodeEthernet, decodeInfiniband, decodeStorage, describeText, findPacket, isHighEntropy, type Payload } from "./payload-decoder.js";

/**
 * Names what the bytes of a region are, in the words a kernel engineer would use: the packet
 * with its addresses and queue pair, "ASCII log text", "kernel pointers to slab objects". The
 * name is the clue that convinces a reader, so it is specific where the bytes allow.
 */
export type ContentKind = "packet" | "nvme" | "block-data" | "ascii" | "high-entropy" | "kernel-data" | "zero" | "value" | "unknown";

export interface NamedContent {
  kind: ContentKind;
  /** True for what a device (or another machine) wrote rather than kernel data structures. */
  foreign: boolean;
  description: string;
  payload: Payload | null;
}

const WORD_NAMES: Partial<Record<WordClass, string>> = {
  linear: "a pointer into the linear map",
  text: "a pointer to a kernel symbol",
  module: "a pointer into a module",
  vmalloc: "a vmalloc pointer",
  vmemmap: "a struct page pointer",
  poison: "a poison value",
  pte: "a page-table entry",
  small: "a small integer",
  ascii: "ASCII text",
};

const FOREIGN: ReadonlySet<ContentKind> = new Set(["packet", "nvme", "block-data", "ascii", "high-entropy"]);

/** `address` is the physical address of bytes[0]; word classification uses 8-byte aligned words. */
export function nameContent(bytes: Uint8Array, address: bigint, words: WordClassifier, little: boolean): NamedContent {
  const mk = (kind: ContentKind, description: string, payload: Payload | null = null): NamedContent => ({ kind, foreign: FOREIGN.has(kind), description, payload });
  if (bytes.length === 0) return mk("unknown", "nothing");
  if (bytes.every((b) => b === 0)) return mk("zero", `${bytes.length} zero bytes`);
  if (bytes.length < 8) return mk("value", valueText(bytes, little));
  if (bytes.length === 8 && address % 8n === 0n) {
    // One word: its value, and what kind of value it is.
    const v = words.word(bytes, 0);
    const cls = words.classify(v, bytes, 0);
    const what = WORD_NAMES[cls] ?? "";
    const sym = cls === "text" ? words.symbolOf(v) : null;
    return mk("value", `${valueText(bytes, little)}${what ? `, ${what}${sym ? ` (${sym})` : ""}` : ""}`);
  }
  const packet = decodeEthernet(bytes, 0) ?? decodeInfiniband(bytes, 0) ?? findPacket(bytes, 0, Math.min(bytes.length, 64));
  if (packet) return mk(packet.kind, packet.description, packet);
  const storage = decodeStorage(bytes, 0);
  if (storage) return mk(storage.kind, storage.description, storage);
  const text = describeText(bytes);
  if (text) return mk("ascii", text.description, text);
  const kernel = kernelDataText(bytes, address, words);
  if (kernel) return mk("kernel-data", kernel);
  if (isHighEntropy(bytes)) return mk("high-entropy", `high-entropy data (${bytes.length} bytes: compressed, encrypted or random payload)`);
  if (bytes.length <= 16) return mk("value", valueText(bytes, little));
  return mk("unknown", `${bytes.length} bytes of unrecognised data`);
}

function valueText(bytes: Uint8Array, little: boolean): string {
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");
  if (bytes.length === 1) return `the byte 0x${hex}`;
  if (bytes.length === 8 || bytes.length === 4 || bytes.length === 2) {
    let v = 0n;
    for (let i = 0; i < bytes.length; i++) v = (v << 8n) | BigInt(bytes[little ? bytes.length - 1 - i : i]);
    return `bytes ${hex}: the ${bytes.length * 8}-bit value 0x${v.toString(16)}`;
  }
  return `bytes ${hex}`;
}

/** "kernel data: kernel pointers to slab objects (4), pointers to kernel symbols (tcp_prot+0x40), 2 small integers". */
function kernelDataText(bytes: Uint8Array, address: bigint, words: WordClassifier): string | null {
  const skip = Number((8n - (address % 8n)) % 8n);
  const counts = new Map<WordClass, number>();
  const symbols: string[] = [];
  let total = 0;
  for (let at = skip; at + 8 <= bytes.length; at += 8) {
    const v = words.word(bytes, at);
    const c = words.classify(v, bytes, at);
    counts.set(c, (counts.get(c) ?? 0) + 1);
    total++;
    if (c === "text" && symbols.length < 3) {
      const s = words.symbolOf(v);
      if (s && !symbols.includes(s)) symbols.push(s);
    }
  }
  if (total === 0) return null;
  let kernel = 0;
  for (const [c, n] of counts) if (KERNEL_LIKE.has(c)) kernel += n;
  const pointers = (counts.get("linear") ?? 0) + (counts.get("text") ?? 0) + (counts.get("module") ?? 0) + (counts.get("vmalloc") ?? 0) + (counts.get("vmemmap") ?? 0);
  if (kernel / total < 0.75 || pointers === 0) return null;
  const parts: string[] = [];
  const n = (c: WordClass) => counts.get(c) ?? 0;
  if (n("linear")) parts.push(`kernel pointers to slab objects (${n("linear")} into the linear map)`);
  if (n("text")) parts.push(`${n("text")} pointer(s) to kernel symbols${symbols.length ? ` (${symbols.join(", ")})` : ""}`);
  if (n("module")) parts.push(`${n("module")} pointer(s) into modules`);
  if (n("vmalloc")) parts.push(`${n("vmalloc")} vmalloc pointer(s)`);
  if (n("vmemmap")) parts.push(`${n("vmemmap")} struct page pointer(s)`);
  if (n("poison")) parts.push(`${n("poison")} poison word(s)`);
  if (n("small")) parts.push(`${n("small")} small integer(s)`);
  if (n("zero")) parts.push(`${n("zero")} zero word(s)`);
  return `kernel data: ${parts.join(", ")}`;
}
