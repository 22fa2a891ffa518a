/**
 * The agent's candidate model (RFC 8445 §5.1): candidates as ICE uses them, their priorities and
 * foundations, and the conversion from and to the candidate-attribute strings of RFC 8839 §5.1,
 * whose grammar lives in `@typertc/sdp` (`parseCandidate`, `formatCandidate`).
 *
 * Addresses here are always IP addresses. A remote candidate that carries a host name (an mDNS
 * `.local` name, draft-ietf-mmusic-mdns-ice-candidates, or an FQDN, RFC 8839 §5.1) comes out of
 * `parseRemoteCandidate` as a separate `needs-resolution` result, which cannot be paired until
 * `resolveCandidate` has given it an address.
 */

import {
  type AddressFamily,
  crc32,
  formatIpAddress,
  parseIpAddress,
  type SocketAddress,
} from '@typertc/common';
import {
  type Candidate,
  formatCandidateString,
  parseCandidate,
  SdpParseError,
  type TcpType,
} from '@typertc/sdp';
import { IceCandidateError, IceError } from './errors.js';

export type IceCandidateType = 'host' | 'srflx' | 'prflx' | 'relay';
export type IceTransportProtocol = 'udp' | 'tcp';

/** A candidate (RFC 8445 §5.1), local or remote. */
export interface IceCandidate {
  /** 1 to 32 ice-chars; equal foundations mean the same type, base IP, server and transport. */
  readonly foundation: string;
  /** 1..256; 1 is RTP (or everything, with rtcp-mux or BUNDLE), 2 is RTCP. */
  readonly component: number;
  readonly transport: IceTransportProtocol;
  /** 0..2^32-1 as signalled; the agent's own are at most 2^31-1 (RFC 8445 §5.1.2.1). */
  readonly priority: number;
  /** An IP address; remote ones in canonical form (RFC 5952 §4 for IPv6). */
  readonly address: string;
  readonly port: number;
  readonly family: AddressFamily;
  readonly type: IceCandidateType;
  /** `raddr` (RFC 8839 §5.1): the base of a reflexive candidate, the mapped address of a relay. */
  readonly relatedAddress?: string;
  /** `rport` (RFC 8839 §5.1). */
  readonly relatedPort?: number;
  /** TCP candidates only (RFC 6544 §4.5). */
  readonly tcpType?: TcpType;
  /** The ICE session (username fragment) the candidate belongs to, when signalled (RFC 8838 §9). */
  readonly ufrag?: string;
}

/**
 * One of the agent's own candidates, with the base it sends from (RFC 8445 §5.1.1.3): a host or
 * relayed candidate is its own base; a server- or peer-reflexive candidate's base is the host
 * candidate it was observed from.
 */
export interface LocalCandidate extends IceCandidate {
  readonly base: SocketAddress;
}

/** The recommended type preferences (RFC 8445 §5.1.2.2). */
export const TYPE_PREFERENCE: Readonly<Record<IceCandidateType, number>> = {
  host: 126,
  prflx: 110,
  srflx: 100,
  relay: 0,
};

/** The local preference of an agent with a single IP address (RFC 8445 §5.1.2.1). */
export const MAX_LOCAL_PREFERENCE = 65535;

function checkInteger(value: number, name: string, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new IceError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

/**
 * priority = 2^24·(type preference) + 2^8·(local preference) + (256 − component ID)
 * (RFC 8445 §5.1.2.1), with the type preferences of §5.1.2.2. Throws `IceError` for a local
 * preference outside 0..65535 or a component outside 1..256.
 */
export function candidatePriority(
  type: IceCandidateType,
  localPreference = MAX_LOCAL_PREFERENCE,
  component = 1,
): number {
  checkInteger(localPreference, 'local preference', 0, MAX_LOCAL_PREFERENCE);
  checkInteger(component, 'component', 1, 256);
  return TYPE_PREFERENCE[type] * 2 ** 24 + localPreference * 2 ** 8 + (256 - component);
}

/**
 * Distinct local preferences for the addresses of a multihomed host (RFC 8445 §5.1.2.1), one per
 * entry, in the same order. The caller lists each family's addresses best first (by its own
 * policy, RFC 6724 say); this function only interleaves the families, as RFC 8421 §4 asks, so a
 * long run of one family never starves the other: the best IPv6 address ranks first (IPv6 is
 * preferred, RFC 8421 §4), then the best IPv4, then the second IPv6, the second IPv4, and so on;
 * when one family runs out the other continues in order. Rank r gets 65535 − r, so a host with one
 * address gets 65535. Throws `IceError` past 65536 addresses.
 */
export function localPreferences(
  addresses: readonly { readonly family: AddressFamily }[],
): number[] {
  if (addresses.length > MAX_LOCAL_PREFERENCE + 1) {
    throw new IceError(`${addresses.length} addresses do not fit 65536 local preferences`);
  }
  const ipv6: number[] = [];
  const ipv4: number[] = [];
  addresses.forEach((address, index) => {
    (address.family === 'IPv6' ? ipv6 : ipv4).push(index);
  });
  const preferences = new Array<number>(addresses.length);
  let rank = 0;
  for (let i = 0; i < Math.max(ipv6.length, ipv4.length); i++) {
    for (const family of [ipv6, ipv4]) {
      const index = family[i];
      if (index !== undefined) preferences[index] = MAX_LOCAL_PREFERENCE - rank++;
    }
  }
  return preferences;
}

const encoder = new TextEncoder();

/** The canonical text of an IP address, so equal addresses hash and compare equal. */
function canonicalIp(address: string): string {
  return formatIpAddress(parseIpAddress(address).bytes);
}

/**
 * The foundation of a local candidate (RFC 8445 §5.1.1.3): two candidates share it iff they have
 * the same type, their bases the same IP address, the same STUN or TURN server IP (reflexive and
 * relayed candidates; ignored for host candidates) and the same transport. Ports play no part.
 * The result is the decimal CRC-32 of those fields (addresses canonicalized), 1 to 10 digits: a
 * valid ice-char string, stable across runs. Two different tuples collide with probability 2^-32,
 * which at the handful of candidates an agent has is negligible. Throws `InvalidAddressError` if
 * an address is not an IP address.
 */
export function candidateFoundation(
  type: IceCandidateType,
  baseAddress: string,
  serverAddress: string | undefined,
  transport: IceTransportProtocol,
): string {
  const server = type === 'host' || serverAddress === undefined ? '' : canonicalIp(serverAddress);
  const fields = `${type} ${canonicalIp(baseAddress)} ${server} ${transport}`;
  return String(crc32(encoder.encode(fields)));
}

/** What the agent knows of a candidate it has gathered. */
export interface LocalCandidateInit {
  readonly type: IceCandidateType;
  /** An IP address. */
  readonly address: string;
  readonly port: number;
  /** Default 1. */
  readonly component?: number;
  /** Default `udp`. */
  readonly transport?: IceTransportProtocol;
  /** Required for TCP candidates, absent for UDP ones (RFC 6544 §4.5). */
  readonly tcpType?: TcpType;
  /** Default 65535, the value for a single address (RFC 8445 §5.1.2.1); see `localPreferences`. */
  readonly localPreference?: number;
  /**
   * The address the candidate sends from: required for `srflx` and `prflx`, whose base is the
   * host candidate they were observed from; must be absent for `host` and `relay`, which are their
   * own base (RFC 8445 §5.1.1.3).
   */
  readonly base?: SocketAddress;
  /** The IP address of the STUN or TURN server a `srflx` or `relay` candidate came from. */
  readonly serverAddress?: string;
  /** Default: the base for reflexive candidates; none otherwise (a relay's is its mapped address). */
  readonly relatedAddress?: string;
  readonly relatedPort?: number;
  readonly ufrag?: string;
}

/**
 * One of the agent's own candidates, with its foundation (§5.1.1.3), priority (§5.1.2.1) and base
 * worked out. Throws `IceError` for inconsistent input (a reflexive candidate without a base, a
 * TCP candidate without `tcpType`, out-of-range numbers) and `InvalidAddressError` for an address
 * that is not an IP address.
 */
export function createLocalCandidate(init: LocalCandidateInit): LocalCandidate {
  const component = init.component ?? 1;
  const transport = init.transport ?? 'udp';
  checkInteger(init.port, 'port', 0, 0xffff);
  if ((transport === 'tcp') !== (init.tcpType !== undefined)) {
    throw new IceError('tcpType is required for TCP candidates and not allowed for UDP ones');
  }
  const family = parseIpAddress(init.address).family;
  const reflexive = init.type === 'srflx' || init.type === 'prflx';
  if (reflexive !== (init.base !== undefined)) {
    throw new IceError(`a ${init.type} candidate ${reflexive ? 'needs' : 'is its own'} base`);
  }
  const base = init.base ?? { address: init.address, port: init.port, family };
  const candidate: { -readonly [K in keyof LocalCandidate]: LocalCandidate[K] } = {
    foundation: candidateFoundation(init.type, base.address, init.serverAddress, transport),
    component,
    transport,
    priority: candidatePriority(init.type, init.localPreference, component),
    address: init.address,
    port: init.port,
    family,
    type: init.type,
    base,
  };
  const relatedAddress = init.relatedAddress ?? (reflexive ? base.address : undefined);
  const relatedPort = init.relatedPort ?? (reflexive ? base.port : undefined);
  if (relatedAddress !== undefined) candidate.relatedAddress = relatedAddress;
  if (relatedPort !== undefined) candidate.relatedPort = relatedPort;
  if (init.tcpType !== undefined) candidate.tcpType = init.tcpType;
  if (init.ufrag !== undefined) candidate.ufrag = init.ufrag;
  return candidate;
}

/** A remote candidate whose address is a host name: everything but the address. */
export interface UnresolvedCandidate extends Omit<IceCandidate, 'address' | 'family'> {
  readonly hostname: string;
  /** An mDNS name (ends in `.local`, RFC 6762): resolve over mDNS, or ignore the candidate. */
  readonly mdns: boolean;
}

/**
 * What `parseRemoteCandidate` makes of a string. The two cases carry differently named fields,
 * so code that reads `candidate` must first check `kind`, and cannot pair a host name by mistake.
 */
export type ParsedRemoteCandidate =
  | { readonly kind: 'resolved'; readonly candidate: IceCandidate }
  | { readonly kind: 'needs-resolution'; readonly unresolved: UnresolvedCandidate };

export interface ParseRemoteCandidateOptions {
  /**
   * The number of components of the data stream: candidates for higher components are rejected.
   * Default 256, every component the grammar allows; 1 for a stream with rtcp-mux or BUNDLE.
   */
  readonly componentCount?: number;
}

type CandidateFields = Omit<IceCandidate, 'address' | 'family'>;

function withAddress(
  fields: CandidateFields,
  address: string,
  family: AddressFamily,
): IceCandidate {
  const candidate: { -readonly [K in keyof IceCandidate]: IceCandidate[K] } = {
    foundation: fields.foundation,
    component: fields.component,
    transport: fields.transport,
    priority: fields.priority,
    address,
    port: fields.port,
    family,
    type: fields.type,
  };
  if (fields.relatedAddress !== undefined) candidate.relatedAddress = fields.relatedAddress;
  if (fields.relatedPort !== undefined) candidate.relatedPort = fields.relatedPort;
  if (fields.tcpType !== undefined) candidate.tcpType = fields.tcpType;
  if (fields.ufrag !== undefined) candidate.ufrag = fields.ufrag;
  return candidate;
}

const CANDIDATE_TYPES: ReadonlySet<string> = new Set<IceCandidateType>([
  'host',
  'srflx',
  'prflx',
  'relay',
]);

function isCandidateType(type: string): type is IceCandidateType {
  return CANDIDATE_TYPES.has(type);
}

/** A DNS label (RFC 1123 §2.1): letters, digits and inner hyphens, 1 to 63 characters. */
const HOST_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

function isHostname(name: string): boolean {
  if (name.length > 253) return false;
  const labels = name.split('.');
  if (!labels.every((label) => HOST_LABEL.test(label))) return false;
  // An all-numeric last label is no host name (RFC 3696 §2): `1.2.3.999` is a broken IPv4 address.
  return !/^[0-9]+$/.test(labels[labels.length - 1] as string);
}

/** The canonical address and family of an IP address, or undefined if `text` is not one. */
function ipAddress(text: string): { address: string; family: AddressFamily } | undefined {
  let parsed: ReturnType<typeof parseIpAddress>;
  try {
    parsed = parseIpAddress(text);
  } catch {
    return undefined;
  }
  return { address: formatIpAddress(parsed.bytes), family: parsed.family };
}

/** 0.0.0.0 and :: name no peer: nothing can be sent to them. */
function isUnspecified(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/**
 * A remote candidate from its string (`candidate:...`, `a=candidate:...` or the bare value; RFC
 * 8839 §5.1), checked for what the agent can pair. Throws `IceCandidateError` for a malformed
 * string (with the `SdpParseError` as `cause`), a transport other than UDP or TCP, an unknown
 * candidate type, a component above `componentCount`, a TCP candidate without `tcptype` (RFC 6544
 * §4.5) or a UDP one with it, a UDP port 0, an unspecified address, or an address that is neither
 * an IP address nor a host name. A host name gives a `needs-resolution` result.
 */
export function parseRemoteCandidate(
  text: string,
  options: ParseRemoteCandidateOptions = {},
): ParsedRemoteCandidate {
  let parsed: Candidate;
  try {
    parsed = parseCandidate(text);
  } catch (error) {
    if (error instanceof SdpParseError) {
      throw new IceCandidateError('malformed candidate', text, { cause: error });
    }
    throw error;
  }
  function reject(message: string): never {
    throw new IceCandidateError(message, text);
  }
  const componentCount = options.componentCount ?? 256;
  const transport = parsed.transport.toLowerCase();
  const type = parsed.type.toLowerCase();
  if (transport !== 'udp' && transport !== 'tcp') reject(`unsupported transport ${transport}`);
  if (!isCandidateType(type)) reject(`unknown candidate type ${type}`);
  if (parsed.component > componentCount) {
    reject(`component ${parsed.component} above the stream's ${componentCount}`);
  }
  if (transport === 'tcp' && parsed.tcpType === undefined) reject('TCP candidate without tcptype');
  if (transport === 'udp' && parsed.tcpType !== undefined) reject('UDP candidate with tcptype');
  // TCP active candidates carry port 9 or 0 (RFC 6544 §4.5); a UDP candidate must receive.
  if (transport === 'udp' && parsed.port === 0) reject('UDP candidate with port 0');
  const fields: { -readonly [K in keyof CandidateFields]: CandidateFields[K] } = {
    foundation: parsed.foundation,
    component: parsed.component,
    transport,
    priority: parsed.priority,
    port: parsed.port,
    type,
  };
  if (parsed.relatedAddress !== undefined) fields.relatedAddress = parsed.relatedAddress;
  if (parsed.relatedPort !== undefined) fields.relatedPort = parsed.relatedPort;
  if (parsed.tcpType !== undefined) fields.tcpType = parsed.tcpType;
  if (parsed.ufrag !== undefined) fields.ufrag = parsed.ufrag;

  const ip = ipAddress(parsed.address);
  if (ip !== undefined) {
    if (isUnspecified(ip.address)) reject('unspecified address');
    return { kind: 'resolved', candidate: withAddress(fields, ip.address, ip.family) };
  }
  if (!isHostname(parsed.address)) reject('address is neither an IP address nor a host name');
  const hostname = parsed.address.toLowerCase();
  return {
    kind: 'needs-resolution',
    unresolved: { ...fields, hostname, mdns: hostname.endsWith('.local') },
  };
}

/**
 * The candidate with its host name replaced by `address`, the IP address it resolved to (one
 * address per candidate, draft-ietf-mmusic-mdns-ice-candidates §3.2). Throws `IceCandidateError`
 * if `address` is not a usable IP address.
 */
export function resolveCandidate(unresolved: UnresolvedCandidate, address: string): IceCandidate {
  const ip = ipAddress(address);
  if (ip === undefined || isUnspecified(ip.address)) {
    throw new IceCandidateError(`${unresolved.hostname} resolved to an unusable address`, address);
  }
  return withAddress(unresolved, ip.address, ip.family);
}

/**
 * The W3C `RTCIceCandidate.candidate` string of a candidate (`candidate:...`; RFC 8839 §5.1,
 * RFC 8829 §3.5.2.1), transport in lower case as browsers write it. To advertise a host candidate
 * under an mDNS name, pass a copy whose `address` is that name.
 */
export function formatLocalCandidate(candidate: IceCandidate): string {
  const fields: Candidate = {
    foundation: candidate.foundation,
    component: candidate.component,
    transport: candidate.transport,
    priority: candidate.priority,
    address: candidate.address,
    port: candidate.port,
    type: candidate.type,
    extensions: [],
  };
  if (candidate.relatedAddress !== undefined) fields.relatedAddress = candidate.relatedAddress;
  if (candidate.relatedPort !== undefined) fields.relatedPort = candidate.relatedPort;
  if (candidate.tcpType !== undefined) fields.tcpType = candidate.tcpType;
  if (candidate.ufrag !== undefined) fields.ufrag = candidate.ufrag;
  return formatCandidateString(fields);
}
