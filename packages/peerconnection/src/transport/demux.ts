/**
 * The one demultiplexer of a peer connection (RFC 7983 §7, DESIGN.md principle 3). The ICE
 * transport keeps STUN (first byte 0..3) for itself; what it hands on is sorted here by its
 * first byte: 20..63 is DTLS, 128..191 RTP or RTCP (RFC 5761 §4 tells them apart by the second
 * byte), anything else is dropped and counted. Nothing else in the stack guesses packet types.
 *
 * DTLS gets a `DatagramTransport` of its own, `dtls`, whose sends go out on the ICE transport's
 * selected pair. A DTLS client may start before ICE has selected one (the answerer's side, say):
 * its first flight waits here, a few datagrams at most, and leaves when a pair is selected,
 * rather than failing and waiting for DTLS's retransmission timer.
 */

import {
  type DatagramTransport,
  type DatagramTransportEvents,
  Emitter,
  type SocketAddress,
} from '@typertc/common';
import type { IceTransport } from '@typertc/ice';

/** Datagrams held for a pair to be selected; a DTLS flight is a handful. */
const MAX_HELD = 32;

/**
 * The channel's remote address before ICE has selected a pair. The channel is connected to
 * whichever pair ICE selects (sends wait for it), so the layer above must see it as connected
 * from the start; this unspecified address stands for the pair to come.
 */
const PAIR_TO_COME: SocketAddress = { address: '0.0.0.0', port: 0, family: 'IPv4' };

export type MediaPacketListener = (data: Uint8Array, rtcp: boolean) => void;

export interface DemuxStats {
  /** Datagrams whose first byte is in none of RFC 7983's ranges (after STUN). */
  unknownDropped: number;
  /** RTP or RTCP with no listener (no media negotiated yet). */
  mediaDropped: number;
  /** Datagrams dropped because too many were waiting for a selected pair. */
  heldDropped: number;
}

export class Demultiplexer {
  readonly stats: DemuxStats = { unknownDropped: 0, mediaDropped: 0, heldDropped: 0 };
  /** What DTLS runs over. */
  readonly dtls: IceChannel;
  #media: MediaPacketListener | undefined;
  readonly #unsubscribes: (() => void)[];

  constructor(readonly ice: IceTransport) {
    this.dtls = new IceChannel(ice, this.stats);
    this.#unsubscribes = [ice.on('datagram', (data, from) => this.#route(data, from))];
  }

  /** Where RTP and RTCP go (the media issue's SRTP session). */
  set onMedia(listener: MediaPacketListener | undefined) {
    this.#media = listener;
  }

  close(): void {
    for (const unsubscribe of this.#unsubscribes.splice(0)) unsubscribe();
    this.dtls.close();
  }

  #route(data: Uint8Array, from: SocketAddress): void {
    const first = data[0] as number;
    if (first >= 20 && first <= 63) {
      this.dtls.deliver(data, from);
    } else if (first >= 128 && first <= 191) {
      const media = this.#media;
      if (media === undefined) {
        this.stats.mediaDropped++;
        return;
      }
      // RFC 5761 §4: RTCP packet types 192..223 (SR 200, RR 201, ... ) sit where RTP has the
      // marker bit and payload type, and no WebRTC payload type falls in 64..95.
      const second = (data[1] ?? 0) as number;
      media(data, second >= 192 && second <= 223);
    } else {
      this.stats.unknownDropped++;
    }
  }
}

/**
 * One protocol's view of the ICE transport: sends go out on the selected pair (held until there
 * is one), and only the datagrams the demultiplexer routes here come in.
 */
export class IceChannel implements DatagramTransport {
  readonly #ice: IceTransport;
  readonly #stats: DemuxStats;
  readonly #events = new Emitter<DatagramTransportEvents>();
  readonly #held: Uint8Array[] = [];
  #unsubscribeSelection: (() => void) | undefined;
  #closed = false;

  constructor(ice: IceTransport, stats: DemuxStats) {
    this.#ice = ice;
    this.#stats = stats;
  }

  get localAddress(): SocketAddress {
    return this.#ice.localAddress;
  }

  /** The selected pair's remote address (see `PAIR_TO_COME` before there is one). */
  get remoteAddress(): SocketAddress {
    return this.#ice.remoteAddress ?? PAIR_TO_COME;
  }

  get closed(): boolean {
    return this.#closed || this.#ice.closed;
  }

  send(data: Uint8Array): void {
    if (this.closed) return;
    if (this.#ice.selectedPair !== undefined && this.#held.length === 0) {
      this.#ice.send(data);
      return;
    }
    if (this.#held.length >= MAX_HELD) {
      this.#held.shift();
      this.#stats.heldDropped++;
    }
    this.#held.push(data);
    this.#unsubscribeSelection ??= this.#ice.on('selected-pair', () => this.#flush());
  }

  on<K extends keyof DatagramTransportEvents>(
    event: K,
    listener: DatagramTransportEvents[K],
  ): () => void {
    return this.#events.on(event, listener);
  }

  off<K extends keyof DatagramTransportEvents>(
    event: K,
    listener: DatagramTransportEvents[K],
  ): void {
    this.#events.off(event, listener);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#held.length = 0;
    this.#unsubscribeSelection?.();
    this.#events.emit('close');
  }

  /** A datagram the demultiplexer routed here. */
  deliver(data: Uint8Array, from: SocketAddress): void {
    if (!this.#closed) this.#events.emit('datagram', data, from);
  }

  #flush(): void {
    this.#unsubscribeSelection?.();
    this.#unsubscribeSelection = undefined;
    for (const data of this.#held.splice(0)) {
      if (this.closed) return;
      this.#ice.send(data);
    }
  }
}
