import { isDeepStrictEqual } from 'node:util';
import { fuzzIterations, fuzzParser } from '@typertc/common/testing';
import { describe, expect, it } from 'vitest';
import {
  type Candidate,
  formatCandidate,
  formatCandidateString,
  parseCandidate,
} from '../src/candidate.js';
import { SdpParseError } from '../src/errors.js';

const CHROME_HOST =
  'candidate:1467250027 1 udp 2122260223 192.168.0.196 46243 typ host generation 0 ufrag Rt9X network-id 1 network-cost 10';
const CHROME_TCP =
  'candidate:4233069003 1 tcp 1518280447 192.168.0.196 9 typ host tcptype active generation 0 network-id 1';
const CHROME_SRFLX =
  'candidate:842163049 1 udp 1677729535 198.51.100.4 61734 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag Rt9X network-id 1 network-cost 10';
const FIREFOX_HOST = 'candidate:0 1 UDP 2122252543 192.168.1.5 56038 typ host';
const FIREFOX_RELAY =
  'candidate:3 1 UDP 92217087 203.0.113.7 61573 typ relay raddr 203.0.113.7 rport 61573';
const MDNS =
  'candidate:1 1 udp 2113937151 4f2e9b1c-3ac3-4a1b-9bd0-1e4b6d7d6f8a.local 58041 typ host generation 0 ufrag abc network-cost 999';
const IPV6_HOST =
  'candidate:2999745851 1 udp 2122197247 2001:db8:85a3::8a2e:370:7334 50123 typ host generation 0 ufrag Rt9X network-id 2';
const UNKNOWN_EXTENSION = 'candidate:1 1 udp 2122260223 192.0.2.1 5000 typ host foo bar';
// RFC 8839 §5.1 and RFC 8829 §3.5.2.1 examples.
const RFC_SRFLX =
  'candidate:2 1 UDP 1694498815 192.0.2.3 45664 typ srflx raddr 203.0.113.141 rport 8998';
const RFC_HOST = 'candidate:1 1 UDP 1694498815 192.0.2.33 10000 typ host';

const EXAMPLES = {
  'Chrome host': CHROME_HOST,
  'Chrome TCP active': CHROME_TCP,
  'Chrome srflx': CHROME_SRFLX,
  'Firefox host': FIREFOX_HOST,
  'Firefox relay': FIREFOX_RELAY,
  'mDNS host': MDNS,
  'IPv6 host': IPV6_HOST,
  'unknown extension': UNKNOWN_EXTENSION,
  'RFC 8839 srflx': RFC_SRFLX,
  'RFC 8829 host': RFC_HOST,
};

/** The value after `candidate:`. */
function bare(candidate: string): string {
  return candidate.slice('candidate:'.length);
}

function parseError(text: string, line?: number): SdpParseError {
  try {
    parseCandidate(text, line);
  } catch (error) {
    expect(error).toBeInstanceOf(SdpParseError);
    return error as SdpParseError;
  }
  throw new Error(`parsed: ${text}`);
}

describe('candidate round trips (RFC 8839 §5.1)', () => {
  it.each(Object.entries(EXAMPLES))('%s', (_, text) => {
    const candidate = parseCandidate(text);
    expect(formatCandidateString(candidate)).toBe(text);
    expect(formatCandidate(candidate)).toBe(bare(text));
  });

  it('writes the typed extensions in canonical order, then the others in input order', () => {
    const candidate = parseCandidate(
      'candidate:1 1 udp 2122260223 192.0.2.1 5000 typ host x 1 ufrag abc network-cost 50 rport 9 generation 2 raddr 192.0.2.9 y 2',
    );
    expect(formatCandidate(candidate)).toBe(
      '1 1 udp 2122260223 192.0.2.1 5000 typ host raddr 192.0.2.9 rport 9 generation 2 ufrag abc network-cost 50 x 1 y 2',
    );
  });

  it('writes ABNF literals in lower case and numbers without leading zeros', () => {
    const candidate = parseCandidate(
      'candidate:1 01 tcp 0002 192.0.2.1 09 TYP srflx RADDR 192.0.2.9 RPort 0080 TcpType Passive',
    );
    expect(candidate.tcpType).toBe('passive');
    expect(formatCandidate(candidate)).toBe(
      '1 1 tcp 2 192.0.2.1 9 typ srflx raddr 192.0.2.9 rport 80 tcptype passive',
    );
  });
});

describe('parseCandidate fields', () => {
  it('parses a Chrome host candidate', () => {
    expect(parseCandidate(CHROME_HOST)).toStrictEqual({
      foundation: '1467250027',
      component: 1,
      transport: 'udp',
      priority: 2122260223,
      address: '192.168.0.196',
      port: 46243,
      type: 'host',
      generation: 0,
      ufrag: 'Rt9X',
      networkId: 1,
      networkCost: 10,
      extensions: [],
    } satisfies Candidate);
  });

  it('parses a Chrome TCP active candidate', () => {
    expect(parseCandidate(CHROME_TCP)).toStrictEqual({
      foundation: '4233069003',
      component: 1,
      transport: 'tcp',
      priority: 1518280447,
      address: '192.168.0.196',
      port: 9,
      type: 'host',
      tcpType: 'active',
      generation: 0,
      networkId: 1,
      extensions: [],
    } satisfies Candidate);
  });

  it('parses raddr and rport', () => {
    const srflx = parseCandidate(CHROME_SRFLX);
    expect(srflx.type).toBe('srflx');
    expect(srflx.relatedAddress).toBe('0.0.0.0');
    expect(srflx.relatedPort).toBe(0);
    const relay = parseCandidate(FIREFOX_RELAY);
    expect(relay).toStrictEqual({
      foundation: '3',
      component: 1,
      transport: 'UDP',
      priority: 92217087,
      address: '203.0.113.7',
      port: 61573,
      type: 'relay',
      relatedAddress: '203.0.113.7',
      relatedPort: 61573,
      extensions: [],
    } satisfies Candidate);
  });

  it('keeps FQDN and IPv6 addresses as written', () => {
    expect(parseCandidate(MDNS).address).toBe('4f2e9b1c-3ac3-4a1b-9bd0-1e4b6d7d6f8a.local');
    expect(parseCandidate(MDNS).networkCost).toBe(999);
    expect(parseCandidate(IPV6_HOST).address).toBe('2001:db8:85a3::8a2e:370:7334');
  });

  it('keeps unknown extensions in order, and unknown types and transports as written', () => {
    const candidate = parseCandidate(
      'candidate:a+b/C 256 SCTP-x 4294967295 host.example 65535 typ newtype foo bar foo baz Generation 3',
    );
    expect(candidate).toStrictEqual({
      foundation: 'a+b/C',
      component: 256,
      transport: 'SCTP-x',
      priority: 4294967295,
      address: 'host.example',
      port: 65535,
      type: 'newtype',
      extensions: [
        { name: 'foo', value: 'bar' },
        { name: 'foo', value: 'baz' },
        { name: 'Generation', value: '3' },
      ],
    } satisfies Candidate);
  });

  it('accepts "candidate:", "a=candidate:" and the bare value alike', () => {
    const expected = parseCandidate(CHROME_SRFLX);
    expect(parseCandidate(`a=${CHROME_SRFLX}`)).toStrictEqual(expected);
    expect(parseCandidate(bare(CHROME_SRFLX))).toStrictEqual(expected);
  });

  it('reads a bare foundation named "candidate" as a foundation', () => {
    expect(parseCandidate('candidate 1 udp 1 192.0.2.1 1 typ host').foundation).toBe('candidate');
  });
});

describe('parseCandidate rejects malformed candidates with SdpParseError', () => {
  const base = 'candidate:1 1 udp 2122260223 192.0.2.1 5000 typ';
  it.each([
    ['an empty string', ''],
    ['only the prefix', 'candidate:'],
    ['too few fields', 'candidate:1 1 udp 2122260223 192.0.2.1 5000'],
    ['"typ" without a type', base],
    ['no "typ"', 'candidate:1 1 udp 2122260223 192.0.2.1 5000 host generation 0'],
    ['a misspelled "typ"', 'candidate:1 1 udp 2122260223 192.0.2.1 5000 type host'],
    ['a repeated "typ"', `${base} host typ relay`],
    ['component 0', 'candidate:1 0 udp 2122260223 192.0.2.1 5000 typ host'],
    ['component 257', 'candidate:1 257 udp 2122260223 192.0.2.1 5000 typ host'],
    ['component of 4 digits', 'candidate:1 0001 udp 2122260223 192.0.2.1 5000 typ host'],
    ['a non-numeric component', 'candidate:1 one udp 2122260223 192.0.2.1 5000 typ host'],
    ['priority 2^32', 'candidate:1 1 udp 4294967296 192.0.2.1 5000 typ host'],
    ['priority of 11 digits', 'candidate:1 1 udp 00000000001 192.0.2.1 5000 typ host'],
    ['a negative priority', 'candidate:1 1 udp -1 192.0.2.1 5000 typ host'],
    ['a priority in exponent form', 'candidate:1 1 udp 1e9 192.0.2.1 5000 typ host'],
    ['port 65536', 'candidate:1 1 udp 2122260223 192.0.2.1 65536 typ host'],
    ['a non-numeric port', 'candidate:1 1 udp 2122260223 192.0.2.1 80a typ host'],
    ['a hexadecimal port', 'candidate:1 1 udp 2122260223 192.0.2.1 0x50 typ host'],
    ['an odd number of extension tokens', `${base} host generation 0 ufrag`],
    ['raddr without a value', `${base} srflx raddr`],
    ['rport without a value', `${base} srflx raddr 192.0.2.9 rport`],
    ['a non-numeric rport', `${base} srflx raddr 192.0.2.9 rport x`],
    ['rport 65536', `${base} srflx raddr 192.0.2.9 rport 65536`],
    ['a repeated raddr', `${base} srflx raddr 192.0.2.9 raddr 192.0.2.8`],
    ['a repeated generation', `${base} host generation 0 generation 1`],
    ['a non-numeric generation', `${base} host generation zero`],
    ['a non-numeric network-id', `${base} host network-id -1`],
    ['a network-cost beyond 32 bits', `${base} host network-cost 4294967296`],
    ['an unknown tcptype', `${base} host tcptype passive-ish`],
    ['a repeated tcptype', `${base} host tcptype active tcptype so`],
    ['double spaces', 'candidate:1 1 udp 2122260223  192.0.2.1 5000 typ host'],
    ['a leading space', ' candidate:1 1 udp 2122260223 192.0.2.1 5000 typ host'],
    ['a trailing space', 'candidate:1 1 udp 2122260223 192.0.2.1 5000 typ host '],
    ['an empty foundation', 'candidate: 1 udp 2122260223 192.0.2.1 5000 typ host'],
    ['a foundation of 33 chars', `candidate:${'a'.repeat(33)} 1 udp 1 192.0.2.1 5000 typ host`],
    ['a foundation with a non-ice-char', 'candidate:ab-c 1 udp 1 192.0.2.1 5000 typ host'],
    ['a transport that is not a token', 'candidate:1 1 u(dp 1 192.0.2.1 5000 typ host'],
    ['a type that is not a token', 'candidate:1 1 udp 1 192.0.2.1 5000 typ h@st'],
    ['a tab in the address', 'candidate:1 1 udp 1 192.0.2.1\t 5000 typ host'],
    ['a tab as separator', 'candidate:1 1 udp 1 192.0.2.1 5000 typ host\tgeneration 0'],
    ['a trailing CRLF', 'candidate:1 1 udp 1 192.0.2.1 5000 typ host\r\n'],
    ['an extension name that is not a token', `${base} host f:o bar`],
    ['an extension value with a control character', `${base} host foo b\u0001r`],
    ['an extension value with a non-ASCII character', `${base} host ufrag caf\u00e9`],
  ])('%s', (_, text) => {
    expect(() => parseCandidate(text)).toThrow(SdpParseError);
  });

  it('reports the line number and the offending text', () => {
    const text = 'a=candidate:1 1 udp 1 192.0.2.1 5000 typ host generation';
    const error = parseError(text, 7);
    expect(error.line).toBe(7);
    expect(error.text).toBe(text);
    expect(parseError('candidate:').line).toBe(0);
  });

  it('parses and rejects long candidates in linear time', () => {
    const many = ' x y'.repeat(200_000);
    const started = performance.now();
    expect(parseCandidate(`${CHROME_HOST}${many}`).extensions).toHaveLength(200_000);
    expect(parseError(`${CHROME_HOST}${many} x`).text).toHaveLength(CHROME_HOST.length + 800_002);
    expect(parseError(`${CHROME_HOST}${many}  x y`)).toBeInstanceOf(SdpParseError);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('candidate fuzz', () => {
  it('fuzz: parseCandidate throws only SdpParseError, and its output reparses to itself', () => {
    const encoder = new TextEncoder();
    const decoder = new TextDecoder();
    const stats = fuzzParser({
      seeds: Object.values(EXAMPLES).map((text) => encoder.encode(text)),
      parse: (bytes) => {
        const candidate = parseCandidate(decoder.decode(bytes));
        // A plain Error is not SdpParseError, so fuzzParser reports it as a failure.
        if (!isDeepStrictEqual(parseCandidate(formatCandidateString(candidate)), candidate)) {
          throw new Error('formatCandidate output does not parse back to the same candidate');
        }
        return candidate;
      },
      expectedError: SdpParseError,
      iterations: fuzzIterations(10_000, 200_000),
    });
    expect(stats.accepted).toBeGreaterThan(Object.keys(EXAMPLES).length);
    expect(stats.rejected).toBeGreaterThan(0);
  });
});
