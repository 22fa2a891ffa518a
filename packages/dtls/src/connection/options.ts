/** What a `DtlsConnection` is configured with, its defaults, and what it reports. */

import type { DtlsCertificate } from '../certificate/certificate.js';
import type { CertificateFingerprint } from '../certificate/fingerprint.js';
import { CIPHER_SUITES, type CipherSuiteInfo, cipherSuiteByName } from '../crypto/cipher-suites.js';
import type { HelloCookies } from '../crypto/cookie.js';
import { DtlsError } from '../errors.js';

export type DtlsRole = 'client' | 'server';

/** `new` until started, `connecting` during the handshake, then `connected`, `closed` or `failed`. */
export type DtlsState = 'new' | 'connecting' | 'connected' | 'closed' | 'failed';

export interface DtlsConnectionOptions {
  readonly role: DtlsRole;
  /** Our certificate and key: ECDSA (P-256 or P-384) or RSA. */
  readonly certificate: DtlsCertificate;
  /**
   * The peer certificate's fingerprints from its SDP (RFC 8122 §5): the handshake fails unless
   * the certificate matches one. May come later (`setRemoteFingerprints`): the connection then
   * completes the handshake but reports `connected` and releases keys only once they match.
   */
  readonly remoteFingerprints?: readonly CertificateFingerprint[];
  /** Suite names to offer or accept, in order of preference; default all (`CIPHER_SUITES`). */
  readonly cipherSuites?: readonly string[];
  /** use_srtp profiles (RFC 5764 §4.1.2) in order of preference; default none offered. */
  readonly srtpProfiles?: readonly number[];
  /** Largest datagram a flight is cut into (RFC 6347 §4.1.1.1); default 1200. */
  readonly mtu?: number;
  /**
   * First retransmission timeout of a flight (RFC 6347 §4.2.4.1), doubled on each expiry up to
   * 60 s; default 250 ms (see `DEFAULT_INITIAL_RETRANSMIT_MS`).
   */
  readonly initialRetransmitMs?: number;
  /** The handshake fails with `DtlsTimeoutError` this long after it started; default 30 s. */
  readonly handshakeTimeoutMs?: number;
  /** Server: the cookie secret, shared by every connection of a listener; default its own. */
  readonly cookies?: HelloCookies;
  /**
   * Server: whether a ClientHello must first bring back a cookie (RFC 6347 §4.2.1); default
   * true. The exchange proves the client's address before the server sends its large flight;
   * a server whose path is proved already (ICE checks and consent, RFC 7675) may skip it and
   * save a round trip, as §4.2.1 allows where amplification is not a concern.
   */
  readonly cookieExchange?: boolean;
  /** Server: the client's address as the cookie binds it (RFC 6347 §4.2.1); default ''. */
  readonly peerAddress?: string;
  /** Gets an NSS key log line (SSLKEYLOGFILE format) once the master secret is known. */
  readonly keyLog?: (line: string) => void;
}

/**
 * RFC 6347 §4.2.4.1 suggests 1 s. A lost flight then costs a full second, and WebRTC's
 * handshake has up to four flights. 250 ms is above the round trip of nearly every path a
 * WebRTC session runs over (so a healthy handshake sends no spurious retransmission), recovers
 * from a loss four times sooner, and with the doubling a dead peer still costs only 8 flights
 * in the first minute. libwebrtc starts lower (50 ms), which re-sends whole flights on any
 * path slower than that.
 */
export const DEFAULT_INITIAL_RETRANSMIT_MS = 250;
/** RFC 6347 §4.2.4.1: the timer doubles up to 60 s. */
export const MAX_RETRANSMIT_MS = 60_000;
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 30_000;
export const DEFAULT_MTU = 1200;
/** Room for IPv6/UDP headers leaves ~1200 for WebRTC; below this a flight cannot be cut. */
const MIN_MTU = 200;

export interface ResolvedOptions {
  readonly role: DtlsRole;
  readonly certificate: DtlsCertificate;
  readonly cipherSuites: readonly CipherSuiteInfo[];
  readonly srtpProfiles: readonly number[];
  readonly mtu: number;
  readonly initialRetransmitMs: number;
  readonly handshakeTimeoutMs: number;
  readonly peerAddress: string;
  readonly cookieExchange: boolean;
  readonly keyLog: ((line: string) => void) | undefined;
}

/** Checks and completes the options; throws `DtlsError` for unusable ones. */
export function resolveOptions(options: DtlsConnectionOptions): ResolvedOptions {
  const names = options.cipherSuites;
  const suites =
    names === undefined
      ? CIPHER_SUITES
      : names.map((name) => {
          const suite = cipherSuiteByName(name);
          if (suite === undefined) throw new DtlsError(`unknown cipher suite ${name}`);
          return suite;
        });
  const keyType = options.certificate.keyType;
  const usable = suites.filter((suite) =>
    keyType === 'RSA' ? suite.authentication === 'RSA' : suite.authentication === 'ECDSA',
  );
  // A server can only choose suites its certificate signs for; a client offers them all, as
  // its certificate signs CertificateVerify, which any suite allows.
  if ((options.role === 'server' ? usable : suites).length === 0) {
    throw new DtlsError(`no cipher suite usable with a ${keyType} certificate`);
  }
  const mtu = options.mtu ?? DEFAULT_MTU;
  if (!Number.isInteger(mtu) || mtu < MIN_MTU || mtu > 65_507) {
    throw new DtlsError(`mtu must be an integer from ${MIN_MTU} to 65507, got ${mtu}`);
  }
  const initialRetransmitMs = options.initialRetransmitMs ?? DEFAULT_INITIAL_RETRANSMIT_MS;
  if (!(initialRetransmitMs > 0)) throw new DtlsError('initialRetransmitMs must be positive');
  return {
    role: options.role,
    certificate: options.certificate,
    cipherSuites: suites,
    srtpProfiles: options.srtpProfiles ?? [],
    mtu,
    initialRetransmitMs,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    peerAddress: options.peerAddress ?? '',
    cookieExchange: options.cookieExchange ?? true,
    keyLog: options.keyLog,
  };
}

/** What a connection reports through `pollEvent()`. */
export type DtlsEvent =
  | { readonly type: 'connected' }
  /** The peer sent close_notify, or `close()` was called. */
  | { readonly type: 'closed' }
  /** A fatal alert sent or received, a failed check, or the handshake timeout. */
  | { readonly type: 'failed'; readonly error: Error };
