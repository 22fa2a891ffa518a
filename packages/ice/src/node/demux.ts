/**
 * RFC 7983 §7: how one port's datagrams are told apart by their first byte. STUN owns 0..3;
 * everything else (DTLS 20..63, RTP/RTCP 128..191, TURN channels 64..79 already unwrapped by the
 * relay) is the layer above's.
 */

export type DatagramKind = 'stun' | 'other';

/** The kind of a datagram, or undefined for an empty one (which no protocol sends). */
export function classifyDatagram(data: Uint8Array): DatagramKind | undefined {
  const first = data[0];
  if (first === undefined) return undefined;
  return first <= 3 ? 'stun' : 'other';
}
