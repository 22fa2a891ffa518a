/**
 * A depacketizer for audio payload formats that carry one whole frame per packet and no header
 * of their own (Opus, RFC 7587 §4.2; G.711, RFC 3551 §4.5.14): every packet starts and ends a
 * frame, and every frame decodes on its own.
 */

import { PayloadError } from '../errors.js';
import type { Depacketizer } from './types.js';

export abstract class WholeFrameDepacketizer implements Depacketizer {
  /** Names the format in errors. */
  protected abstract readonly format: string;

  /** The payload itself; an empty payload carries no frame and is malformed. */
  depacketize(payload: Uint8Array): Uint8Array {
    if (payload.length === 0) throw new PayloadError(`empty ${this.format} payload`, 0);
    return payload;
  }

  isFrameStart(_payload: Uint8Array): boolean {
    return true;
  }

  isFrameEnd(_payload: Uint8Array, _marker: boolean): boolean {
    return true;
  }

  isKeyframe(_payload: Uint8Array): boolean {
    return true;
  }
}
