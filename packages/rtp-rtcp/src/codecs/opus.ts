/**
 * Opus over RTP (RFC 7587).
 *
 * One Opus packet (RFC 6716 §3: a TOC byte and its frames) per RTP packet, unchanged, with no
 * payload header (RFC 7587 §4.2). Every Opus packet decodes on its own, so each RTP packet is a
 * whole frame and a "keyframe"; the marker bit only flags the first packet after silence
 * (RFC 7587 §4.1), never a frame end.
 */

import { PayloadError } from '../errors.js';
import type { Packetizer } from './types.js';
import { WholeFrameDepacketizer } from './whole-frame.js';

export class OpusPacketizer implements Packetizer {
  /**
   * `[frame]` as is (a view, not a copy). RFC 7587 §4.2 forbids splitting an Opus packet across
   * RTP packets, so a frame larger than `maxPayloadSize` throws `PayloadError`; an empty frame
   * gives no payload.
   */
  packetize(frame: Uint8Array, maxPayloadSize: number): Uint8Array[] {
    if (!Number.isInteger(maxPayloadSize) || maxPayloadSize < 1) {
      throw new RangeError(`maxPayloadSize must be a positive integer, not ${maxPayloadSize}`);
    }
    if (frame.length === 0) return [];
    if (frame.length > maxPayloadSize) {
      throw new PayloadError(
        `Opus packet of ${frame.length} bytes exceeds the ${maxPayloadSize}-byte payload limit`,
        maxPayloadSize,
      );
    }
    return [frame];
  }
}

/** The Opus packet: the payload itself (an empty one has no TOC byte, RFC 6716 §3.1). */
export class OpusDepacketizer extends WholeFrameDepacketizer {
  protected readonly format = 'Opus';
}
