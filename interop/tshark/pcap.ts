/**
 * A minimal libpcap file writer: UDP/IPv4 datagrams as raw IP packets (LINKTYPE_RAW, 101), so a
 * session run in memory can be handed to tshark. The UDP checksum is left 0, which IPv4 allows
 * (RFC 768); the IP header checksum is computed (RFC 791 §3.1).
 */

export interface CapturedDatagram {
  readonly from: { readonly address: string; readonly port: number };
  readonly to: { readonly address: string; readonly port: number };
  readonly data: Uint8Array;
  /** Capture time in microseconds. */
  readonly timeUs: number;
}

const LINKTYPE_RAW = 101;

function ipv4Bytes(address: string): number[] {
  return address.split('.').map(Number);
}

function ipv4Checksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) {
    sum += ((header[i] as number) << 8) | (header[i + 1] as number);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function packet(datagram: CapturedDatagram): Uint8Array {
  const length = 20 + 8 + datagram.data.length;
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  bytes[0] = 0x45; // version 4, 5-word header
  view.setUint16(2, length);
  bytes[8] = 64; // TTL
  bytes[9] = 17; // UDP
  bytes.set(ipv4Bytes(datagram.from.address), 12);
  bytes.set(ipv4Bytes(datagram.to.address), 16);
  view.setUint16(10, ipv4Checksum(bytes.subarray(0, 20)));
  view.setUint16(20, datagram.from.port);
  view.setUint16(22, datagram.to.port);
  view.setUint16(24, 8 + datagram.data.length);
  bytes.set(datagram.data, 28);
  return bytes;
}

/** The whole capture file: the global header, then one record per datagram. */
export function writePcap(datagrams: readonly CapturedDatagram[]): Uint8Array {
  const packets = datagrams.map(packet);
  const size = 24 + packets.reduce((total, p) => total + 16 + p.length, 0);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0xa1b2c3d4, true); // magic, microsecond timestamps, little-endian
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setUint32(16, 65535, true); // snaplen
  view.setUint32(20, LINKTYPE_RAW, true);
  let at = 24;
  packets.forEach((p, i) => {
    const timeUs = (datagrams[i] as CapturedDatagram).timeUs;
    view.setUint32(at, Math.floor(timeUs / 1e6), true);
    view.setUint32(at + 4, timeUs % 1e6, true);
    view.setUint32(at + 8, p.length, true);
    view.setUint32(at + 12, p.length, true);
    bytes.set(p, at + 16);
    at += 16 + p.length;
  });
  return bytes;
}
