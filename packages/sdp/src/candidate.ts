/**
 * The ICE `candidate` attribute (RFC 8839 §5.1), used both as the SDP line `a=candidate:...`
 * and as the W3C `RTCIceCandidate.candidate` string `candidate:...` (RFC 8829 §3.5.2.1):
 *
 *     candidate-attribute = "candidate" ":" foundation SP component-id SP transport SP
 *                           priority SP connection-address SP port SP cand-type
 *                           [SP rel-addr] [SP rel-port] *(SP cand-extension)
 *     foundation          = 1*32ice-char
 *     component-id        = 1*3DIGIT
 *     transport           = "UDP" / transport-extension     ; token, RFC 3261
 *     priority            = 1*10DIGIT
 *     cand-type           = "typ" SP candidate-types
 *     candidate-types     = "host" / "srflx" / "prflx" / "relay" / token
 *     rel-addr            = "raddr" SP connection-address
 *     rel-port            = "rport" SP port
 *     cand-extension      = extension-att-name SP extension-att-value
 *     extension-att-name  = token
 *     extension-att-value = *VCHAR
 *     ice-char            = ALPHA / DIGIT / "+" / "/"
 *
 * Besides `raddr` and `rport`, these extensions get typed fields: `tcptype` (RFC 6544 §4.5) and
 * libwebrtc's `generation`, `ufrag` (the candidate's username fragment, RFC 8829 §3.5.2.1),
 * `network-id` and `network-cost`. Every other extension is kept as a name/value pair, in order.
 *
 * Parsing splits on single spaces, so it runs in linear time. Two or more spaces in a row, or a
 * leading or trailing space, leave an empty field and are rejected: the grammar puts exactly one
 * SP between elements. (An empty extension-att-value, which `*VCHAR` allows, is thereby rejected
 * too; no implementation emits one.) Anything malformed throws `SdpParseError`, nothing else.
 *
 * Round trips. `formatCandidateString(parseCandidate(x)) === x` (`formatCandidate` for the bare
 * value) holds for candidates written the way browsers and RFC 8839 write them. Otherwise the
 * output is the same candidate in canonical form:
 * - the typed extensions come out in one fixed order — `raddr`, `rport`, `tcptype`, `generation`,
 *   `ufrag`, `network-id`, `network-cost` — followed by the other extensions in input order, so
 *   `... typ host ufrag x generation 0` becomes `... typ host generation 0 ufrag x`, and an
 *   unknown extension written between typed ones moves after them;
 * - the ABNF literals `typ`, `raddr`, `rport`, `tcptype` and the tcp-type values are matched
 *   case-insensitively (RFC 5234 §2.3) and written in lower case;
 * - numbers lose leading zeros (`rport 08998` becomes `rport 8998`).
 * The transport and the candidate type are kept as written (`UDP`, `udp`): compare them
 * case-insensitively.
 */

import { SdpParseError } from './errors.js';

export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';
export type TcpType = 'active' | 'passive' | 'so';

/** A cand-extension (RFC 8839 §5.1) without a typed field in `Candidate`. */
export interface CandidateExtension {
  name: string;
  value: string;
}

/** One parsed candidate-attribute (RFC 8839 §5.1). */
export interface Candidate {
  /** 1 to 32 ice-chars. */
  foundation: string;
  /** 1..256 (RFC 8839 §5.1). */
  component: number;
  /** As written (`udp`, `UDP`, `tcp`); compare case-insensitively. */
  transport: string;
  /** 0..2^32-1: the grammar's 1*10DIGIT, bounded by the 32-bit STUN PRIORITY (RFC 8445 §7.1.1). */
  priority: number;
  /** An IPv4 or IPv6 address, or an FQDN such as an mDNS `.local` name. */
  address: string;
  /** 0..65535; TCP active candidates use 0 or 9 (RFC 6544 §4.5). */
  port: number;
  /** The `typ` value; a type this code does not know is kept as written. */
  type: CandidateType | string;
  /** `raddr` (RFC 8839 §5.1). */
  relatedAddress?: string;
  /** `rport` (RFC 8839 §5.1). */
  relatedPort?: number;
  /** `tcptype` (RFC 6544 §4.5). */
  tcpType?: TcpType;
  /** libwebrtc's `generation`. */
  generation?: number;
  /** libwebrtc's `ufrag`. */
  ufrag?: string;
  /** libwebrtc's `network-id`. */
  networkId?: number;
  /** libwebrtc's `network-cost`. */
  networkCost?: number;
  /** Every other extension-att-name/value pair, in input order. */
  extensions: CandidateExtension[];
}

const SDP_PREFIX = 'a=candidate:';
const PREFIX = 'candidate:';

/** The fields before the extensions: foundation to port, "typ" and the type. */
const FIXED_FIELDS = 8;

const MAX_UINT32 = 0xffff_ffff;

const FOUNDATION = /^[A-Za-z0-9+/]{1,32}$/;
/** token (RFC 3261 §25.1), used for transport, candidate-types and extension-att-name. */
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
/**
 * non-ws-string (RFC 8866 §9), the widest form of connection-address: 1*(VCHAR / %x80-FF), here
 * on decoded text, so any non-ASCII character.
 */
const NON_WS_STRING = /^[\x21-\x7e\u0080-\uffff]+$/;
/** A non-empty extension-att-value: 1*VCHAR. */
const VCHARS = /^[\x21-\x7e]+$/;
const DIGITS = /^[0-9]+$/;

const TCP_TYPES: ReadonlySet<string> = new Set<TcpType>(['active', 'passive', 'so']);

function isTcpType(value: string): value is TcpType {
  return TCP_TYPES.has(value);
}

/**
 * Parses a candidate-attribute (RFC 8839 §5.1): `candidate:...`, the same with a leading `a=`,
 * or the bare value after `candidate:`. `line` is the SDP line number reported in errors (0 for
 * a lone candidate string). Throws `SdpParseError` on anything malformed.
 */
export function parseCandidate(text: string, line = 0): Candidate {
  function fail(message: string): never {
    throw new SdpParseError(`candidate: ${message}`, line, text);
  }
  const decimal = (token: string, field: string, maxDigits: number, min: number, max: number) => {
    if (token.length > maxDigits || !DIGITS.test(token)) {
      fail(`${field} is not 1*${maxDigits}DIGIT`);
    }
    const value = Number(token);
    if (value < min || value > max) fail(`${field} ${value} is outside ${min}..${max}`);
    return value;
  };
  const connectionAddress = (token: string, field: string) => {
    if (!NON_WS_STRING.test(token)) fail(`${field} is not a connection-address`);
    return token;
  };

  let value = text;
  if (value.startsWith(SDP_PREFIX)) value = value.slice(SDP_PREFIX.length);
  else if (value.startsWith(PREFIX)) value = value.slice(PREFIX.length);

  const tokens = value.split(' ');
  if (tokens.includes('')) fail('empty field: fields are separated by exactly one space');
  if (tokens.length < FIXED_FIELDS) {
    fail(`${tokens.length} fields where at least ${FIXED_FIELDS} are needed`);
  }
  // Checked just above: the eight fixed fields are present.
  const [foundation, component, transport, priority, address, port, typ, type] = tokens as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];

  if (!FOUNDATION.test(foundation)) fail('foundation is not 1*32ice-char');
  if (!TOKEN.test(transport)) fail('transport is not a token');
  if (typ.toLowerCase() !== 'typ') fail('"typ" missing after the port');
  if (!TOKEN.test(type)) fail('candidate type is not a token');
  const candidate: Candidate = {
    foundation,
    component: decimal(component, 'component-id', 3, 1, 256),
    transport,
    priority: decimal(priority, 'priority', 10, 0, MAX_UINT32),
    address: connectionAddress(address, 'connection-address'),
    port: decimal(port, 'port', 5, 0, 0xffff),
    type,
    extensions: [],
  };

  if ((tokens.length - FIXED_FIELDS) % 2 !== 0) fail('an extension name has no value');
  for (let i = FIXED_FIELDS; i < tokens.length; i += 2) {
    // In bounds: the count of tokens after the fixed fields is even.
    const name = tokens[i] as string;
    const extensionValue = tokens[i + 1] as string;
    if (!TOKEN.test(name)) fail('extension-att-name is not a token');
    const keyword = name.toLowerCase();
    if (keyword === 'typ') fail('"typ" repeated');
    // rel-addr and rel-port are accepted anywhere among the extensions, not only right after
    // cand-type as the grammar places them; formatCandidate writes them back in that place.
    if (keyword === 'raddr') {
      if (candidate.relatedAddress !== undefined) fail('"raddr" repeated');
      candidate.relatedAddress = connectionAddress(extensionValue, 'raddr');
      continue;
    }
    if (keyword === 'rport') {
      if (candidate.relatedPort !== undefined) fail('"rport" repeated');
      candidate.relatedPort = decimal(extensionValue, 'rport', 5, 0, 0xffff);
      continue;
    }
    if (!VCHARS.test(extensionValue)) fail(`value of "${name.slice(0, 32)}" is not 1*VCHAR`);
    if (keyword === 'tcptype') {
      const tcpType = extensionValue.toLowerCase();
      if (candidate.tcpType !== undefined) fail('"tcptype" repeated');
      if (!isTcpType(tcpType)) fail('tcptype is not active, passive or so (RFC 6544 §4.5)');
      candidate.tcpType = tcpType;
      continue;
    }
    // libwebrtc's extensions, matched as it writes them.
    switch (name) {
      case 'generation':
        if (candidate.generation !== undefined) fail('"generation" repeated');
        candidate.generation = decimal(extensionValue, 'generation', 10, 0, MAX_UINT32);
        break;
      case 'ufrag':
        if (candidate.ufrag !== undefined) fail('"ufrag" repeated');
        candidate.ufrag = extensionValue;
        break;
      case 'network-id':
        if (candidate.networkId !== undefined) fail('"network-id" repeated');
        candidate.networkId = decimal(extensionValue, 'network-id', 10, 0, MAX_UINT32);
        break;
      case 'network-cost':
        if (candidate.networkCost !== undefined) fail('"network-cost" repeated');
        candidate.networkCost = decimal(extensionValue, 'network-cost', 10, 0, MAX_UINT32);
        break;
      default:
        candidate.extensions.push({ name, value: extensionValue });
    }
  }
  return candidate;
}

/**
 * The candidate-attribute value after `candidate:` (RFC 8839 §5.1), as an SDP `a=candidate:`
 * line carries it: the fixed fields, then `raddr`, `rport`, `tcptype`, `generation`, `ufrag`,
 * `network-id`, `network-cost` when set, then the other extensions in order. The fields are
 * written as they are, not validated.
 */
export function formatCandidate(candidate: Candidate): string {
  const parts = [
    candidate.foundation,
    String(candidate.component),
    candidate.transport,
    String(candidate.priority),
    candidate.address,
    String(candidate.port),
    'typ',
    candidate.type,
  ];
  if (candidate.relatedAddress !== undefined) parts.push('raddr', candidate.relatedAddress);
  if (candidate.relatedPort !== undefined) parts.push('rport', String(candidate.relatedPort));
  if (candidate.tcpType !== undefined) parts.push('tcptype', candidate.tcpType);
  if (candidate.generation !== undefined) parts.push('generation', String(candidate.generation));
  if (candidate.ufrag !== undefined) parts.push('ufrag', candidate.ufrag);
  if (candidate.networkId !== undefined) parts.push('network-id', String(candidate.networkId));
  if (candidate.networkCost !== undefined) {
    parts.push('network-cost', String(candidate.networkCost));
  }
  for (const extension of candidate.extensions) parts.push(extension.name, extension.value);
  return parts.join(' ');
}

/** The W3C `RTCIceCandidate.candidate` string: `candidate:` and the value (RFC 8829 §3.5.2.1). */
export function formatCandidateString(candidate: Candidate): string {
  return `${PREFIX}${formatCandidate(candidate)}`;
}
