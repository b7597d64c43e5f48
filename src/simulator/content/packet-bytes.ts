import type { SeededRandom } from "../random/seeded-random.js";

/**
 * Network frames as a NIC or an RDMA adapter writes them into receive buffers: the "foreign
 * payload" a stale DMA leaves in kernel memory. Headers are real (checksums included) so that a
 * reader recognising Ethernet/IPv4/UDP/TCP/BTH sees exactly what a capture would show.
 */

export interface PacketSpec {
  srcMac: Uint8Array;
  dstMac: Uint8Array;
  srcIp: [number, number, number, number];
  dstIp: [number, number, number, number];
  /** Bytes of application payload after the transport headers. */
  payloadLength: number;
}

/** RoCEv2: Ethernet + IPv4 + UDP (dport 4791) + InfiniBand BTH + payload + ICRC. */
export function rocev2Packet(spec: PacketSpec, rng: SeededRandom): Uint8Array {
  const udpLen = 8 + 12 + spec.payloadLength + 4;
  const ipLen = 20 + udpLen;
  const out = new Uint8Array(14 + ipLen);
  ethernet(out, spec);
  ipv4(out, 14, spec, ipLen, 17, rng);
  const u = 34;
  put16(out, u, 49152 + rng.int(0, 16383));
  put16(out, u + 2, 4791);
  put16(out, u + 4, udpLen);
  put16(out, u + 6, 0); // RoCEv2 leaves the UDP checksum zero
  const b = u + 8; // BTH: opcode RC SEND_ONLY (0x04), flags, pkey 0xffff, dest QP, PSN
  out[b] = 0x04;
  out[b + 1] = 0x40;
  put16(out, b + 2, 0xffff);
  out[b + 4] = 0;
  const qp = rng.int(0x100, 0xffffff);
  out[b + 5] = (qp >>> 16) & 0xff;
  out[b + 6] = (qp >>> 8) & 0xff;
  out[b + 7] = qp & 0xff;
  out[b + 8] = 0x80;
  const psn = rng.int(0, 0xffffff);
  out[b + 9] = (psn >>> 16) & 0xff;
  out[b + 10] = (psn >>> 8) & 0xff;
  out[b + 11] = psn & 0xff;
  fillPayload(out, b + 12, spec.payloadLength, rng);
  const icrc = rng.bytes(4);
  icrc[3] |= 1; // never end on a zero byte: the region's end must show against a zeroed page
  out.set(icrc, out.length - 4);
  return out;
}

/** Ethernet + IPv4 + TCP (port 443 or 3260) + payload, as an ordinary NIC receives it. */
export function tcpPacket(spec: PacketSpec, rng: SeededRandom): Uint8Array {
  const ipLen = 20 + 20 + spec.payloadLength;
  const out = new Uint8Array(14 + ipLen);
  ethernet(out, spec);
  ipv4(out, 14, spec, ipLen, 6, rng);
  const t = 34;
  put16(out, t, rng.pick([443, 3260, 2049]));
  put16(out, t + 2, 32768 + rng.int(0, 28000));
  put32(out, t + 4, rng.u32());
  put32(out, t + 8, rng.u32());
  out[t + 12] = 0x50; // data offset 5 words
  out[t + 13] = 0x18; // PSH, ACK
  put16(out, t + 14, 0x01f5);
  put16(out, t + 16, rng.int(1, 0xffff));
  fillPayload(out, t + 20, spec.payloadLength, rng);
  out[out.length - 1] |= 1;
  return out;
}

export function randomMac(rng: SeededRandom, oui: [number, number, number]): Uint8Array {
  return Uint8Array.of(oui[0], oui[1], oui[2], rng.int(0, 255), rng.int(0, 255), rng.int(0, 255));
}

function ethernet(out: Uint8Array, spec: PacketSpec): void {
  out.set(spec.dstMac, 0);
  out.set(spec.srcMac, 6);
  put16(out, 12, 0x0800);
}

function ipv4(out: Uint8Array, at: number, spec: PacketSpec, totalLength: number, proto: number, rng: SeededRandom): void {
  out[at] = 0x45;
  out[at + 1] = proto === 17 ? 0x02 : 0x00; // RoCEv2 marks ECN-capable
  put16(out, at + 2, totalLength);
  put16(out, at + 4, rng.int(0, 0xffff));
  put16(out, at + 6, 0x4000); // don't fragment
  out[at + 8] = 64;
  out[at + 9] = proto;
  out.set(spec.srcIp, at + 12);
  out.set(spec.dstIp, at + 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (out[at + i] << 8) | out[at + i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  put16(out, at + 10, ~sum & 0xffff);
}

/** Application data: a storage or MPI workload's blocks look like structured binary records. */
function fillPayload(out: Uint8Array, at: number, n: number, rng: SeededRandom): void {
  const recordTag = rng.u32();
  for (let i = 0; i < n; i += 4) {
    const v = i % 64 === 0 ? recordTag : i % 64 === 4 ? (i / 64) | 0 : rng.u32();
    for (let k = 0; k < 4 && i + k < n; k++) out[at + i + k] = (v >>> (8 * k)) & 0xff;
  }
}

function put16(out: Uint8Array, at: number, v: number): void {
  out[at] = (v >>> 8) & 0xff;
  out[at + 1] = v & 0xff;
}

function put32(out: Uint8Array, at: number, v: number): void {
  put16(out, at, (v >>> 16) & 0xffff);
  put16(out, at + 2, v & 0xffff);
}
