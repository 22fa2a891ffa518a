/**
 * What a sender keeps of the RTP it sent, to answer a NACK (RFC 4585 §6.2.1) with a
 * retransmission: the last `capacity` packets of one SSRC, unprotected, by sequence number.
 * A ring of slots each owning a buffer that is reused, so recording a packet allocates only
 * when it is larger than any the slot held before. Packets older than `maxAgeMs` are not
 * resent (a late retransmission only costs bandwidth: RFC 4588 §3 leaves the window to the
 * sender).
 */

export interface SendHistoryOptions {
  /** How many packets are kept; a power of two up to 32768 (default 1024, as libwebrtc). */
  readonly capacity?: number;
  /** Packets older than this are not resent (default 1,000 ms). */
  readonly maxAgeMs?: number;
}

interface Slot {
  /** The sequence number it holds, or -1. */
  sequence: number;
  sentAt: number;
  length: number;
  bytes: Uint8Array;
}

const DEFAULT_CAPACITY = 1024;
const DEFAULT_MAX_AGE_MS = 1000;

export class SendHistory {
  readonly #slots: Slot[];
  readonly #mask: number;
  readonly #maxAgeMs: number;

  constructor(options: SendHistoryOptions = {}) {
    const capacity = options.capacity ?? DEFAULT_CAPACITY;
    if (
      !Number.isInteger(capacity) ||
      capacity < 1 ||
      capacity > 32768 ||
      (capacity & (capacity - 1)) !== 0
    ) {
      throw new RangeError(
        `SendHistory capacity must be a power of two up to 32768, got ${capacity}`,
      );
    }
    this.#mask = capacity - 1;
    this.#maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.#slots = Array.from({ length: capacity }, () => ({
      sequence: -1,
      sentAt: 0,
      length: 0,
      bytes: new Uint8Array(0),
    }));
  }

  /** Records `packet` (an unprotected RTP packet) as sent at `now` with `sequence`. */
  record(sequence: number, packet: Uint8Array, now: number): void {
    const slot = this.#slots[sequence & this.#mask] as Slot;
    if (slot.bytes.length < packet.length)
      slot.bytes = new Uint8Array(Math.max(packet.length, 1500));
    slot.bytes.set(packet);
    slot.length = packet.length;
    slot.sequence = sequence;
    slot.sentAt = now;
  }

  /**
   * The packet sent with `sequence`, as a view that stays valid until that slot is reused; or
   * undefined when it was never recorded, was overwritten, or is older than `maxAgeMs`.
   */
  get(sequence: number, now: number): Uint8Array | undefined {
    const slot = this.#slots[sequence & this.#mask] as Slot;
    if (slot.sequence !== sequence || now - slot.sentAt > this.#maxAgeMs) return undefined;
    return slot.bytes.subarray(0, slot.length);
  }
}
