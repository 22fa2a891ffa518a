import { ClosedError, type SocketAddress } from '@typertc/common';
import { fuzzParser } from '@typertc/common/testing';
import { StunMessage, StunMethod, USERNAME } from '@typertc/stun';
import { describe, expect, it } from 'vitest';
import type { MuxSink, UdpMuxCounters } from '../src/mux/binding-table.js';
import { UdpMuxError, UfragInUseError } from '../src/mux/mux-errors.js';
import { UdpMuxRouter } from '../src/mux/udp-mux-router.js';

const KEY = new TextEncoder().encode('a-short-term-password');

/** A connectivity check as a peer sends it: USERNAME "ourUfrag:theirUfrag" (RFC 8445 §7.2.2). */
function bindingRequest(username: string, fingerprint = true): Uint8Array {
  return new StunMessage('request', StunMethod.Binding)
    .add(USERNAME, username)
    .encode({ integrity: KEY, fingerprint });
}

const DTLS_CLIENT_HELLO = Uint8Array.of(22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12, 1);
const SRTP_PACKET = Uint8Array.of(0x80, 111, 0, 1, 0, 0, 0, 160, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3);

class RecordingSink implements MuxSink {
  readonly received: { data: Uint8Array; from: SocketAddress }[] = [];

  receive(data: Uint8Array, from: SocketAddress): void {
    this.received.push({ data, from });
  }
}

function ipv4(port: number, address = '192.0.2.1'): SocketAddress {
  return { address, port, family: 'IPv4' };
}

function ipv6(address: string, port: number): SocketAddress {
  return { address, port, family: 'IPv6' };
}

function total(counters: UdpMuxCounters): number {
  return (
    counters.routed +
    counters.droppedUnknownAddress +
    counters.droppedUnknownUfrag +
    counters.droppedMalformed
  );
}

describe('UdpMuxRouter routing', () => {
  it('binds a remote address by the local ufrag of its Binding request, then routes by address', () => {
    const router = new UdpMuxRouter();
    const alice = new RecordingSink();
    const bob = new RecordingSink();
    router.register('aliceUfrag', alice);
    router.register('bobUfrag', bob);

    const toAlice = bindingRequest('aliceUfrag:peer1');
    const toBob = bindingRequest('bobUfrag:peer2');
    expect(router.route(toAlice, ipv4(5001), 0)).toBe(true);
    expect(router.route(toBob, ipv4(5002), 0)).toBe(true);
    // Non-STUN traffic (DTLS, SRTP) from a bound address follows the binding.
    expect(router.route(DTLS_CLIENT_HELLO, ipv4(5001), 1)).toBe(true);
    expect(router.route(SRTP_PACKET, ipv4(5002), 1)).toBe(true);

    expect(alice.received.map((r) => r.data)).toEqual([toAlice, DTLS_CLIENT_HELLO]);
    expect(alice.received.every((r) => r.from.port === 5001)).toBe(true);
    expect(bob.received.map((r) => r.data)).toEqual([toBob, SRTP_PACKET]);
    expect(router.bindingCount).toBe(2);
    expect(router.counters.routed).toBe(4);
  });

  it('reads the local ufrag before the colon, not after it', () => {
    const router = new UdpMuxRouter();
    const sink = new RecordingSink();
    router.register('ours', sink);
    expect(router.route(bindingRequest('theirs:ours'), ipv4(5001), 0)).toBe(false);
    expect(router.counters.droppedUnknownUfrag).toBe(1);
    expect(router.route(bindingRequest('ours:theirs:with:colons'), ipv4(5001), 0)).toBe(true);
    expect(sink.received).toHaveLength(1);
  });

  it('drops and counts everything but Binding requests from unknown addresses', () => {
    const router = new UdpMuxRouter();
    const sink = new RecordingSink();
    router.register('agent', sink);
    const request = StunMessage.decode(bindingRequest('agent:peer'));
    const inputs = [
      DTLS_CLIENT_HELLO,
      SRTP_PACKET,
      StunMessage.responseTo(request, 'success').encode({ fingerprint: true }),
      StunMessage.responseTo(request, 'error').encode({ fingerprint: true }),
      new StunMessage('indication', StunMethod.Binding).add(USERNAME, 'agent:peer').encode(),
      new StunMessage('request', StunMethod.Allocate).add(USERNAME, 'agent:peer').encode(),
      new Uint8Array(0),
      Uint8Array.of(0, 1, 0, 0),
      new TextEncoder().encode('garbage that is not any protocol at all'),
    ];
    inputs.forEach((data, i) => {
      expect(router.route(data, ipv4(6000 + i), 0)).toBe(false);
    });
    expect(router.counters.droppedUnknownAddress).toBe(inputs.length);
    expect(router.counters.routed).toBe(0);
    expect(router.bindingCount).toBe(0);
    expect(sink.received).toHaveLength(0);
  });

  it('drops a request naming an unknown ufrag without binding its address', () => {
    const router = new UdpMuxRouter();
    const sink = new RecordingSink();
    router.register('agent', sink);
    expect(router.route(bindingRequest('stranger:peer'), ipv4(5001), 0)).toBe(false);
    expect(router.route(SRTP_PACKET, ipv4(5001), 1)).toBe(false);
    expect(router.counters).toMatchObject({ droppedUnknownUfrag: 1, droppedUnknownAddress: 1 });
    expect(router.bindingCount).toBe(0);
    expect(sink.received).toHaveLength(0);
  });

  it('drops Binding requests it cannot route as malformed', () => {
    const router = new UdpMuxRouter();
    const sink = new RecordingSink();
    router.register('agent', sink);
    const badFingerprint = bindingRequest('agent:peer');
    badFingerprint[badFingerprint.length - 1] = (badFingerprint.at(-1) as number) ^ 0x01;
    const lengthPastEnd = bindingRequest('agent:peer');
    lengthPastEnd[3] = (lengthPastEnd[3] as number) + 4;
    const invalidUtf8 = new StunMessage('request', StunMethod.Binding)
      .addRaw(0x0006, Uint8Array.of(0x61, 0xff, 0x3a, 0x62))
      .encode();
    const inputs = [
      bindingRequest('agentpeer'), // no colon
      bindingRequest(':peer'), // nothing before the colon
      new StunMessage('request', StunMethod.Binding).encode({ fingerprint: true }), // no USERNAME
      badFingerprint,
      lengthPastEnd,
      bindingRequest('agent:peer').subarray(0, 40), // truncated mid-attribute
      invalidUtf8,
    ];
    inputs.forEach((data, i) => {
      expect(router.route(data, ipv4(7000 + i), 0)).toBe(false);
    });
    expect(router.counters.droppedMalformed).toBe(inputs.length);
    expect(router.bindingCount).toBe(0);
    expect(sink.received).toHaveLength(0);
  });

  it('routes a request without FINGERPRINT: requiring one is the agent’s call', () => {
    const router = new UdpMuxRouter();
    const sink = new RecordingSink();
    router.register('agent', sink);
    expect(router.route(bindingRequest('agent:peer', false), ipv4(5001), 0)).toBe(true);
    expect(sink.received).toHaveLength(1);
  });

  it('keeps a bound address on its agent even when a later request names another agent', () => {
    // Otherwise anyone spoofing a peer's address with some other agent's ufrag could divert it.
    const router = new UdpMuxRouter();
    const first = new RecordingSink();
    const second = new RecordingSink();
    router.register('first', first);
    router.register('second', second);
    router.route(bindingRequest('first:peer'), ipv4(5001), 0);
    const hijack = bindingRequest('second:attacker');
    expect(router.route(hijack, ipv4(5001), 1)).toBe(true);
    expect(first.received.map((r) => r.data)).toContain(hijack);
    expect(second.received).toHaveLength(0);
    expect(router.bindingCount).toBe(1);
  });

  it('treats spellings of one address as one binding, and ports as distinct', () => {
    const router = new UdpMuxRouter();
    const sink = new RecordingSink();
    router.register('agent', sink);
    // Bound through a dual-stack socket's IPv4-mapped form, reached as plain IPv4.
    router.route(bindingRequest('agent:peer'), ipv6('::ffff:198.51.100.7', 4000), 0);
    expect(router.route(SRTP_PACKET, ipv4(4000, '198.51.100.7'), 1)).toBe(true);
    expect(router.route(SRTP_PACKET, ipv6('::FFFF:c633:6407', 4000), 1)).toBe(true);
    expect(router.route(SRTP_PACKET, ipv4(4001, '198.51.100.7'), 1)).toBe(false);
    // IPv6 in a non-canonical spelling (RFC 5952 §4).
    router.route(bindingRequest('agent:peer'), ipv6('2001:DB8:0:0:0::1', 4000), 2);
    expect(router.route(SRTP_PACKET, ipv6('2001:db8::1', 4000), 3)).toBe(true);
    // Zones stay apart: fe80::1 on two interfaces are two hosts.
    router.route(bindingRequest('agent:peer'), ipv6('fe80::1%eth0', 4000), 4);
    expect(router.route(SRTP_PACKET, ipv6('fe80::1%eth0', 4000), 5)).toBe(true);
    expect(router.route(SRTP_PACKET, ipv6('fe80::1%eth1', 4000), 5)).toBe(false);
    // Nonsense addresses get a key of their own instead of an exception.
    expect(router.route(bindingRequest('agent:peer'), ipv6('not:an:address:', 1), 6)).toBe(true);
    expect(router.route(SRTP_PACKET, ipv6('NOT:an:address:', 1), 6)).toBe(true);
    expect(router.bindingCount).toBe(4);
  });

  it('fuzz: route never throws on mutated requests, and its counters add up', () => {
    const router = new UdpMuxRouter({ maxBindingsPerSink: 8 });
    const sink = new RecordingSink();
    router.register('agent', sink);
    let source = 0;
    class NotThrownByRoute extends Error {}
    const stats = fuzzParser({
      seeds: [
        bindingRequest('agent:peer'),
        bindingRequest('agent:peer', false),
        bindingRequest('other:peer', false),
        new StunMessage('request', StunMethod.Binding)
          .add(USERNAME, 'agent:peer')
          .encode({ integritySha256: KEY }),
      ],
      // A new source each time, so every input is judged as from an unknown address.
      parse: (bytes) => {
        source++;
        return router.route(bytes, ipv4(1024 + (source % 60000), `10.0.${source >> 16}.1`), source);
      },
      expectedError: NotThrownByRoute,
    });
    expect(stats.rejected).toBe(0);
    expect(total(router.counters)).toBe(stats.iterations);
    expect(sink.received).toHaveLength(router.counters.routed);
    expect(router.counters.routed).toBeGreaterThan(0);
    expect(router.counters.droppedMalformed).toBeGreaterThan(0);
    expect(router.counters.droppedUnknownUfrag).toBeGreaterThan(0);
    expect(router.counters.droppedUnknownAddress).toBeGreaterThan(0);
    expect(router.bindingCount).toBeLessThanOrEqual(8);
  });
});

describe('UdpMuxRouter registrations', () => {
  it('routes several ufrags to one sink across an ICE restart', () => {
    const router = new UdpMuxRouter();
    const sink = new RecordingSink();
    const registration = router.register('before', sink);
    router.route(bindingRequest('before:peer'), ipv4(5001), 0);

    registration.addUfrag('after');
    expect(registration.ufrags).toEqual(['before', 'after']);
    expect(router.route(bindingRequest('after:peer'), ipv4(5002), 1)).toBe(true);
    expect(router.route(bindingRequest('before:peer'), ipv4(5003), 1)).toBe(true);

    // Dropping the old ufrag stops new addresses reaching the agent by it; bound ones stay.
    expect(registration.removeUfrag('before')).toBe(true);
    expect(registration.removeUfrag('before')).toBe(false);
    expect(registration.ufrags).toEqual(['after']);
    expect(router.route(bindingRequest('before:peer'), ipv4(5004), 2)).toBe(false);
    expect(router.counters.droppedUnknownUfrag).toBe(1);
    expect(router.route(SRTP_PACKET, ipv4(5001), 2)).toBe(true);
    expect(registration.bindingCount).toBe(3);
    expect(sink.received).toHaveLength(4);
  });

  it('unregister removes every ufrag and binding of that sink only', () => {
    const router = new UdpMuxRouter();
    const leaving = new RecordingSink();
    const staying = new RecordingSink();
    const registration = router.register('leaving', leaving);
    registration.addUfrag('leaving2');
    router.register('staying', staying);
    router.route(bindingRequest('leaving:peer'), ipv4(5001), 0);
    router.route(bindingRequest('leaving2:peer'), ipv4(5002), 0);
    router.route(bindingRequest('staying:peer'), ipv4(5003), 0);
    expect(router.bindingCount).toBe(3);

    registration.unregister();
    expect(registration.registered).toBe(false);
    expect(registration.ufrags).toEqual([]);
    expect(registration.bindingCount).toBe(0);
    expect(router.bindingCount).toBe(1);
    expect(router.route(SRTP_PACKET, ipv4(5001), 1)).toBe(false);
    expect(router.route(SRTP_PACKET, ipv4(5002), 1)).toBe(false);
    expect(router.route(bindingRequest('leaving:peer'), ipv4(5001), 1)).toBe(false);
    expect(router.route(SRTP_PACKET, ipv4(5003), 1)).toBe(true);
    expect(leaving.received).toHaveLength(2);
    expect(staying.received).toHaveLength(2);

    registration.unregister();
    expect(() => registration.addUfrag('again')).toThrow(ClosedError);
    // The ufrag is free for another agent.
    const next = new RecordingSink();
    router.register('leaving', next);
    expect(router.route(bindingRequest('leaving:peer'), ipv4(5001), 2)).toBe(true);
    expect(next.received).toHaveLength(1);
  });

  it('refuses a ufrag another sink has, and ufrags that cannot be routed', () => {
    const router = new UdpMuxRouter();
    const first = router.register('taken', new RecordingSink());
    const second = router.register('free', new RecordingSink());
    expect(() => router.register('taken', new RecordingSink())).toThrow(UfragInUseError);
    expect(() => second.addUfrag('taken')).toThrow(UfragInUseError);
    expect(second.ufrags).toEqual(['free']);
    first.addUfrag('taken'); // its own: nothing changes
    expect(first.ufrags).toEqual(['taken']);
    for (const ufrag of ['', 'a:b', ':']) {
      expect(() => router.register(ufrag, new RecordingSink())).toThrow(
        expect.objectContaining({ code: 'INVALID_UFRAG' }),
      );
    }
  });

  it('refuses limits that are not positive', () => {
    for (const options of [
      { maxBindingsPerSink: 0 },
      { maxBindings: -1 },
      { maxBindings: 1.5 },
      { idleTimeoutMs: 0 },
      { idleTimeoutMs: Number.NaN },
    ]) {
      expect(() => new UdpMuxRouter(options)).toThrow(UdpMuxError);
    }
  });
});

describe('UdpMuxRouter bounds', () => {
  it('evicts the least recently used binding of a full sink', () => {
    const router = new UdpMuxRouter({ maxBindingsPerSink: 3 });
    const sink = new RecordingSink();
    const other = new RecordingSink();
    router.register('agent', sink);
    router.register('other', other);
    router.route(bindingRequest('other:peer'), ipv4(9000), 0);
    for (const port of [5001, 5002, 5003]) router.route(bindingRequest('agent:p'), ipv4(port), 0);
    router.route(SRTP_PACKET, ipv4(5001), 1); // 5002 is now the least recently used

    router.route(bindingRequest('agent:p'), ipv4(5004), 2);
    expect(router.counters.evicted).toBe(1);
    expect(router.route(SRTP_PACKET, ipv4(5002), 3)).toBe(false);
    for (const port of [5001, 5003, 5004])
      expect(router.route(SRTP_PACKET, ipv4(port), 3)).toBe(true);
    // The other sink's binding is not this sink's to evict.
    expect(router.route(SRTP_PACKET, ipv4(9000), 3)).toBe(true);
    expect(router.bindingCount).toBe(4);
  });

  it('evicts the least recently used binding of all when the table is full', () => {
    const router = new UdpMuxRouter({ maxBindings: 3 });
    const a = new RecordingSink();
    const b = new RecordingSink();
    router.register('a', a);
    router.register('b', b);
    router.route(bindingRequest('a:p'), ipv4(5001), 0);
    router.route(bindingRequest('b:p'), ipv4(5002), 1);
    router.route(bindingRequest('a:p'), ipv4(5003), 2);
    router.route(SRTP_PACKET, ipv4(5001), 3); // 5002 (sink b) is the oldest now

    router.route(bindingRequest('a:p'), ipv4(5004), 4);
    expect(router.bindingCount).toBe(3);
    expect(router.counters.evicted).toBe(1);
    expect(router.route(SRTP_PACKET, ipv4(5002), 5)).toBe(false);
    expect(b.received).toHaveLength(1);
  });

  it('expires bindings idle for the timeout, driven by pollTimeout/handleTimeout', () => {
    const router = new UdpMuxRouter(); // 30 s, RFC 7675
    const sink = new RecordingSink();
    router.register('agent', sink);
    expect(router.pollTimeout()).toBeUndefined();
    router.route(bindingRequest('agent:p'), ipv4(5001), 0);
    router.route(bindingRequest('agent:p'), ipv4(5002), 10_000);
    expect(router.pollTimeout()).toBe(30_000);
    router.route(SRTP_PACKET, ipv4(5001), 20_000);
    expect(router.pollTimeout()).toBe(40_000);

    router.handleTimeout(39_999);
    expect(router.bindingCount).toBe(2);
    router.handleTimeout(40_000);
    expect(router.bindingCount).toBe(1);
    expect(router.counters.expired).toBe(1);
    expect(router.pollTimeout()).toBe(50_000);
    expect(router.route(SRTP_PACKET, ipv4(5002), 40_001)).toBe(false);

    router.handleTimeout(60_000);
    expect(router.counters.expired).toBe(2);
    expect(router.bindingCount).toBe(0);
    expect(router.pollTimeout()).toBeUndefined();
  });

  it('honours a configured idle timeout', () => {
    const router = new UdpMuxRouter({ idleTimeoutMs: 500 });
    router.register('agent', new RecordingSink());
    router.route(bindingRequest('agent:p'), ipv4(5001), 100);
    expect(router.pollTimeout()).toBe(600);
    router.handleTimeout(600);
    expect(router.bindingCount).toBe(0);
  });

  it('10,000 spoofed sources naming a registered ufrag stay within the caps', () => {
    const router = new UdpMuxRouter();
    const victim = new RecordingSink();
    const bystander = new RecordingSink();
    router.register('victim', victim);
    router.register('bystander', bystander);
    router.route(bindingRequest('bystander:peer'), ipv4(4000, '203.0.113.9'), 0);

    const forged = bindingRequest('victim:forger');
    for (let i = 0; i < 10_000; i++) {
      router.route(forged, ipv4(1024 + (i % 50_000), `198.18.${(i >> 8) & 0xff}.${i & 0xff}`), i);
    }
    expect(router.bindingCount).toBe(64 + 1);
    expect(router.counters.evicted).toBe(10_000 - 64);
    // Another agent's peer is untouched.
    expect(router.route(SRTP_PACKET, ipv4(4000, '203.0.113.9'), 10_000)).toBe(true);
    expect(bystander.received).toHaveLength(2);
  });

  it('spoofed sources spread over many ufrags stay within the overall cap', () => {
    const router = new UdpMuxRouter({ maxBindings: 1000 });
    for (let n = 0; n < 100; n++) router.register(`agent${n}`, new RecordingSink());
    const requests = Array.from({ length: 100 }, (_, n) => bindingRequest(`agent${n}:forger`));
    for (let i = 0; i < 10_000; i++) {
      const address = `198.18.${(i >> 8) & 0xff}.${i & 0xff}`;
      router.route(requests[i % 100] as Uint8Array, ipv4(2000, address), i);
      expect(router.bindingCount).toBeLessThanOrEqual(1000);
    }
    expect(router.bindingCount).toBe(1000);
    expect(router.counters.evicted).toBe(9000);
  });
});
