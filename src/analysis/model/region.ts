export type Alignment = "page" | "cache-line" | "word" | "unaligned";

/** A corrupted region of physical memory, [start, end). */
export interface Region {
  start: bigint;
  end: bigint;
  alignment: Alignment;
  /** Largest power of two dividing start (capped at the page size? no: uncapped, as the contract says). */
  granule: number;
  /** "memory.txt:1" or "vmcore@0x54d70000". */
  source: string;
  /** What the bytes are, in plain words: "RoCEv2 packet: Ethernet, IPv4 10.20.1.7 → 10.20.1.9, ...". */
  content: string | null;
}

/** Bytes around the region, for the report's marked hex excerpt. */
export interface HexExcerpt {
  /** Physical address of bytes[0]. */
  base: bigint;
  bytes: Uint8Array;
  region: { start: bigint; end: bigint };
}

export interface Suspect {
  device: string | null;
  driver: string | null;
  function: string | null;
  file: string | null;
}

export interface Owner {
  owner: string;
  label: string | null;
  reason: string;
  /** The owner rule asks to assign the issue to this owner (config `assign: true`); absent otherwise. */
  assign?: boolean;
}

/** A `dev_printk` or `lspci -k` pairing. */
export interface DeviceDriver {
  device: string;
  driver: string;
  source: string;
}
