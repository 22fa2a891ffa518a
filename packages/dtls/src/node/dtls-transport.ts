/**
 * `DtlsTransport`: a `DtlsConnection` bound to any `DatagramTransport` (a UDP socket, an
 * `IceTransport`, the in-memory network) and real timers, and itself a `DatagramTransport` for
 * the layer above (SCTP): `send(data)` goes out as one application data record, and each record
 * the peer sends comes out as a `datagram` event.
 *
 *     const dtls = DtlsTransport.create({ transport: ice, role: 'client', certificate,
 *                                         remoteFingerprints, srtpProfiles });
 *     await dtls.connected();
 *     const keys = dtls.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 60);
 *
 * From the lower transport only DTLS datagrams are taken (first byte 20–63, RFC 7983 §7); the
 * rest is left to whoever else listens. With `SSLKEYLOGFILE` set, key log lines are appended to
 * that file, so Wireshark can decrypt the session.
 */

import { appendFileSync } from 'node:fs';
import {
  BaseDatagramTransport,
  type DatagramTransport,
  type DatagramTransportEvents,
  Emitter,
  RealClock,
  type Scheduler,
  type SocketAddress,
  type TimerHandle,
} from '@typertc/common';
import type { CertificateFingerprint } from '../certificate/fingerprint.js';
import { DtlsConnection } from '../connection/dtls-connection.js';
import type { DtlsConnectionOptions, DtlsState } from '../connection/options.js';
import { DtlsError } from '../errors.js';

export interface DtlsTransportOptions extends DtlsConnectionOptions {
  /** What the records travel over. */
  readonly transport: DatagramTransport;
  /**
   * The peer's address; default the lower transport's `remoteAddress`, else (a server) the
   * address of the first DTLS datagram.
   */
  readonly remoteAddress?: SocketAddress;
  /** Time and the one timer; default the real clock. */
  readonly scheduler?: Scheduler;
}

export interface DtlsTransportEvents extends DatagramTransportEvents {
  /** `connecting`, `connected`, `closed`, `failed` (W3C RTCDtlsTransportState's). */
  state: (state: DtlsState) => void;
}

/** RFC 7983 §7: DTLS records start with a content type byte in 20..63. */
function isDtls(data: Uint8Array): boolean {
  const first = data[0];
  return first !== undefined && first >= 20 && first <= 63;
}

function sslKeyLogFile(): ((line: string) => void) | undefined {
  const path = process.env.SSLKEYLOGFILE;
  return path === undefined || path === ''
    ? undefined
    : (line) => appendFileSync(path, `${line}\n`);
}

export class DtlsTransport extends BaseDatagramTransport {
  readonly connection: DtlsConnection;
  readonly #lower: DatagramTransport;
  readonly #scheduler: Scheduler;
  readonly #events = new Emitter<Pick<DtlsTransportEvents, 'state'>>();
  readonly #unsubscribes: (() => void)[] = [];
  #peer: SocketAddress | undefined;
  #timer: TimerHandle | undefined;
  #timerAt: number | undefined;
  #lastState: DtlsState = 'new';

  /** Starts the handshake at once (a server waits for the ClientHello). */
  static create(options: DtlsTransportOptions): DtlsTransport {
    return new DtlsTransport(options);
  }

  private constructor(options: DtlsTransportOptions) {
    const { transport, remoteAddress, scheduler, ...connectionOptions } = options;
    const peer = remoteAddress ?? transport.remoteAddress;
    super('DTLS transport', peer);
    this.#lower = transport;
    this.#scheduler = scheduler ?? new RealClock();
    this.#peer = peer;
    if (this.#peer === undefined && connectionOptions.role === 'client') {
      throw new DtlsError('a DTLS client needs remoteAddress or a connected transport');
    }
    const keyLog = connectionOptions.keyLog ?? sslKeyLogFile();
    this.connection = new DtlsConnection({
      ...connectionOptions,
      ...(keyLog === undefined ? {} : { keyLog }),
      ...(this.#peer === undefined
        ? {}
        : { peerAddress: `${this.#peer.address}:${this.#peer.port}` }),
    });
    this.#unsubscribes.push(
      transport.on('datagram', (data, from) => this.#receive(data, from)),
      transport.on('close', () => this.close()),
    );
    this.connection.start(this.#scheduler.now());
    this.#drive();
  }

  get state(): DtlsState {
    return this.connection.state;
  }

  override get localAddress(): SocketAddress {
    return this.#lower.localAddress;
  }

  /** Resolves once connected; rejects with the failure, or `DtlsError` if closed first. */
  connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      const settle = (state: DtlsState): boolean => {
        if (state === 'connected') resolve();
        else if (state === 'failed') reject(this.connection.error);
        else if (state === 'closed') reject(new DtlsError('closed before connecting'));
        else return false;
        return true;
      };
      if (settle(this.state)) return;
      const off = this.#events.on('state', (state) => {
        if (settle(state)) off();
      });
    });
  }

  /** Adds a listener: `state` here, `datagram`/`close`/`error` as any datagram transport. */
  override on<K extends keyof DtlsTransportEvents>(
    event: K,
    listener: DtlsTransportEvents[K],
  ): () => void {
    if (event === 'state') {
      return this.#events.on('state', listener as DtlsTransportEvents['state']);
    }
    const datagramEvent = event as keyof DatagramTransportEvents;
    return super.on(datagramEvent, listener as DatagramTransportEvents[typeof datagramEvent]);
  }

  override off<K extends keyof DtlsTransportEvents>(
    event: K,
    listener: DtlsTransportEvents[K],
  ): void {
    if (event === 'state') {
      this.#events.off('state', listener as DtlsTransportEvents['state']);
      return;
    }
    const datagramEvent = event as keyof DatagramTransportEvents;
    super.off(datagramEvent, listener as DatagramTransportEvents[typeof datagramEvent]);
  }

  setRemoteFingerprints(fingerprints: readonly CertificateFingerprint[]): void {
    this.connection.setRemoteFingerprints(fingerprints);
    this.#drive();
  }

  exportKeyingMaterial(label: string, length: number, context?: Uint8Array): Uint8Array {
    return this.connection.exportKeyingMaterial(label, length, context);
  }

  protected override transmit(data: Uint8Array): void {
    this.connection.send(data);
    this.#drive();
  }

  /** Sends close_notify (if connected), stops the timer and leaves the lower transport open. */
  protected override release(): void {
    this.connection.close();
    this.#drive();
    this.#timer?.cancel();
    this.#timer = undefined;
    for (const unsubscribe of this.#unsubscribes.splice(0)) unsubscribe();
  }

  #receive(data: Uint8Array, from: SocketAddress): void {
    if (!isDtls(data)) return;
    if (this.#peer === undefined) {
      // A server learns its peer from the first DTLS datagram; `remoteAddress` follows (the
      // base class holds it as a plain field).
      const peer = { address: from.address, port: from.port, family: from.family };
      this.#peer = peer;
      (this as { remoteAddress: SocketAddress | undefined }).remoteAddress = peer;
    }
    // A received datagram belongs to its listener (DatagramTransport's contract), so records
    // are decrypted in place.
    this.connection.handleDatagram(data, this.#scheduler.now(), true);
    this.#drive();
  }

  /** After every input: send, deliver, report, and re-arm the one timer. */
  #drive(): void {
    const connection = this.connection;
    for (let out = connection.pollTransmit(); out; out = connection.pollTransmit()) {
      if (this.#lower.closed) continue;
      try {
        // A connected lower transport (a connected socket, an ICE transport) knows the peer.
        const to = this.#lower.remoteAddress === undefined ? this.#peer : undefined;
        this.#lower.send(out, to);
      } catch (error) {
        this.emitError(error as Error);
      }
    }
    for (
      let data = connection.pollApplicationData();
      data;
      data = connection.pollApplicationData()
    ) {
      this.emitDatagram(data, this.#peer as SocketAddress);
    }
    for (let event = connection.pollEvent(); event; event = connection.pollEvent()) {
      if (event.type === 'failed') this.emitError(event.error);
    }
    const state = connection.state;
    if (state !== this.#lastState) {
      this.#lastState = state;
      this.#events.emit('state', state);
      if ((state === 'closed' || state === 'failed') && !this.closed) this.close();
    }
    this.#armTimer();
  }

  #armTimer(): void {
    const at = this.connection.pollTimeout();
    if (at === this.#timerAt) return;
    this.#timer?.cancel();
    this.#timerAt = at;
    this.#timer =
      at === undefined
        ? undefined
        : this.#scheduler.setTimer(at, () => {
            this.#timer = undefined;
            this.#timerAt = undefined;
            this.connection.handleTimeout(this.#scheduler.now());
            this.#drive();
          });
  }
}
