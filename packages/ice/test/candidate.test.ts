import { InvalidAddressError } from '@typertc/common';
import { fuzzIterations, fuzzParser } from '@typertc/common/testing';
import { parseCandidate, SdpParseError } from '@typertc/sdp';
import { describe, expect, it } from 'vitest';
import {
  candidateFoundation,
  candidatePriority,
  createLocalCandidate,
  formatLocalCandidate,
  type IceCandidate,
  localPreferences,
  parseRemoteCandidate,
  resolveCandidate,
} from '../src/candidate.js';
import { IceCandidateError, IceError } from '../src/errors.js';

const CHROME_HOST =
  'candidate:1467250027 1 udp 2122260223 192.168.0.196 46243 typ host generation 0 ufrag Rt9X network-id 1 network-cost 10';
const CHROME_TCP =
  'candidate:4233069003 1 tcp 1518280447 192.168.0.196 9 typ host tcptype active generation 0 network-id 1';
const FIREFOX_RELAY =
  'candidate:3 1 UDP 92217087 203.0.113.7 61573 typ relay raddr 203.0.113.7 rport 61573';
const RFC_SRFLX =
  'a=candidate:2 1 UDP 1694498815 192.0.2.3 45664 typ srflx raddr 203.0.113.141 rport 8998';
const MDNS =
  'candidate:1 1 udp 2113937151 4F2E9B1C-3ac3-4a1b-9bd0-1e4b6d7d6f8a.local 58041 typ host generation 0 ufrag abc';
const IPV6 = 'candidate:5 1 udp 2122197247 2001:DB8:0:0::0:1 50123 typ host';

/** The resolved candidate of a string that must parse to one. */
function resolved(text: string): IceCandidate {
  const parsed = parseRemoteCandidate(text);
  if (parsed.kind !== 'resolved') throw new Error(`expected an address in ${text}`);
  return parsed.candidate;
}

describe('candidatePriority (RFC 8445 §5.1.2)', () => {
  it('weights type, local preference and component as §5.1.2.1 says', () => {
    expect(candidatePriority('host')).toBe(2130706431);
    // RFC 8839 §5.1's example srflx priority is this one.
    expect(candidatePriority('srflx', 65535, 1)).toBe(1694498815);
    expect(candidatePriority('prflx', 65535, 1)).toBe(1862270975);
    expect(candidatePriority('relay', 65535, 1)).toBe(16777215);
    expect(candidatePriority('host', 65535, 2)).toBe(2130706430);
    expect(candidatePriority('relay', 0, 256)).toBe(0);
    // Chrome's host candidate above: type 126, local preference 32542, component 1.
    expect(candidatePriority('host', 32542, 1)).toBe(2122260223);
  });

  it('keeps every type above the next whatever the local preference', () => {
    expect(candidatePriority('host', 0, 256)).toBeGreaterThan(candidatePriority('prflx'));
    expect(candidatePriority('prflx', 0, 256)).toBeGreaterThan(candidatePriority('srflx'));
    expect(candidatePriority('srflx', 0, 256)).toBeGreaterThan(candidatePriority('relay'));
  });

  it('refuses a local preference or component out of range', () => {
    expect(() => candidatePriority('host', 65536)).toThrow(IceError);
    expect(() => candidatePriority('host', -1)).toThrow(IceError);
    expect(() => candidatePriority('host', 1.5)).toThrow(IceError);
    expect(() => candidatePriority('host', 65535, 0)).toThrow(IceError);
    expect(() => candidatePriority('host', 65535, 257)).toThrow(IceError);
  });
});

describe('localPreferences (RFC 8445 §5.1.2.1, RFC 8421 §4)', () => {
  it('gives a single address 65535 and nothing to no address', () => {
    expect(localPreferences([{ family: 'IPv4' }])).toEqual([65535]);
    expect(localPreferences([])).toEqual([]);
  });

  it('interleaves the families, IPv6 first, keeping each family in the given order', () => {
    const families = [
      { family: 'IPv4' },
      { family: 'IPv4' },
      { family: 'IPv6' },
      { family: 'IPv6' },
      { family: 'IPv6' },
    ] as const;
    // Ranks: IPv6 #1, IPv4 #1, IPv6 #2, IPv4 #2, IPv6 #3.
    expect(localPreferences(families)).toEqual([65534, 65532, 65535, 65533, 65531]);
  });

  it('counts down within one family', () => {
    expect(localPreferences([{ family: 'IPv4' }, { family: 'IPv4' }])).toEqual([65535, 65534]);
  });
});

describe('candidateFoundation (RFC 8445 §5.1.1.3)', () => {
  const srflx = candidateFoundation('srflx', '10.0.0.2', '198.51.100.1', 'udp');

  it('is a short ice-char string, stable for the same inputs', () => {
    expect(srflx).toMatch(/^[A-Za-z0-9+/]{1,32}$/);
    expect(candidateFoundation('srflx', '10.0.0.2', '198.51.100.1', 'udp')).toBe(srflx);
  });

  it('differs when type, base IP, server IP or transport differs', () => {
    const others = [
      candidateFoundation('prflx', '10.0.0.2', '198.51.100.1', 'udp'),
      candidateFoundation('srflx', '10.0.0.3', '198.51.100.1', 'udp'),
      candidateFoundation('srflx', '10.0.0.2', '198.51.100.2', 'udp'),
      candidateFoundation('srflx', '10.0.0.2', '198.51.100.1', 'tcp'),
    ];
    expect(new Set([srflx, ...others]).size).toBe(5);
  });

  it('ignores the spelling of an address and a server given for a host candidate', () => {
    expect(candidateFoundation('host', '2001:DB8::1', undefined, 'udp')).toBe(
      candidateFoundation('host', '2001:db8:0:0::1', '192.0.2.1', 'udp'),
    );
  });

  it('throws on an address that is not an IP address', () => {
    expect(() => candidateFoundation('host', 'example.com', undefined, 'udp')).toThrow(
      InvalidAddressError,
    );
  });
});

describe('createLocalCandidate', () => {
  it('makes a host candidate its own base', () => {
    const host = createLocalCandidate({ type: 'host', address: '10.0.0.2', port: 5000 });
    expect(host).toEqual({
      foundation: candidateFoundation('host', '10.0.0.2', undefined, 'udp'),
      component: 1,
      transport: 'udp',
      priority: 2130706431,
      address: '10.0.0.2',
      port: 5000,
      family: 'IPv4',
      type: 'host',
      base: { address: '10.0.0.2', port: 5000, family: 'IPv4' },
    });
  });

  it('gives a server-reflexive candidate its host base, which is also its related address', () => {
    const base = { address: '10.0.0.2', port: 5000, family: 'IPv4' } as const;
    const srflx = createLocalCandidate({
      type: 'srflx',
      address: '203.0.113.2',
      port: 6000,
      base,
      serverAddress: '198.51.100.1',
      localPreference: 65534,
    });
    expect(srflx.base).toBe(base);
    expect(srflx.foundation).toBe(candidateFoundation('srflx', '10.0.0.2', '198.51.100.1', 'udp'));
    expect(srflx.priority).toBe(candidatePriority('srflx', 65534, 1));
    expect([srflx.relatedAddress, srflx.relatedPort]).toEqual(['10.0.0.2', 5000]);
  });

  it('makes a relayed candidate its own base', () => {
    const relay = createLocalCandidate({
      type: 'relay',
      address: '2001:db8::7',
      port: 7000,
      component: 2,
      serverAddress: '2001:db8::100',
      relatedAddress: '2001:db8::9',
      relatedPort: 7001,
    });
    expect(relay.base).toEqual({ address: '2001:db8::7', port: 7000, family: 'IPv6' });
    expect(relay.priority).toBe(candidatePriority('relay', 65535, 2));
    expect(relay.relatedAddress).toBe('2001:db8::9');
  });

  it('refuses inconsistent input', () => {
    expect(() => createLocalCandidate({ type: 'srflx', address: '203.0.113.2', port: 1 })).toThrow(
      IceError,
    );
    const base = { address: '10.0.0.2', port: 5000, family: 'IPv4' } as const;
    expect(() =>
      createLocalCandidate({ type: 'host', address: '10.0.0.2', port: 1, base }),
    ).toThrow(IceError);
    expect(() =>
      createLocalCandidate({ type: 'host', address: '10.0.0.2', port: 9, transport: 'tcp' }),
    ).toThrow(IceError);
    expect(() => createLocalCandidate({ type: 'host', address: '10.0.0.2', port: 70000 })).toThrow(
      IceError,
    );
    expect(() => createLocalCandidate({ type: 'host', address: 'my-host', port: 1 })).toThrow(
      InvalidAddressError,
    );
  });
});

describe('parseRemoteCandidate', () => {
  it("reads Chrome's host candidate", () => {
    expect(resolved(CHROME_HOST)).toEqual({
      foundation: '1467250027',
      component: 1,
      transport: 'udp',
      priority: 2122260223,
      address: '192.168.0.196',
      port: 46243,
      family: 'IPv4',
      type: 'host',
      ufrag: 'Rt9X',
    });
  });

  it('reads related addresses, TCP types, and the transport in any case', () => {
    expect(resolved(RFC_SRFLX)).toMatchObject({
      type: 'srflx',
      transport: 'udp',
      relatedAddress: '203.0.113.141',
      relatedPort: 8998,
    });
    expect(resolved(FIREFOX_RELAY)).toMatchObject({ type: 'relay', transport: 'udp' });
    expect(resolved(CHROME_TCP)).toMatchObject({ transport: 'tcp', tcpType: 'active', port: 9 });
  });

  it('canonicalizes IPv6 addresses', () => {
    expect(resolved(IPV6)).toMatchObject({ address: '2001:db8::1', family: 'IPv6' });
  });

  it('returns a host name as needing resolution, and resolves it to an address', () => {
    const parsed = parseRemoteCandidate(MDNS);
    expect(parsed.kind).toBe('needs-resolution');
    if (parsed.kind !== 'needs-resolution') return;
    const { unresolved } = parsed;
    expect(unresolved).toMatchObject({
      hostname: '4f2e9b1c-3ac3-4a1b-9bd0-1e4b6d7d6f8a.local',
      mdns: true,
      port: 58041,
      type: 'host',
    });
    expect(resolveCandidate(unresolved, '192.168.1.20')).toEqual({
      foundation: '1',
      component: 1,
      transport: 'udp',
      priority: 2113937151,
      address: '192.168.1.20',
      port: 58041,
      family: 'IPv4',
      type: 'host',
      ufrag: 'abc',
    });
    expect(resolveCandidate(unresolved, 'FE80::1')).toMatchObject({
      address: 'fe80::1',
      family: 'IPv6',
    });
    expect(() => resolveCandidate(unresolved, 'elsewhere.local')).toThrow(IceCandidateError);
    expect(() => resolveCandidate(unresolved, '0.0.0.0')).toThrow(IceCandidateError);
  });

  it('tells an FQDN from an mDNS name', () => {
    const parsed = parseRemoteCandidate('candidate:1 1 udp 1 turn.example.com 3478 typ relay');
    expect(parsed).toMatchObject({
      kind: 'needs-resolution',
      unresolved: { hostname: 'turn.example.com', mdns: false },
    });
  });

  it('makes the caller handle the host-name case before reading a candidate', () => {
    const parsed = parseRemoteCandidate(CHROME_HOST);
    // @ts-expect-error `candidate` exists only once `kind` is known to be 'resolved'.
    expect(parsed.candidate.address).toBe('192.168.0.196');
  });

  it('wraps a grammar error, with the SdpParseError as cause', () => {
    let error: unknown;
    try {
      parseRemoteCandidate('candidate:1 1 udp');
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(IceCandidateError);
    expect((error as IceCandidateError).cause).toBeInstanceOf(SdpParseError);
    expect((error as IceCandidateError).candidate).toBe('candidate:1 1 udp');
    expect((error as IceCandidateError).code).toBe('ICE_CANDIDATE');
  });

  it.each([
    ['an unknown transport', 'candidate:1 1 sctp 1 192.0.2.1 5000 typ host'],
    ['an unknown type', 'candidate:1 1 udp 1 192.0.2.1 5000 typ nat64'],
    ['TCP without tcptype', 'candidate:1 1 tcp 1 192.0.2.1 9 typ host'],
    ['UDP with tcptype', 'candidate:1 1 udp 1 192.0.2.1 5000 typ host tcptype so'],
    ['UDP port 0', 'candidate:1 1 udp 1 192.0.2.1 0 typ host'],
    ['the unspecified IPv4 address', 'candidate:1 1 udp 1 0.0.0.0 5000 typ host'],
    ['the unspecified IPv6 address', 'candidate:1 1 udp 1 0:0::0 5000 typ host'],
    ['a broken IPv4 address', 'candidate:1 1 udp 1 192.0.2.999 5000 typ host'],
    ['a broken IPv6 address', 'candidate:1 1 udp 1 2001:db8:::1 5000 typ host'],
    ['a name that is no host name', 'candidate:1 1 udp 1 host_1.local 5000 typ host'],
  ])('rejects %s', (_, text) => {
    expect(() => parseRemoteCandidate(text)).toThrow(IceCandidateError);
  });

  it('rejects a component the data stream does not have', () => {
    const rtcp = 'candidate:1 2 udp 1 192.0.2.1 5001 typ host';
    expect(() => parseRemoteCandidate(rtcp, { componentCount: 1 })).toThrow(IceCandidateError);
    expect(resolved(rtcp).component).toBe(2);
  });

  it('fuzz: mutated candidates raise only IceCandidateError', () => {
    const encoder = new TextEncoder();
    const decoder = new TextDecoder();
    const stats = fuzzParser({
      seeds: [CHROME_HOST, CHROME_TCP, FIREFOX_RELAY, RFC_SRFLX, MDNS, IPV6].map((text) =>
        encoder.encode(text),
      ),
      parse: (bytes) => {
        const parsed = parseRemoteCandidate(decoder.decode(bytes));
        // Whatever parses formats to a string that parses to the same candidate.
        if (parsed.kind === 'resolved') {
          const again = resolved(formatLocalCandidate(parsed.candidate));
          expect(again).toEqual(parsed.candidate);
        }
      },
      expectedError: IceCandidateError,
      iterations: fuzzIterations(5_000, 200_000),
      seed: 7,
    });
    expect(stats.accepted).toBeGreaterThan(0);
    expect(stats.rejected).toBeGreaterThan(0);
  });
});

describe('formatLocalCandidate', () => {
  it('writes the W3C candidate string', () => {
    const base = { address: '10.0.0.2', port: 5000, family: 'IPv4' } as const;
    const srflx = createLocalCandidate({
      type: 'srflx',
      address: '203.0.113.2',
      port: 6000,
      base,
      serverAddress: '198.51.100.1',
      ufrag: 'x9Yz',
    });
    expect(formatLocalCandidate(srflx)).toBe(
      `candidate:${srflx.foundation} 1 udp 1694498815 203.0.113.2 6000 typ srflx raddr 10.0.0.2 rport 5000 ufrag x9Yz`,
    );
  });

  it('round-trips through parseRemoteCandidate, for UDP and TCP', () => {
    const tcp = createLocalCandidate({
      type: 'host',
      address: '2001:db8::2',
      port: 9,
      transport: 'tcp',
      tcpType: 'active',
      component: 2,
      localPreference: 40000,
    });
    const { base: _base, ...advertised } = tcp;
    expect(resolved(formatLocalCandidate(tcp))).toEqual(advertised);
    expect(parseCandidate(formatLocalCandidate(tcp)).tcpType).toBe('active');
  });
});
