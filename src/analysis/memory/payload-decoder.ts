/**
 * Recognises foreign payload in memory: what a device, not the CPU, would have written.
 * Network packets (Ethernet, IPv4/IPv6, UDP, RoCEv2 = InfiniBand BTH on UDP 4791, RoCEv1,
 * native InfiniBand LRH/GRH), storage data (NVMe queue entries, file-system and file headers),
 * ASCII text and high-entropy data. A decoded packet knows its own length, which bounds the
 * region to the byte.
 */
export interface Payload {
  kind: "packet" | "nvme" | "block-data" | "ascii" | "high-entropy";
  /** Offsets in the scanned bytes. `end` is where the payload provably ends, or null. */
  start: number;
  end: number | null;
  /** "RoCEv2 packet: Ethernet, IPv4 10.20.1.7 → 10.20.1.9, UDP 4791, BTH opcode 0x04 SEND-only, QP 0x6e3312". */
  description: string;
}

const BTH_OPS: Record<number, string> = {
  0x00: "SEND-first", 0x01: "SEND-middle", 0x02: "SEND-last", 0x03: "SEND-last-with-immediate",
  0x04: "SEND-only", 0x05: "SEND-only-with-immediate", 0x06: "RDMA-WRITE-first", 0x07: "RDMA-WRITE-middle",
  0x08: "RDMA-WRITE-last", 0x09: "RDMA-WRITE-last-with-immediate", 0x0a: "RDMA-WRITE-only",
  0x0b: "RDMA-WRITE-only-with-immediate", 0x0c: "RDMA-READ-request", 0x0d: "RDMA-READ-response-first",
  0x0e: "RDMA-READ-response-middle", 0x0f: "RDMA-READ-response-last", 0x10: "RDMA-READ-response-only",
  0x11: "ACK", 0x12: "ATOMIC-ACK", 0x13: "CMP-SWAP", 0x14: "FETCH-ADD", 0x16: "SEND-last-with-invalidate",
  0x17: "SEND-only-with-invalidate",
};
const TRANSPORTS = ["RC", "UC", "RD", "UD", "CNP", "XRC"];

function bthText(b: Uint8Array, at: number): string | null {
  if (at + 12 > b.length) return null;
  const opcode = b[at];
  const name = BTH_OPS[opcode & 0x1f];
  const transport = TRANSPORTS[opcode >> 5];
  if (!name || !transport) return null;
  if ((b[at + 1] & 0x0f) !== 0) return null; // transport header version is 0
  const qp = (b[at + 5] << 16) | (b[at + 6] << 8) | b[at + 7];
  const hexOp = "0x" + opcode.toString(16).padStart(2, "0");
  const label = transport === "RC" ? name : `${transport} ${name}`;
  return `BTH opcode ${hexOp} ${label}, QP 0x${qp.toString(16)}`;
}

function ipv4Text(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

function ipv6Text(b: Uint8Array, at: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[at + i] << 8) | b[at + i + 1]).toString(16));
  // Compress the longest run of zero groups, as RFC 5952 writes addresses.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLen && j - i > 1) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  if (bestStart < 0) return groups.join(":");
  return `${groups.slice(0, bestStart).join(":")}::${groups.slice(bestStart + bestLen).join(":")}`;
}

function ipv4ChecksumOk(b: Uint8Array, at: number, ihl: number): boolean {
  let sum = 0;
  for (let i = 0; i < ihl; i += 2) sum += (b[at + i] << 8) | b[at + i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return sum === 0xffff;
}

const u16 = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];

/** UDP and above: "UDP 4791, BTH ..." and whether it is RoCEv2. */
function udpText(b: Uint8Array, at: number): { text: string; roce: boolean } {
  if (at + 8 > b.length) return { text: "UDP (truncated)", roce: false };
  const dport = u16(b, at + 2);
  if (dport === 4791) {
    const bth = bthText(b, at + 8);
    if (bth) return { text: `UDP ${dport}, ${bth}`, roce: true };
  }
  return { text: `UDP ${u16(b, at)} → ${dport}`, roce: false };
}

/** An IPv4 header with a valid checksum at `at`: its description and total length. */
export function decodeIpv4(b: Uint8Array, at: number): { text: string; roce: boolean; length: number } | null {
  if (at + 20 > b.length || b[at] >> 4 !== 4) return null;
  const ihl = (b[at] & 0x0f) * 4;
  const total = u16(b, at + 2);
  if (ihl < 20 || total < ihl || at + ihl > b.length || !ipv4ChecksumOk(b, at, ihl)) return null;
  const proto = b[at + 9];
  let text = `IPv4 ${ipv4Text(b, at + 12)} → ${ipv4Text(b, at + 16)}`;
  let roce = false;
  if (proto === 17) {
    const udp = udpText(b, at + ihl);
    text += `, ${udp.text}`;
    roce = udp.roce;
  } else if (proto === 6) text += `, TCP ${u16(b, at + ihl)} → ${u16(b, at + ihl + 2)}`;
  else if (proto === 1) text += ", ICMP";
  else text += `, protocol ${proto}`;
  return { text, roce, length: total };
}

function decodeIpv6(b: Uint8Array, at: number): { text: string; roce: boolean; length: number } | null {
  if (at + 40 > b.length || b[at] >> 4 !== 6) return null;
  const payload = u16(b, at + 4);
  const next = b[at + 6];
  let text = `IPv6 ${ipv6Text(b, at + 8)} → ${ipv6Text(b, at + 24)}`;
  let roce = false;
  if (next === 17) {
    const udp = udpText(b, at + 40);
    text += `, ${udp.text}`;
    roce = udp.roce;
  } else if (next === 6) text += ", TCP";
  else if (next === 58) text += ", ICMPv6";
  else if (next === 0x1b) {
    const bth = bthText(b, at + 40);
    if (!bth) return null;
    text += `, ${bth}`;
  } else return null;
  return { text, roce, length: 40 + payload };
}

/** An Ethernet frame starting at `at`. */
export function decodeEthernet(b: Uint8Array, at: number): Payload | null {
  if (at + 14 > b.length) return null;
  let type = u16(b, at + 12);
  let l3 = at + 14;
  let vlan = "";
  if (type === 0x8100) {
    if (at + 18 > b.length) return null;
    vlan = `, VLAN ${u16(b, at + 14) & 0x0fff}`;
    type = u16(b, at + 16);
    l3 = at + 18;
  }
  let ip: { text: string; roce: boolean; length: number } | null = null;
  let v1 = false;
  if (type === 0x0800) ip = decodeIpv4(b, l3);
  else if (type === 0x86dd) ip = decodeIpv6(b, l3);
  else if (type === 0x8915) {
    // RoCEv1: Ethernet + IB GRH + BTH.
    if (l3 + 40 > b.length || b[l3] >> 4 !== 6 || b[l3 + 6] !== 0x1b) return null;
    const bth = bthText(b, l3 + 40);
    if (!bth) return null;
    ip = { text: `IB GRH, ${bth}`, roce: true, length: 40 + u16(b, l3 + 4) };
    v1 = true;
  }
  if (!ip) return null;
  const kind = v1 ? "RoCEv1 packet" : ip.roce ? "RoCEv2 packet" : "network packet";
  return { kind: "packet", start: at, end: l3 + ip.length, description: `${kind}: Ethernet${vlan}, ${ip.text}` };
}

/** A native InfiniBand packet (LRH, optional GRH, BTH) at `at`; only tried where a region starts. */
export function decodeInfiniband(b: Uint8Array, at: number): Payload | null {
  if (at + 20 > b.length) return null;
  if ((b[at] & 0x0f) !== 0) return null; // LVer
  const lnh = b[at + 1] & 0x03;
  if (lnh !== 2 && lnh !== 3) return null;
  const words = ((b[at + 4] & 0x07) << 8) | b[at + 5];
  if (words < 5) return null;
  let bth = at + 8;
  let grh = "";
  if (lnh === 3) {
    if (at + 48 + 12 > b.length || b[at + 8] >> 4 !== 6 || b[at + 14] !== 0x1b) return null;
    grh = `, GRH ${ipv6Text(b, at + 16)} → ${ipv6Text(b, at + 32)}`;
    bth = at + 48;
  }
  const text = bthText(b, bth);
  if (!text) return null;
  const dlid = u16(b, at + 2);
  const slid = u16(b, at + 6);
  return {
    kind: "packet",
    start: at,
    end: at + words * 4 + 2, // PktLen counts LRH..ICRC in 4-byte words; the 2-byte VCRC follows
    description: `InfiniBand packet: LRH LID 0x${slid.toString(16)} → 0x${dlid.toString(16)}${grh}, ${text}`,
  };
}

/**
 * The first network packet in b[from, to): an Ethernet frame (tried at every byte, cheap
 * because the EtherType and IP version must match first), else a bare IPv4 header with a valid
 * checksum (NICs that strip the link header).
 */
export function findPacket(b: Uint8Array, from: number, to: number): Payload | null {
  const stop = Math.min(to, b.length - 34);
  for (let at = Math.max(0, from); at < stop; at++) {
    const t0 = b[at + 12];
    const t1 = b[at + 13];
    const ethertype = (t0 === 0x08 && t1 === 0x00) || (t0 === 0x86 && t1 === 0xdd) || (t0 === 0x81 && t1 === 0x00) || (t0 === 0x89 && t1 === 0x15);
    if (!ethertype) continue;
    const p = decodeEthernet(b, at);
    if (p) return p;
  }
  for (let at = Math.max(0, from); at < Math.min(to, b.length - 20); at++) {
    if (b[at] !== 0x45) continue;
    const ip = decodeIpv4(b, at);
    if (ip && ip.length >= 28) return { kind: "packet", start: at, end: at + ip.length, description: `${ip.roce ? "RoCEv2 packet" : "network packet"}: ${ip.text}` };
  }
  return null;
}

/** NVMe completion-queue entries: same SQ id, consecutive SQ head, success status, same phase. */
function nvmeCompletions(b: Uint8Array, at: number): number {
  let n = 0;
  let sqid = -1;
  let head = -1;
  for (let e = at; e + 16 <= b.length; e += 16) {
    const dw2h = b[e + 8] | (b[e + 9] << 8);
    const id = b[e + 10] | (b[e + 11] << 8);
    const status = b[e + 14] | (b[e + 15] << 8);
    if (id === 0 || id > 1024 || status >> 1 !== 0) break;
    if (sqid >= 0 && (id !== sqid || dw2h !== ((head + 1) & 0xffff))) break;
    sqid = id;
    head = dw2h;
    n++;
  }
  return n;
}

/** Storage payload: file-system, partition-table and file-format headers, NVMe queue entries. */
export function decodeStorage(b: Uint8Array, at: number): Payload | null {
  const has = (off: number, text: string) => at + off + text.length <= b.length && Buffer.from(b.buffer, b.byteOffset + at + off, text.length).toString("latin1") === text;
  const named: [boolean, string][] = [
    [at + 0x43a <= b.length && b[at + 0x438] === 0x53 && b[at + 0x439] === 0xef, "block data: ext4 superblock (magic 0xef53 at 0x438)"],
    [has(0, "XFSB"), "block data: XFS superblock"],
    [has(0, "EFI PART"), "block data: GPT header"],
    [has(0, "\x7fELF"), "file data: an ELF executable or library"],
    [has(0, "SQLite format 3\0"), "file data: an SQLite database page"],
    [has(0, "\x89PNG"), "file data: PNG image"],
    [at + 2 <= b.length && b[at] === 0x1f && b[at + 1] === 0x8b, "file data: gzip stream"],
  ];
  for (const [ok, description] of named) if (ok) return { kind: "block-data", start: at, end: null, description };
  const cqes = nvmeCompletions(b, at);
  if (cqes >= 4) return { kind: "nvme", start: at, end: at + cqes * 16, description: `NVMe completion queue entries (${cqes}, SQ ${b[at + 10] | (b[at + 11] << 8)})` };
  return null;
}

const LOG_WORDS = /\b(INFO|WARN(ING)?|ERROR|DEBUG|TRACE|FATAL)\b|\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}|\[\s*\d+\.\d{6}\]/;

/** Printable share and a text sample when most of b is text. */
export function describeText(b: Uint8Array): Payload | null {
  if (b.length === 0) return null;
  let printable = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if ((c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x09 || c === 0x0d) printable++;
  }
  if (printable / b.length < 0.9) return null;
  const text = Buffer.from(b).toString("latin1");
  const sample = text.replace(/[^\x20-\x7e]+/g, " ").trim().slice(0, 40);
  const kind = LOG_WORDS.test(text) ? "ASCII log text" : "ASCII text";
  return { kind: "ascii", start: 0, end: b.length, description: `${kind} ("${sample}${text.length > 40 ? "…" : ""}")` };
}

/** Shannon entropy in bits per byte. */
export function entropy(b: Uint8Array): number {
  if (b.length === 0) return 0;
  const counts = new Uint32Array(256);
  for (let i = 0; i < b.length; i++) counts[b[i]]++;
  let h = 0;
  for (let i = 0; i < 256; i++) {
    if (counts[i] === 0) continue;
    const p = counts[i] / b.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** High-entropy data: close to the maximum entropy a sample of this size can show. */
export function isHighEntropy(b: Uint8Array): boolean {
  if (b.length < 32) return false;
  const max = Math.log2(Math.min(256, b.length));
  return entropy(b) >= 0.85 * max;
}
