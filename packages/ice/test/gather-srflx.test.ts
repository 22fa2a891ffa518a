import type { SocketAddress } from '@typertc/common';
import {
  ERROR_CODE,
  StunErrorResponse,
  StunMessage,
  StunMethod,
  StunTimeoutError,
  XOR_MAPPED_ADDRESS,
} from '@typertc/stun';
import { describe, expect, it } from 'vitest';
import { candidateFoundation, candidatePriority } from '../src/candidate.js';
import {
  SrflxGatherer,
  type SrflxGatheringEvent,
  SrflxResponseError,
} from '../src/gather/srflx-gatherer.js';

const BASE: SocketAddress = { address: '192.168.1.10', port: 50000, family: 'IPv4' };
const NAT_MAPPING: SocketAddress = { address: '203.0.113.9', port: 61000, family: 'IPv4' };

function server(n: number): SocketAddress {
  return { address: `198.51.100.${n}`, port: 3478, family: 'IPv4' };
}

/** How a fake server answers a Binding request: with a mapping, an error, or not at all. */
type Behaviour = SocketAddress | 'silent' | 'error-400' | 'no-mapping';

interface Sent {
  readonly to: SocketAddress;
  readonly request: StunMessage;
  readonly at: number;
}

/**
 * Drives a gatherer against fake STUN servers: answers each transmission per the server's
 * behaviour, fires timeouts on a virtual clock, and records everything until `done`.
 */
function run(
  gatherer: SrflxGatherer,
  behaviours: ReadonlyMap<string, Behaviour>,
): { events: SrflxGatheringEvent[]; sent: Sent[]; finishedAt: number } {
  const events: SrflxGatheringEvent[] = [];
  const sent: Sent[] = [];
  let now = 1_000;
  gatherer.start(now);
  for (let step = 0; step < 1_000; step++) {
    for (let out = gatherer.pollTransmit(); out; out = gatherer.pollTransmit()) {
      const request = StunMessage.decode(out.data);
      sent.push({ to: out.to, request, at: now });
      const response = answer(request, behaviours.get(out.to.address) ?? 'silent');
      if (response !== undefined) {
        expect(gatherer.handleDatagram(response, out.to, now)).toBe(true);
      }
    }
    for (let event = gatherer.pollEvent(); event; event = gatherer.pollEvent()) {
      events.push(event);
      if (event.type === 'done') {
        expect(gatherer.pollTimeout()).toBeUndefined();
        return { events, sent, finishedAt: now };
      }
    }
    const at = gatherer.pollTimeout();
    if (at === undefined) throw new Error('no timeout and not done');
    now = Math.max(now, at);
    gatherer.handleTimeout(now);
  }
  throw new Error('gatherer did not finish');
}

function answer(request: StunMessage, behaviour: Behaviour): Uint8Array | undefined {
  if (behaviour === 'silent') return undefined;
  if (behaviour === 'error-400') {
    return StunMessage.responseTo(request, 'error')
      .add(ERROR_CODE, { code: 400, reason: 'Bad Request' })
      .encode({ fingerprint: true });
  }
  const response = StunMessage.responseTo(request, 'success');
  if (behaviour !== 'no-mapping') response.add(XOR_MAPPED_ADDRESS, behaviour);
  return response.encode({ fingerprint: true });
}

const candidates = (events: SrflxGatheringEvent[]) =>
  events.flatMap((e) => (e.type === 'candidate' ? [e] : []));
const failures = (events: SrflxGatheringEvent[]) =>
  events.flatMap((e) => (e.type === 'server-failed' ? [e] : []));

describe('SrflxGatherer (RFC 8445 §5.1.1.2)', () => {
  it('asks every server and makes a srflx candidate based on the host socket', () => {
    const mappingB: SocketAddress = { address: '203.0.113.77', port: 4000, family: 'IPv4' };
    const gatherer = new SrflxGatherer({
      base: BASE,
      servers: [server(1), server(2)],
      localPreference: 65000,
    });
    const { events, sent } = run(
      gatherer,
      new Map<string, Behaviour>([
        [server(1).address, NAT_MAPPING],
        [server(2).address, mappingB],
      ]),
    );
    expect(sent.map((s) => s.to)).toEqual([server(1), server(2)]);
    for (const { request } of sent) {
      expect(request.messageClass).toBe('request');
      expect(request.method).toBe(StunMethod.Binding);
      expect(request.fingerprint).toBe('valid');
    }
    // RFC 8445 §5.1.1.2: new transactions are paced by Ta (50 ms).
    expect((sent[1] as Sent).at - (sent[0] as Sent).at).toBe(50);

    const found = candidates(events);
    expect(found.map((e) => e.server)).toEqual([server(1), server(2)]);
    const first = (found[0] as (typeof found)[number]).candidate;
    expect(first).toMatchObject({
      type: 'srflx',
      address: NAT_MAPPING.address,
      port: NAT_MAPPING.port,
      base: BASE,
      relatedAddress: BASE.address,
      relatedPort: BASE.port,
      priority: candidatePriority('srflx', 65000, 1),
      foundation: candidateFoundation('srflx', BASE.address, server(1).address, 'udp'),
    });
    // Different servers give different foundations (RFC 8445 §5.1.1.3).
    expect(found[1]?.candidate.foundation).not.toBe(first.foundation);
    expect(events.at(-1)).toEqual({ type: 'done' });
    expect(gatherer.done).toBe(true);
  });

  it('drops a mapping already found through another server, or equal to the base (RFC 8445 §5.1.3)', () => {
    const gatherer = new SrflxGatherer({ base: BASE, servers: [server(1), server(2), server(3)] });
    const { events } = run(
      gatherer,
      new Map<string, Behaviour>([
        [server(1).address, NAT_MAPPING],
        [server(2).address, NAT_MAPPING],
        [server(3).address, BASE],
      ]),
    );
    const found = candidates(events);
    expect(found).toHaveLength(1);
    expect(found[0]?.server).toEqual(server(1));
    expect(failures(events)).toEqual([]);
    expect(events.at(-1)).toEqual({ type: 'done' });
  });

  it('reports a silent server as failed after its retransmissions, and still finishes', () => {
    const gatherer = new SrflxGatherer({
      base: BASE,
      servers: [server(1), server(2)],
      transaction: { maxTransmissions: 3, lastWaitFactor: 2 },
    });
    const { events, sent, finishedAt } = run(
      gatherer,
      new Map<string, Behaviour>([[server(1).address, NAT_MAPPING]]),
    );
    expect(candidates(events)).toHaveLength(1);
    const toSilent = sent.filter((s) => s.to.address === server(2).address);
    // RFC 8489 §6.2.1: 0, RTO, 3·RTO after its start; failed Rm·RTO after the last.
    expect(toSilent.map((s) => s.at - 1_050)).toEqual([0, 500, 1_500]);
    const failed = failures(events);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.server).toEqual(server(2));
    expect(failed[0]?.error).toBeInstanceOf(StunTimeoutError);
    expect(finishedAt).toBe(1_050 + 1_500 + 1_000);
  });

  it('reports error responses and successes without a mapping as failures', () => {
    const gatherer = new SrflxGatherer({ base: BASE, servers: [server(1), server(2)] });
    const { events } = run(
      gatherer,
      new Map<string, Behaviour>([
        [server(1).address, 'error-400'],
        [server(2).address, 'no-mapping'],
      ]),
    );
    const failed = failures(events);
    expect(failed[0]?.error).toBeInstanceOf(StunErrorResponse);
    expect(failed[0]?.error).toMatchObject({ errorCode: 400 });
    expect(failed[1]?.error).toBeInstanceOf(SrflxResponseError);
    expect(candidates(events)).toEqual([]);
  });

  it('skips servers of the other family and asks a repeated server once', () => {
    const v6: SocketAddress = { address: '2001:db8::1', port: 3478, family: 'IPv6' };
    const gatherer = new SrflxGatherer({ base: BASE, servers: [v6, server(1), server(1)] });
    const { sent } = run(gatherer, new Map<string, Behaviour>([[server(1).address, NAT_MAPPING]]));
    expect(sent.map((s) => s.to)).toEqual([server(1)]);
  });

  it('finishes at once without servers', () => {
    const gatherer = new SrflxGatherer({ base: BASE, servers: [] });
    gatherer.start(0);
    expect(gatherer.pollEvent()).toEqual({ type: 'done' });
    expect(gatherer.pollTransmit()).toBeUndefined();
  });

  it('consumes only responses to its own transactions', () => {
    const gatherer = new SrflxGatherer({ base: BASE, servers: [server(1)] });
    gatherer.start(0);
    const request = StunMessage.decode((gatherer.pollTransmit() as { data: Uint8Array }).data);
    const foreignRequest = new StunMessage('request', StunMethod.Binding).encode();
    const foreignResponse = StunMessage.responseTo(
      new StunMessage('request', StunMethod.Binding),
      'success',
    )
      .add(XOR_MAPPED_ADDRESS, NAT_MAPPING)
      .encode();
    expect(gatherer.handleDatagram(foreignRequest, server(1), 1)).toBe(false);
    expect(gatherer.handleDatagram(foreignResponse, server(1), 1)).toBe(false);
    expect(gatherer.handleDatagram(new Uint8Array([0x80, 0, 1, 2]), server(1), 1)).toBe(false);
    expect(gatherer.pollEvent()).toBeUndefined();

    const ours = answer(request, NAT_MAPPING) as Uint8Array;
    expect(gatherer.handleDatagram(ours, server(1), 2)).toBe(true);
    expect(gatherer.pollEvent()?.type).toBe('candidate');
    expect(gatherer.pollEvent()).toEqual({ type: 'done' });
    // A duplicate answer to a retransmission is still ours, and changes nothing.
    expect(gatherer.handleDatagram(ours, server(1), 3)).toBe(true);
    expect(gatherer.pollEvent()).toBeUndefined();
  });

  it('stops sending and reporting after close', () => {
    const gatherer = new SrflxGatherer({ base: BASE, servers: [server(1), server(2)] });
    gatherer.start(0);
    gatherer.close();
    expect(gatherer.pollTransmit()).toBeUndefined();
    expect(gatherer.pollTimeout()).toBeUndefined();
    gatherer.handleTimeout(10_000);
    expect(gatherer.pollTransmit()).toBeUndefined();
    expect(gatherer.pollEvent()).toBeUndefined();
  });
});
