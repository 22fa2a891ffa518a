/**
 * `RTCConfiguration` (W3C WebRTC 1.0 §4.2) and the checks of "set the configuration"
 * (§4.4.1.6), shared by the `RTCPeerConnection` constructor, `setConfiguration` and
 * `getConfiguration`. Pure functions: they validate and copy, and leave applying the result (ICE
 * servers, pool size) to the peer connection.
 */

import { IceServerError, type IceServerUrl, parseIceServerUrl, type UdpMux } from '@typertc/ice';
import { RTCCertificate } from './certificate.js';
import {
  invalidAccessError,
  invalidModificationError,
  notSupportedError,
  syntaxError,
} from './errors.js';
import { localCodecs, type MediaCodecConfiguration } from './media/codec-capabilities.js';

/** W3C WebRTC 1.0 §4.2 (RTCIceTransportPolicy). */
export type RTCIceTransportPolicy = 'relay' | 'all';
/** W3C WebRTC 1.0 §4.2 (RTCBundlePolicy), RFC 8843 §4 and RFC 8829 §4.1.1. */
export type RTCBundlePolicy = 'balanced' | 'max-compat' | 'max-bundle';
/** W3C WebRTC 1.0 §4.2 (RTCRtcpMuxPolicy): only `require` remains (RFC 8829 §4.1.1). */
export type RTCRtcpMuxPolicy = 'require';

/** W3C WebRTC 1.0 §4.2 (RTCIceServer). */
export interface RTCIceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** W3C WebRTC 1.0 §4.2 (RTCConfiguration), with one server extension. */
export interface RTCConfiguration {
  iceServers?: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  bundlePolicy?: RTCBundlePolicy;
  rtcpMuxPolicy?: RTCRtcpMuxPolicy;
  certificates?: RTCCertificate[];
  iceCandidatePoolSize?: number;
  /**
   * Non-W3C: run ICE on this shared UDP port (`@typertc/ice` UdpMux) instead of host sockets of
   * its own, so a server needs one open port for every peer connection.
   */
  udpMux?: UdpMux;
  /**
   * Non-W3C: the codecs to negotiate, per kind, in preference order (default: Opus, PCMU, PCMA,
   * telephone-event; VP8, VP9, H.264, AV1 with RTX). Fixed at construction.
   */
  codecs?: MediaCodecConfiguration;
}

/** A validated configuration with every member filled in. */
export interface NormalizedConfiguration {
  readonly iceServers: RTCIceServer[];
  readonly iceTransportPolicy: RTCIceTransportPolicy;
  readonly bundlePolicy: RTCBundlePolicy;
  readonly rtcpMuxPolicy: 'require';
  readonly certificates: RTCCertificate[];
  readonly iceCandidatePoolSize: number;
  readonly udpMux: UdpMux | undefined;
  readonly codecs: MediaCodecConfiguration | undefined;
  /** Every URL of `iceServers`, parsed (RFC 7064 §3.1, RFC 7065 §3.1), in order. */
  readonly iceServerUrls: readonly IceServerUrl[];
}

const ICE_TRANSPORT_POLICIES: readonly string[] = ['relay', 'all'];
const BUNDLE_POLICIES: readonly string[] = ['balanced', 'max-compat', 'max-bundle'];
const RTCP_MUX_POLICIES: readonly string[] = ['require'];

/**
 * W3C WebRTC 1.0 §4.2 gives `balanced` as the RTCBundlePolicy default; this project defaults to
 * `max-bundle` instead: a server stack wants one transport for everything (one ICE and DTLS
 * session per peer, RFC 8843 §7), and every browser accepts a max-bundle offer.
 */
const DEFAULT_BUNDLE_POLICY: RTCBundlePolicy = 'max-bundle';
/** W3C WebRTC 1.0 §4.2 defaults. */
const DEFAULT_ICE_TRANSPORT_POLICY: RTCIceTransportPolicy = 'all';
const DEFAULT_RTCP_MUX_POLICY: RTCRtcpMuxPolicy = 'require';
const DEFAULT_ICE_CANDIDATE_POOL_SIZE = 0;
/** `octet iceCandidatePoolSize` (§4.2): 0..255. */
const MAX_ICE_CANDIDATE_POOL_SIZE = 255;

/** The members of an RTCConfiguration after WebIDL conversion (defaults not yet applied). */
interface ConvertedConfiguration {
  readonly iceServers: RTCIceServer[] | undefined;
  readonly iceTransportPolicy: RTCIceTransportPolicy | undefined;
  readonly bundlePolicy: RTCBundlePolicy | undefined;
  readonly rtcpMuxPolicy: RTCRtcpMuxPolicy | undefined;
  readonly certificates: RTCCertificate[] | undefined;
  readonly iceCandidatePoolSize: number | undefined;
  readonly udpMux: UdpMux | undefined;
  readonly codecs: MediaCodecConfiguration | undefined;
}

/** WebIDL enumeration conversion (WebIDL §3.2.18): a value outside the enum is a TypeError. */
function enumMember<T extends string>(
  value: unknown,
  allowed: readonly string[],
  member: string,
): T | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!allowed.includes(text)) {
    throw new TypeError(`RTCConfiguration: "${text.slice(0, 32)}" is not a valid ${member}`);
  }
  return text as T;
}

/**
 * `[EnforceRange] octet` (W3C WebRTC 1.0 §4.2, WebIDL §3.2.4.9): anything but 0..255 is a
 * TypeError. A fraction is rejected too, where WebIDL would truncate it: a pool of 1.5 is a bug.
 */
function poolSize(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 0 ||
    value > MAX_ICE_CANDIDATE_POOL_SIZE
  ) {
    throw new TypeError(`RTCConfiguration: iceCandidatePoolSize ${String(value)} is not 0..255`);
  }
  return value;
}

/**
 * `sequence<RTCIceServer>` conversion (WebIDL §3.2.18/§3.2.24): a non-array or an entry without
 * the required `urls` is a TypeError; DOMString members are stringified. The result is a deep
 * copy, so later changes to the caller's objects do not reach the configuration.
 */
function iceServerList(value: unknown): RTCIceServer[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new TypeError('RTCConfiguration: iceServers is not an array');
  return value.map((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) {
      throw new TypeError('RTCConfiguration: an iceServers entry is not an RTCIceServer');
    }
    const { urls, username, credential } = entry as Record<string, unknown>;
    if (urls === undefined) {
      throw new TypeError('RTCConfiguration: an RTCIceServer lacks the required member "urls"');
    }
    const server: RTCIceServer = {
      urls: Array.isArray(urls) ? urls.map((url: unknown) => String(url)) : String(urls),
    };
    if (username !== undefined) server.username = String(username);
    if (credential !== undefined) server.credential = String(credential);
    return server;
  });
}

/** `sequence<RTCCertificate>` conversion: anything but RTCCertificate objects is a TypeError. */
function certificateList(value: unknown): RTCCertificate[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((entry) => entry instanceof RTCCertificate)) {
    throw new TypeError('RTCConfiguration: certificates is not an array of RTCCertificate');
  }
  return [...value];
}

/** The non-W3C `udpMux`: an object (a `UdpMux`; its identity is all that is compared). */
function udpMuxMember(value: unknown): UdpMux | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) {
    throw new TypeError('RTCConfiguration: udpMux is not a UdpMux');
  }
  return value as UdpMux;
}

/**
 * WebIDL dictionary conversion of an RTCConfiguration: undefined and null are the empty
 * dictionary, another non-object a TypeError, and each member converted as its type says.
 */
function convert(config: unknown): ConvertedConfiguration {
  if (config === undefined || config === null) return convert({});
  if (typeof config !== 'object') {
    throw new TypeError('RTCConfiguration: the configuration is not a dictionary');
  }
  const c = config as Record<string, unknown>;
  return {
    iceServers: iceServerList(c.iceServers),
    iceTransportPolicy: enumMember<RTCIceTransportPolicy>(
      c.iceTransportPolicy,
      ICE_TRANSPORT_POLICIES,
      'RTCIceTransportPolicy',
    ),
    bundlePolicy: enumMember<RTCBundlePolicy>(c.bundlePolicy, BUNDLE_POLICIES, 'RTCBundlePolicy'),
    rtcpMuxPolicy: enumMember<RTCRtcpMuxPolicy>(
      c.rtcpMuxPolicy,
      RTCP_MUX_POLICIES,
      'RTCRtcpMuxPolicy',
    ),
    certificates: certificateList(c.certificates),
    iceCandidatePoolSize: poolSize(c.iceCandidatePoolSize),
    udpMux: udpMuxMember(c.udpMux),
    codecs: codecsMember(c.codecs),
  };
}

/**
 * The non-W3C `codecs`: each kind's list resolved once, so that a malformed codec (unknown
 * without a clock rate, a bad payload type) is a TypeError here rather than at the first offer.
 */
function codecsMember(value: unknown): MediaCodecConfiguration | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) {
    throw new TypeError('RTCConfiguration: codecs is not a MediaCodecConfiguration');
  }
  const codecs = value as MediaCodecConfiguration;
  localCodecs('audio', codecs);
  localCodecs('video', codecs);
  return structuredClone(codecs);
}

/** The W3C exception for an `IceServerError` of `@typertc/ice` (§4.4.1.6, validate an ICE server). */
function iceServerException(error: IceServerError): DOMException {
  switch (error.reason) {
    case 'credentials':
      // A turn: or turns: URL without username or credential.
      return invalidAccessError(error.message);
    case 'unsupported':
      // A scheme the user agent does not implement.
      return notSupportedError(error.message);
    default:
      // A URL that does not parse or whose scheme is not stun, stuns, turn or turns.
      return syntaxError(error.message);
  }
}

/**
 * W3C WebRTC 1.0 §4.4.1.6, "validate an ICE server", for each server: `urls` as a list; an empty
 * list is a SyntaxError; each URL is parsed by the RFC 7064/7065 grammars.
 */
function validateIceServers(servers: readonly RTCIceServer[]): IceServerUrl[] {
  const parsed: IceServerUrl[] = [];
  for (const server of servers) {
    const urls = typeof server.urls === 'string' ? [server.urls] : server.urls;
    if (urls.length === 0) throw syntaxError('RTCIceServer: urls is an empty list');
    for (const url of urls) {
      try {
        parsed.push(parseIceServerUrl(url, server));
      } catch (error) {
        if (error instanceof IceServerError) throw iceServerException(error);
        throw error;
      }
    }
  }
  return parsed;
}

function freezeServers(servers: readonly RTCIceServer[]): RTCIceServer[] {
  return servers.map((server) => {
    if (Array.isArray(server.urls)) Object.freeze(server.urls);
    return Object.freeze(server);
  });
}

function build(
  converted: ConvertedConfiguration,
  certificates: RTCCertificate[],
  udpMux: UdpMux | undefined,
  codecs: MediaCodecConfiguration | undefined,
): NormalizedConfiguration {
  const iceServers = converted.iceServers ?? [];
  const iceServerUrls = validateIceServers(iceServers);
  return Object.freeze({
    iceServers: Object.freeze(freezeServers(iceServers)) as RTCIceServer[],
    iceTransportPolicy: converted.iceTransportPolicy ?? DEFAULT_ICE_TRANSPORT_POLICY,
    bundlePolicy: converted.bundlePolicy ?? DEFAULT_BUNDLE_POLICY,
    rtcpMuxPolicy: converted.rtcpMuxPolicy ?? DEFAULT_RTCP_MUX_POLICY,
    certificates: Object.freeze(certificates) as RTCCertificate[],
    iceCandidatePoolSize: converted.iceCandidatePoolSize ?? DEFAULT_ICE_CANDIDATE_POOL_SIZE,
    udpMux,
    codecs,
    iceServerUrls: Object.freeze(iceServerUrls),
  });
}

/**
 * The configuration given to the `RTCPeerConnection` constructor (W3C WebRTC 1.0 §4.4.1.3),
 * validated and with defaults applied. `certificates` stays empty when none is given: the peer
 * connection then generates one (§4.4.1.3 step "generate a new RTCCertificate").
 *
 * Throws TypeError for what WebIDL rejects (an unknown enum value, a pool size outside 0..255, an
 * RTCIceServer without `urls`), InvalidAccessError for an expired certificate (§4.4.1.3) or a
 * TURN URL without username or credential, SyntaxError for an empty `urls` or a malformed URL,
 * NotSupportedError for a scheme this stack does not implement (§4.4.1.6).
 */
export function normalizeConfiguration(config: RTCConfiguration = {}): NormalizedConfiguration {
  const converted = convert(config);
  const certificates = converted.certificates ?? [];
  // §4.4.1.3: "If the value of certificate.expires is less than the current time, throw an
  // InvalidAccessError." Only at construction: setConfiguration may only repeat these same ones.
  const now = Date.now();
  for (const certificate of certificates) {
    if (certificate.expires < now) {
      throw invalidAccessError('RTCConfiguration: a certificate has expired');
    }
  }
  return build(converted, certificates, converted.udpMux, converted.codecs);
}

/**
 * `setConfiguration(next)` (W3C WebRTC 1.0 §4.4.1.6, "set the configuration"): the new
 * configuration replaces the whole current one, so a member absent from `next` takes its default.
 * Two exceptions: absent `certificates` keep the current ones (they have no default, and the
 * spec compares them only "if configuration.certificates is set"), and so does the non-W3C
 * `udpMux`, whose port the ICE agent has already bound.
 *
 * Throws as `normalizeConfiguration` does, and InvalidModificationError when `next` would change
 * what is fixed at construction: different certificates (compared by identity, in order), a
 * different bundlePolicy or rtcpMuxPolicy — including by omission, when the current value is not
 * the default, as in browsers — a different udpMux, or a different iceCandidatePoolSize once a
 * local description has been set. The caller throws InvalidStateError when closed first.
 */
export function updateConfiguration(
  current: NormalizedConfiguration,
  next: RTCConfiguration,
  localDescriptionSet: boolean,
): NormalizedConfiguration {
  const converted = convert(next);
  const certificates = converted.certificates ?? current.certificates;
  if (
    certificates.length !== current.certificates.length ||
    certificates.some((certificate, i) => certificate !== current.certificates[i])
  ) {
    throw invalidModificationError('setConfiguration: the certificates cannot change');
  }
  if ((converted.bundlePolicy ?? DEFAULT_BUNDLE_POLICY) !== current.bundlePolicy) {
    throw invalidModificationError('setConfiguration: the bundlePolicy cannot change');
  }
  if ((converted.rtcpMuxPolicy ?? DEFAULT_RTCP_MUX_POLICY) !== current.rtcpMuxPolicy) {
    throw invalidModificationError('setConfiguration: the rtcpMuxPolicy cannot change');
  }
  const udpMux = converted.udpMux ?? current.udpMux;
  if (udpMux !== current.udpMux) {
    throw invalidModificationError('setConfiguration: the udpMux cannot change');
  }
  const pool = converted.iceCandidatePoolSize ?? DEFAULT_ICE_CANDIDATE_POOL_SIZE;
  // §4.4.1.6: the pool can be resized until setLocalDescription has been called.
  if (localDescriptionSet && pool !== current.iceCandidatePoolSize) {
    throw invalidModificationError(
      'setConfiguration: iceCandidatePoolSize cannot change after setLocalDescription',
    );
  }
  const codecs = converted.codecs ?? current.codecs;
  if (JSON.stringify(codecs) !== JSON.stringify(current.codecs)) {
    throw invalidModificationError('setConfiguration: the codecs cannot change');
  }
  return build(converted, [...current.certificates], udpMux, codecs);
}

/**
 * What `getConfiguration()` returns (W3C WebRTC 1.0 §4.4.1.6: the [[Configuration]] slot):
 * fresh copies, so the caller cannot reach the peer connection's state through them.
 */
export function configurationView(config: NormalizedConfiguration): RTCConfiguration {
  const view: RTCConfiguration = {
    iceServers: config.iceServers.map((server) => {
      const copy: RTCIceServer = {
        urls: typeof server.urls === 'string' ? server.urls : [...server.urls],
      };
      if (server.username !== undefined) copy.username = server.username;
      if (server.credential !== undefined) copy.credential = server.credential;
      return copy;
    }),
    iceTransportPolicy: config.iceTransportPolicy,
    bundlePolicy: config.bundlePolicy,
    rtcpMuxPolicy: config.rtcpMuxPolicy,
    certificates: [...config.certificates],
    iceCandidatePoolSize: config.iceCandidatePoolSize,
  };
  if (config.udpMux !== undefined) view.udpMux = config.udpMux;
  if (config.codecs !== undefined) view.codecs = structuredClone(config.codecs);
  return view;
}
