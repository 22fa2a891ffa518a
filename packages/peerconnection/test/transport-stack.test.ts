/**
 * The transport stack's SRTP keying (RFC 5764 §4.2): both sides of a DTLS handshake derive
 * matching contexts from the exporter, with the profile the handshake chose.
 */

import { afterEach, describe, expect, it } from 'vitest';
import type { TransportStack } from '../src/transport/transport-stack.js';
import { connectedStacks } from './stats-helpers.js';

const stacks: TransportStack[] = [];
afterEach(() => {
  for (const stack of stacks.splice(0)) stack.close();
});

/** A minimal RTP packet (RFC 3550 §5.1): version 2, PT 96, the given sequence number. */
function rtp(sequence: number, payload: string): Uint8Array {
  const bytes = new Uint8Array(12 + payload.length);
  bytes[0] = 0x80;
  bytes[1] = 96;
  bytes[2] = sequence >> 8;
  bytes[3] = sequence & 0xff;
  bytes.set([0, 0, 0, 1, 0x11, 0x22, 0x33, 0x44], 4); // timestamp, SSRC
  bytes.set(new TextEncoder().encode(payload), 12);
  return bytes;
}

function dtlsConnected(stack: TransportStack): Promise<void> {
  return new Promise((resolve) => {
    if (stack.dtls?.connection.state === 'connected') resolve();
    stack.events.on('dtls-state', (state) => {
      if (state === 'connected') resolve();
    });
  });
}

describe('TransportStack SRTP keying', () => {
  it('keys SRTP from the DTLS exporter: what one side protects, the other unprotects', async () => {
    const { a, b } = connectedStacks(stacks);
    await Promise.all([dtlsConnected(a.stack), dtlsConnected(b.stack)]);
    const ours = a.stack.srtp;
    const theirs = b.stack.srtp;
    // The first of our preferences, which the other side (also ours) accepts.
    expect(ours?.profile).toBe('SRTP_AEAD_AES_128_GCM');
    expect(theirs?.profile).toBe('SRTP_AEAD_AES_128_GCM');

    const packet = rtp(1, 'from a');
    const protectedPacket = ours?.outbound.protectRtp(packet) as Uint8Array;
    expect(protectedPacket).not.toEqual(packet);
    expect(theirs?.inbound.unprotectRtp(protectedPacket)).toEqual(packet);

    const back = rtp(7, 'from b');
    const protectedBack = theirs?.outbound.protectRtp(back) as Uint8Array;
    expect(ours?.inbound.unprotectRtp(protectedBack)).toEqual(back);
    // Keys differ by direction: a side cannot read its own packets.
    expect(() => ours?.inbound.unprotectRtp(ours.outbound.protectRtp(rtp(2, 'x')))).toThrow();
  });
});
