/**
 * Our current flight and its retransmission timer (RFC 6347 §4.2.4). A flight is the group of
 * messages one side sends before waiting for the other; it is kept whole until the peer's next
 * flight shows it arrived, and re-sent — with fresh record sequence numbers — when the timer
 * expires (doubling each time, up to 60 s, §4.2.4.1) or when the peer re-sends its previous
 * flight (§4.2.4: it did not get ours).
 */

import { fragmentMessage, HANDSHAKE_HEADER_LENGTH } from '../handshake/handshake-header.js';
import { ContentType } from '../record/index.js';
import { MAX_RETRANSMIT_MS } from './options.js';
import { packRecords, type RecordLayer } from './record-layer.js';

/** One item of a flight: a handshake message, or ChangeCipherSpec before the epoch change. */
export type FlightItem =
  | {
      readonly kind: 'handshake';
      readonly msgType: number;
      readonly messageSeq: number;
      readonly body: Uint8Array;
      readonly epoch: number;
    }
  | { readonly kind: 'change-cipher-spec' };

const CHANGE_CIPHER_SPEC = Uint8Array.of(1);

/** Record sealing overhead allowed for when cutting epoch-1 fragments (CBC's is the largest). */
const MAX_RECORD_OVERHEAD = 13 + 16 + 20 + 16;

export class Flight {
  readonly items: readonly FlightItem[];
  /** Whether this flight ends the handshake on its side (no reply expected, §4.2.4). */
  readonly final: boolean;
  #timeoutMs: number;
  #deadline: number | undefined;

  constructor(items: readonly FlightItem[], final: boolean, initialTimeoutMs: number) {
    this.items = items;
    this.final = final;
    this.#timeoutMs = initialTimeoutMs;
  }

  /** When to re-send; undefined for a final flight (it is re-sent only when asked). */
  get deadline(): number | undefined {
    return this.#deadline;
  }

  /**
   * The flight as datagrams of at most `mtu` bytes: handshake messages cut into fragments
   * (§4.2.3), each in its own record, packed several to a datagram.
   */
  datagrams(records: RecordLayer, mtu: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const item of this.items) {
      if (item.kind === 'change-cipher-spec') {
        out.push(records.seal(ContentType.changeCipherSpec, CHANGE_CIPHER_SPEC, 0));
        continue;
      }
      const overhead = item.epoch === 0 ? 13 : MAX_RECORD_OVERHEAD;
      const maxFragment = Math.max(mtu - overhead, HANDSHAKE_HEADER_LENGTH + 1);
      for (const fragment of fragmentMessage(
        item.msgType,
        item.messageSeq,
        item.body,
        maxFragment,
      )) {
        out.push(records.seal(ContentType.handshake, fragment, item.epoch));
      }
    }
    return packRecords(out, mtu);
  }

  /** The flight went out at `now`: arm the timer (non-final flights only). */
  sent(now: number): void {
    if (!this.final) this.#deadline = now + this.#timeoutMs;
  }

  /** The timer expired: back off (§4.2.4.1) before the re-send. */
  backOff(): void {
    this.#timeoutMs = Math.min(this.#timeoutMs * 2, MAX_RETRANSMIT_MS);
  }

  /** The peer's reply arrived: nothing more to re-send on a timer. */
  acknowledged(): void {
    this.#deadline = undefined;
  }
}
