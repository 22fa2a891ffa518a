/**
 * A scripted, in-memory TURN server for the TurnClient tests: it decodes what the client sends
 * and answers as RFC 8656 says a server does — a 401 challenge first, 438 for a stale nonce,
 * responses signed with the long-term key — unless a test scripts something else through
 * `override`. It keeps every message it got, with the time, for the tests to inspect.
 */

import type { SocketAddress } from '@typertc/common';
import { expect } from 'vitest';
import {
  CHANNEL_NUMBER,
  DATA,
  ERROR_CODE,
  LIFETIME,
  NONCE,
  PASSWORD_ALGORITHM,
  PASSWORD_ALGORITHMS,
  type PasswordAlgorithmValue,
  REALM,
  USERNAME,
  XOR_MAPPED_ADDRESS,
  XOR_PEER_ADDRESS,
  XOR_RELAYED_ADDRESS,
} from '../src/attributes.js';
import { frameChannelData, parseChannelData } from '../src/channel-data.js';
import { PasswordAlgorithm, StunMethod } from '../src/constants.js';
import { longTermKey } from '../src/credentials.js';
import { StunMessage } from '../src/message.js';
import { TurnClient } from '../src/turn/turn-client.js';
import type { TurnClientOptions, TurnEvent } from '../src/turn/turn-types.js';

export const USER = 'alice';
export const PASSWORD = 'correct horse';
export const RELAYED: SocketAddress = { address: '203.0.113.5', port: 50_000, family: 'IPv4' };
export const MAPPED: SocketAddress = { address: '198.51.100.7', port: 40_000, family: 'IPv4' };
export const PEER: SocketAddress = { address: '192.0.2.10', port: 7000, family: 'IPv4' };
export const OTHER_PEER: SocketAddress = { address: '192.0.2.20', port: 7001, family: 'IPv4' };

/** What the server received: a request or indication, or ChannelData. */
export type Received =
  | { readonly at: number; readonly kind: 'stun'; readonly message: StunMessage }
  | {
      readonly at: number;
      readonly kind: 'channel-data';
      readonly bytes: Uint8Array;
      readonly channel: number;
      readonly data: Uint8Array;
    };

/** A scripted answer: bytes to send back, or undefined for no answer (the request is lost). */
export type Override = (message: StunMessage, server: FakeTurnServer) => Uint8Array | undefined;

export class FakeTurnServer {
  realm = 'example.org';
  nonce = 'nonce-1';
  /** PASSWORD-ALGORITHMS to offer in 401s; undefined offers none (MD5, MESSAGE-INTEGRITY). */
  algorithms: readonly PasswordAlgorithmValue[] | undefined;
  /** The lifetime granted to Allocate and Refresh requests that do not ask for 0, seconds. */
  grantedLifetime = 600;
  /** Answers in place of the default behaviour while set (return the default with `answer`). */
  override: Override | undefined;
  readonly received: Received[] = [];

  constructor(readonly password = PASSWORD) {}

  /** The STUN messages received, optionally of one method and class. */
  messages(method?: number, messageClass = 'request'): StunMessage[] {
    return this.received.flatMap((r) =>
      r.kind === 'stun' &&
      (method === undefined || r.message.method === method) &&
      r.message.messageClass === messageClass
        ? [r.message]
        : [],
    );
  }

  /** When each request of `method` arrived. */
  times(method: number): number[] {
    return this.received.flatMap((r) =>
      r.kind === 'stun' && r.message.method === method && r.message.messageClass === 'request'
        ? [r.at]
        : [],
    );
  }

  channelData(): Extract<Received, { kind: 'channel-data' }>[] {
    return this.received.flatMap((r) => (r.kind === 'channel-data' ? [r] : []));
  }

  /** Takes one message from the client; returns the answer, if any. */
  handle(bytes: Uint8Array, at: number): Uint8Array | undefined {
    if (((bytes[0] as number) & 0xc0) === 0x40) {
      const { channel, data } = parseChannelData(bytes);
      this.received.push({ at, kind: 'channel-data', bytes, channel, data });
      return undefined;
    }
    const message = StunMessage.decode(bytes);
    this.received.push({ at, kind: 'stun', message });
    if (message.messageClass !== 'request') return undefined;
    return this.override === undefined ? this.answer(message) : this.override(message, this);
  }

  /** The key for the algorithm the request chose (RFC 8489 §9.2.2). */
  key(request?: StunMessage): Uint8Array {
    const algorithm = request?.get(PASSWORD_ALGORITHM)?.algorithm ?? PasswordAlgorithm.Md5;
    return longTermKey(USER, this.realm, this.password, algorithm);
  }

  /** RFC 8656's server behaviour: challenge, check the nonce and key, then succeed. */
  answer(request: StunMessage): Uint8Array {
    const signed = request.integrityAt >= 0 || request.integritySha256At >= 0;
    if (!signed) return this.challenge(request, 401);
    if (request.get(NONCE) !== this.nonce) return this.challenge(request, 438);
    const key = this.key(request);
    const authentic =
      request.get(USERNAME) === USER &&
      request.get(REALM) === this.realm &&
      (request.integritySha256At >= 0
        ? request.verifySha256Integrity(key)
        : request.verifyIntegrity(key));
    if (!authentic) return this.challenge(request, 401);
    return this.success(request);
  }

  /** A signed success response with what the method's success carries. */
  success(request: StunMessage): Uint8Array {
    const response = new StunMessage('success', request.method, request.transactionId);
    if (request.method === StunMethod.Allocate) {
      response
        .add(XOR_RELAYED_ADDRESS, RELAYED)
        .add(XOR_MAPPED_ADDRESS, MAPPED)
        .add(LIFETIME, this.grantedLifetime);
    } else if (request.method === StunMethod.Refresh) {
      response.add(LIFETIME, request.get(LIFETIME) === 0 ? 0 : this.grantedLifetime);
    }
    return this.sign(request, response);
  }

  /** A signed error response. */
  error(request: StunMessage, code: number, reason = 'Scripted error'): Uint8Array {
    const response = new StunMessage('error', request.method, request.transactionId).add(
      ERROR_CODE,
      { code, reason },
    );
    return this.sign(request, response);
  }

  /** An unsigned 401 or 438 with REALM, NONCE and the offered algorithms, as coturn sends. */
  challenge(request: StunMessage, code: 401 | 438): Uint8Array {
    const response = new StunMessage('error', request.method, request.transactionId)
      .add(ERROR_CODE, { code, reason: code === 401 ? 'Unauthorized' : 'Stale Nonce' })
      .add(REALM, this.realm)
      .add(NONCE, this.nonce);
    if (this.algorithms !== undefined) response.add(PASSWORD_ALGORITHMS, this.algorithms);
    return response.encode({ fingerprint: true });
  }

  /** Encodes with the integrity attribute the request used, and FINGERPRINT. */
  sign(request: StunMessage, response: StunMessage): Uint8Array {
    const key = this.key(request);
    return request.integritySha256At >= 0
      ? response.encode({ integritySha256: key, fingerprint: true })
      : response.encode({ integrity: key, fingerprint: true });
  }
}

/** A Data indication from `peer` (RFC 8656 §11.3). */
export function dataIndication(peer: SocketAddress, data: Uint8Array): Uint8Array {
  return new StunMessage('indication', StunMethod.Data)
    .add(XOR_PEER_ADDRESS, peer)
    .add(DATA, data)
    .encode({ fingerprint: true });
}

/** ChannelData on `channel` as the server would send it. */
export function channelData(channel: number, data: Uint8Array, padded = false): Uint8Array {
  return frameChannelData(channel, data, padded);
}

/** Feeds the client's output to the server and the answers back, until the client is quiet. */
export function exchange(client: TurnClient, server: FakeTurnServer, now: number): void {
  for (let bytes = client.pollTransmit(); bytes; bytes = client.pollTransmit()) {
    const answer = server.handle(bytes, now);
    if (answer !== undefined) client.handleMessage(answer, now);
  }
}

/** Runs the client's timers (answered by the server) until `until`, or until none is left. */
export function runUntil(client: TurnClient, server: FakeTurnServer, until: number): void {
  for (let steps = 0; ; steps++) {
    const at = client.pollTimeout();
    if (at === undefined || at > until) return;
    // A deadline that does not move after handleTimeout would spin here forever.
    if (steps > 10_000) throw new Error(`the client's timer is stuck at ${at}`);
    client.handleTimeout(at);
    exchange(client, server, at);
  }
}

export function drainEvents(client: TurnClient): TurnEvent[] {
  const events: TurnEvent[] = [];
  for (let event = client.pollEvent(); event; event = client.pollEvent()) events.push(event);
  return events;
}

/** The CHANNEL-NUMBER of a ChannelBind request. */
export function channelOf(request: StunMessage): number | undefined {
  return request.get(CHANNEL_NUMBER);
}

export function newClient(options: Partial<TurnClientOptions> = {}): TurnClient {
  return new TurnClient({ transport: 'udp', username: USER, password: PASSWORD, ...options });
}

/** A client allocated on `server` at time 0, its events drained. */
export function allocated(
  server = new FakeTurnServer(),
  options: Partial<TurnClientOptions> = {},
): { client: TurnClient; server: FakeTurnServer } {
  const client = newClient(options);
  client.start(0);
  exchange(client, server, 0);
  expect(client.state).toBe('allocated');
  drainEvents(client);
  return { client, server };
}

/** An Allocate success response's attributes (RFC 8656 §7.3) on `response`. */
export function withAllocation(response: StunMessage): StunMessage {
  return response
    .add(XOR_RELAYED_ADDRESS, RELAYED)
    .add(XOR_MAPPED_ADDRESS, MAPPED)
    .add(LIFETIME, 600);
}
