/**
 * The application's STUN and TURN servers, from the W3C `RTCIceServer` dictionaries
 * (WebRTC 1.0 §4.2.4) to typed entries, by the URI grammars of RFC 7064 (`stun:`, `stuns:`) and
 * RFC 7065 (`turn:`, `turns:`):
 *
 *     stunURI = scheme ":" host [ ":" port ]
 *     turnURI = scheme ":" host [ ":" port ] [ "?transport=" transport ]
 *
 * `host` is an IPv4 address, a bracketed IPv6 literal or a host name (RFC 3986 §3.2.2). Host
 * names are kept as they are: `resolveIceServers` turns them into addresses, so parsing stays a
 * pure function.
 */

import { promises as dns } from 'node:dns';
import {
  type AddressFamily,
  formatIpAddress,
  parseIpAddress,
  type SocketAddress,
} from '@typertc/common';
import { IceError } from '../errors.js';

/** The W3C `RTCIceServer` dictionary (WebRTC 1.0 §4.2.4). */
export interface RTCIceServer {
  readonly urls: string | readonly string[];
  readonly username?: string;
  readonly credential?: string;
}

/** How the client reaches the server. `tls` is TCP with TLS (`stuns:`, `turns:`). */
export type IceServerTransport = 'udp' | 'tcp' | 'tls';

interface IceServerUrlFields {
  /** The URL as given. */
  readonly url: string;
  /** An IP address (IPv6 without brackets, canonical) or a lower-case host name. */
  readonly host: string;
  readonly port: number;
  readonly transport: IceServerTransport;
}

export interface StunServerUrl extends IceServerUrlFields {
  readonly kind: 'stun';
}

export interface TurnServerUrl extends IceServerUrlFields {
  readonly kind: 'turn';
  readonly username: string;
  readonly credential: string;
}

export type IceServerUrl = StunServerUrl | TurnServerUrl;

/**
 * Why an ICE server was rejected: `syntax`, a URL outside the RFC 7064/7065 grammar (the W3C
 * `SyntaxError`); `credentials`, a TURN server without username or credential (the W3C
 * `InvalidAccessError`); `resolution`, a host name that did not resolve; `unsupported`, a valid
 * server this stack cannot use.
 */
export type IceServerErrorReason = 'syntax' | 'credentials' | 'resolution' | 'unsupported';

const ERROR_CODES: Readonly<Record<IceServerErrorReason, string>> = {
  syntax: 'ICE_SERVER_SYNTAX',
  credentials: 'ICE_SERVER_CREDENTIALS',
  resolution: 'ICE_SERVER_RESOLUTION',
  unsupported: 'ICE_SERVER_UNSUPPORTED',
};

export class IceServerError extends IceError {
  constructor(
    readonly reason: IceServerErrorReason,
    message: string,
    /** The URL concerned, as given. */
    readonly url: string,
    options?: ErrorOptions,
  ) {
    super(`${message}: ${JSON.stringify(url.slice(0, 200))}`, ERROR_CODES[reason], options);
  }
}

/** RFC 7064 §3.1, RFC 7065 §3.1: 3478 for STUN and TURN over UDP or TCP, 5349 over TLS. */
const DEFAULT_PORT = 3478;
const DEFAULT_TLS_PORT = 5349;

/** A DNS label (RFC 1123 §2.1): letters, digits and inner hyphens, 1 to 63 characters. */
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The host part of a URL: an IP address (canonical form) or a host name (lower case). Throws
 * `IceServerError` for anything else, percent-encoding included: no server is named that way.
 */
function parseHost(text: string, url: string): string {
  if (text.startsWith('[')) {
    if (!text.endsWith(']')) throw new IceServerError('syntax', 'unterminated IPv6 literal', url);
    const literal = text.slice(1, -1);
    const parsed = tryParseIp(literal);
    // RFC 3986 §3.2.2: brackets hold IPv6 only; a zone id would need `%25`, which no server needs.
    if (parsed?.family !== 'IPv6' || literal.includes('%')) {
      throw new IceServerError('syntax', 'not an IPv6 literal', url);
    }
    return parsed.address;
  }
  const ip = tryParseIp(text);
  if (ip !== undefined && ip.family === 'IPv4') return ip.address;
  const name = text.toLowerCase();
  const labels = name.endsWith('.') ? name.slice(0, -1).split('.') : name.split('.');
  // An all-numeric last label is a malformed IPv4 address, not a name (RFC 3696 §2).
  if (
    name.length === 0 ||
    name.length > 253 ||
    !labels.every((label) => HOST_LABEL.test(label)) ||
    /^[0-9]+$/.test(labels[labels.length - 1] as string)
  ) {
    throw new IceServerError('syntax', 'host is neither an IP address nor a host name', url);
  }
  return name;
}

function tryParseIp(text: string): { address: string; family: AddressFamily } | undefined {
  try {
    const { family, bytes } = parseIpAddress(text);
    return { family, address: formatIpAddress(bytes) };
  } catch {
    return undefined;
  }
}

/** Splits `host[:port]`, where host may be a bracketed IPv6 literal. */
function splitHostPort(authority: string, url: string): { host: string; port?: string } {
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close < 0) throw new IceServerError('syntax', 'unterminated IPv6 literal', url);
    const rest = authority.slice(close + 1);
    if (rest === '') return { host: authority };
    if (!rest.startsWith(':')) throw new IceServerError('syntax', 'junk after IPv6 literal', url);
    return { host: authority.slice(0, close + 1), port: rest.slice(1) };
  }
  const colon = authority.indexOf(':');
  if (colon < 0) return { host: authority };
  return { host: authority.slice(0, colon), port: authority.slice(colon + 1) };
}

function parsePort(text: string | undefined, fallback: number, url: string): number {
  if (text === undefined) return fallback;
  const port = /^[0-9]{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 1 && port <= 0xffff)) throw new IceServerError('syntax', 'bad port', url);
  return port;
}

/**
 * The transport of a TURN URL (RFC 7065 §3): `udp` or `tcp` from `?transport=`, else UDP for
 * `turn:`; `turns:` is TLS over TCP. `turns:...?transport=udp` would be DTLS, which this client
 * does not speak, so it is rejected rather than silently changed.
 */
function turnTransport(
  secure: boolean,
  query: string | undefined,
  url: string,
): IceServerTransport {
  if (query === undefined) return secure ? 'tls' : 'udp';
  const match = /^transport=(udp|tcp)$/i.exec(query);
  if (match === null) throw new IceServerError('syntax', 'bad query (only ?transport=)', url);
  const transport = (match[1] as string).toLowerCase();
  if (!secure) return transport === 'tcp' ? 'tcp' : 'udp';
  if (transport === 'udp') throw new IceServerError('syntax', 'TURN over DTLS unsupported', url);
  return 'tls';
}

/**
 * One URL of an `RTCIceServer`. Throws `IceServerError`: `syntax` for a malformed URL or an
 * unknown scheme, `credentials` for a TURN URL without `username` and `credential`.
 */
export function parseIceServerUrl(
  url: string,
  credentials: { readonly username?: string; readonly credential?: string } = {},
): IceServerUrl {
  const colon = url.indexOf(':');
  const scheme = url.slice(0, colon).toLowerCase(); // RFC 3986 §3.1: schemes ignore case
  if (colon < 0 || !['stun', 'stuns', 'turn', 'turns'].includes(scheme)) {
    throw new IceServerError('syntax', 'scheme is not stun, stuns, turn or turns', url);
  }
  const secure = scheme.endsWith('s');
  const rest = url.slice(colon + 1);
  const question = rest.indexOf('?');
  const authority = question < 0 ? rest : rest.slice(0, question);
  const query = question < 0 ? undefined : rest.slice(question + 1);
  // RFC 7064 §3.1: the URI has no "//", no user info, no path.
  if (/[/@#]/.test(authority)) {
    throw new IceServerError('syntax', 'no "//", user info or path in STUN/TURN URLs', url);
  }
  const split = splitHostPort(authority, url);
  const host = parseHost(split.host, url);
  const port = parsePort(split.port, secure ? DEFAULT_TLS_PORT : DEFAULT_PORT, url);
  if (scheme.startsWith('stun')) {
    if (query !== undefined) throw new IceServerError('syntax', 'STUN URLs take no query', url);
    return { kind: 'stun', url, host, port, transport: secure ? 'tls' : 'udp' };
  }
  const transport = turnTransport(secure, query, url);
  const { username, credential } = credentials;
  // WebRTC 1.0 §4.2.4 (set the configuration): TURN needs both, else InvalidAccessError.
  if (username === undefined || credential === undefined) {
    throw new IceServerError('credentials', 'TURN server without username and credential', url);
  }
  return { kind: 'turn', url, host, port, transport, username, credential };
}

/**
 * Every URL of every server, in order. Throws `IceServerError` on the first bad one (W3C
 * `setConfiguration` rejects the whole configuration), `syntax` also for an empty `urls`.
 */
export function parseIceServers(servers: readonly RTCIceServer[]): IceServerUrl[] {
  const result: IceServerUrl[] = [];
  for (const server of servers) {
    const urls = typeof server.urls === 'string' ? [server.urls] : server.urls;
    if (urls.length === 0) throw new IceServerError('syntax', 'urls is empty', '');
    for (const url of urls) result.push(parseIceServerUrl(url, server));
  }
  return result;
}

/** A server with the IP address to contact it at. */
export type ResolvedIceServer = IceServerUrl & { readonly address: SocketAddress };

/** The part of `dns.promises.lookup` used here: every address of a name. */
export type HostLookup = (
  hostname: string,
  options: { all: true },
) => Promise<readonly { readonly address: string; readonly family: number }[]>;

export interface IceServerResolution {
  /** One entry per server and address family its host resolved to, in server order. */
  readonly resolved: ResolvedIceServer[];
  /** Servers whose host name did not resolve (W3C: an `icecandidateerror` with code 701). */
  readonly failed: { readonly server: IceServerUrl; readonly error: IceServerError }[];
}

/**
 * The servers' addresses. An IP host is used as it is; a host name is looked up, and gives one
 * entry for its first IPv4 and one for its first IPv6 address, so host sockets of either family
 * find a server of theirs (RFC 8445 §5.1.1.2 gathers per family). Names are looked up in parallel.
 */
export async function resolveIceServers(
  servers: readonly IceServerUrl[],
  lookup: HostLookup = dns.lookup,
): Promise<IceServerResolution> {
  const outcomes = await Promise.all(
    servers.map(async (server) => {
      const ip = tryParseIp(server.host);
      if (ip !== undefined) return [ip];
      try {
        const found = await lookup(server.host, { all: true });
        const byFamily = new Map<AddressFamily, { address: string; family: AddressFamily }>();
        for (const entry of found) {
          const parsed = tryParseIp(entry.address);
          if (parsed !== undefined && !byFamily.has(parsed.family)) {
            byFamily.set(parsed.family, parsed);
          }
        }
        if (byFamily.size === 0) throw new Error('no address');
        return [...byFamily.values()];
      } catch (error) {
        return new IceServerError('resolution', `${server.host} did not resolve`, server.url, {
          cause: error,
        });
      }
    }),
  );
  const resolution: IceServerResolution = { resolved: [], failed: [] };
  outcomes.forEach((outcome, i) => {
    const server = servers[i] as IceServerUrl;
    if (outcome instanceof IceServerError) {
      resolution.failed.push({ server, error: outcome });
      return;
    }
    for (const { address, family } of outcome) {
      resolution.resolved.push({ ...server, address: { address, port: server.port, family } });
    }
  });
  return resolution;
}
