/**
 * A UDP relay between the two peers of a test, so that the test can lose packets on the wire
 * without a hook in either stack: both peers are told only relay addresses, and the relay
 * forwards every datagram (STUN, DTLS, SRTP, SRTCP) both ways, dropping those `drop` picks.
 *
 * For each real address X of one side there is a proxy socket P(X), bound on X's own IP (so it
 * is reachable exactly as X is, IPv4 or IPv6), that stands in for X towards the other side. A
 * datagram from Y arriving at P(X) goes to X from P(Y): each peer then sees traffic only from
 * proxies of addresses it was told about, so no peer-reflexive candidate can open a direct
 * path around the relay. A proxy for an address nobody signalled is made on first use.
 */

import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import type { IceCandidateInit } from '../peerconnection/remote-peer.js';

export type RelaySide = 'typertc' | 'remote';

export interface UdpRelayOptions {
  /** Whether to drop `datagram` on its way to side `to`; asked for every datagram. */
  readonly drop?: (datagram: Uint8Array, to: RelaySide) => boolean;
}

export interface RelayCounters {
  forwarded: number;
  dropped: number;
}

interface Address {
  readonly address: string;
  readonly port: number;
}

/** A socket standing in for `target`, an address of `side`. */
interface Proxy {
  readonly socket: Socket;
  readonly target: Address;
  readonly side: RelaySide;
  /** The proxy's own address, what the other side is told. */
  readonly local: Address;
}

function key(address: Address): string {
  return `${address.address}|${address.port}`;
}

function otherSide(side: RelaySide): RelaySide {
  return side === 'typertc' ? 'remote' : 'typertc';
}

export class UdpRelay {
  /** Datagrams towards each side. */
  readonly counters: Record<RelaySide, RelayCounters> = {
    typertc: { forwarded: 0, dropped: 0 },
    remote: { forwarded: 0, dropped: 0 },
  };
  readonly #drop: (datagram: Uint8Array, to: RelaySide) => boolean;
  /** Proxies by the real address they stand for (made once, even when asked for concurrently). */
  readonly #proxies = new Map<string, Promise<Proxy>>();
  #closed = false;

  constructor(options: UdpRelayOptions = {}) {
    this.#drop = options.drop ?? (() => false);
  }

  /**
   * `candidate`, from `side`, pointing at its proxy instead; undefined for a candidate the
   * relay cannot stand in for (TCP, an mDNS name, a link-local IPv6 address), which the caller
   * should then not signal at all, or it would be a path around the relay.
   */
  async rewriteCandidate(
    side: RelaySide,
    candidate: IceCandidateInit,
  ): Promise<IceCandidateInit | undefined> {
    const fields = (candidate.candidate ?? '').split(' ');
    // candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ...
    const [, , transport, , address, port] = fields;
    if (transport?.toLowerCase() !== 'udp' || address === undefined || port === undefined) {
      return undefined;
    }
    if (isIP(address) === 0 || address.toLowerCase().startsWith('fe80:')) return undefined;
    const proxy = await this.#proxyFor(side, { address, port: Number(port) });
    fields[4] = proxy.local.address;
    fields[5] = String(proxy.local.port);
    return { ...candidate, candidate: fields.join(' ') };
  }

  #proxyFor(side: RelaySide, target: Address): Promise<Proxy> {
    let proxy = this.#proxies.get(key(target));
    if (proxy === undefined) {
      proxy = this.#bind(side, target);
      this.#proxies.set(key(target), proxy);
    }
    return proxy;
  }

  async #bind(side: RelaySide, target: Address): Promise<Proxy> {
    if (this.#closed) throw new Error('relay closed');
    const socket = createSocket(isIP(target.address) === 6 ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, target.address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const { port } = socket.address();
    const proxy: Proxy = { socket, target, side, local: { address: target.address, port } };
    socket.on('message', (datagram, from) => {
      void this.#forward(proxy, datagram, { address: from.address, port: from.port });
    });
    // A peer that has gone away makes sends fail (ICMP port unreachable): not the test's concern.
    socket.on('error', () => undefined);
    return proxy;
  }

  /** A datagram from `from` (of the other side) reached `proxy`: on to its target. */
  async #forward(proxy: Proxy, datagram: Buffer, from: Address): Promise<void> {
    const to = proxy.side;
    if (this.#closed) return;
    if (this.#drop(datagram, to)) {
      this.counters[to].dropped++;
      return;
    }
    let sender: Proxy;
    try {
      sender = await this.#proxyFor(otherSide(to), from);
    } catch {
      return; // closed meanwhile
    }
    if (this.#closed) return;
    this.counters[to].forwarded++;
    sender.socket.send(datagram, proxy.target.port, proxy.target.address);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const proxies = await Promise.allSettled(this.#proxies.values());
    this.#proxies.clear();
    await Promise.all(
      proxies.map((result) =>
        result.status === 'fulfilled'
          ? new Promise<void>((resolve) => result.value.socket.close(() => resolve()))
          : undefined,
      ),
    );
  }
}

/**
 * The SSRC of an (S)RTP datagram, or undefined for anything else: STUN (first byte 0-3), DTLS
 * (20-63), RTCP (RTP version 2 and a packet type of 200-207 in the second byte; RFC 5761 §4,
 * RFC 7983 §7). SRTP leaves the header, SSRC included, in the clear.
 */
export function rtpSsrc(datagram: Uint8Array): number | undefined {
  if (datagram.length < 12) return undefined;
  const first = datagram[0] as number;
  const second = datagram[1] as number;
  if (first < 0x80 || first > 0xbf || (second >= 200 && second <= 207)) return undefined;
  const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  return view.getUint32(8);
}

/**
 * A `drop` that loses every `every`-th RTP packet of the SSRCs `ssrcs()` names on their way to
 * `to`: deterministic, so a run loses the same share each time, and never two in a row, so each
 * loss is a plain NACK and retransmission (a retransmission may itself be the one dropped).
 */
export function dropEveryNthRtp(
  to: RelaySide,
  ssrcs: () => ReadonlySet<number>,
  every: number,
): (datagram: Uint8Array, towards: RelaySide) => boolean {
  let seen = 0;
  return (datagram, towards) => {
    if (towards !== to) return false;
    const ssrc = rtpSsrc(datagram);
    if (ssrc === undefined || !ssrcs().has(ssrc)) return false;
    seen++;
    return seen % every === 0;
  };
}
