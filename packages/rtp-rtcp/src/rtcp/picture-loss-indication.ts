/** Picture Loss Indication, PLI (RFC 4585 §6.3.1): payload-specific feedback with no FCI. */

import type { ByteWriter } from '@typertc/common';
import { readU32BE } from '@typertc/common';
import { RtcpParseError } from '../errors.js';
import { checkFeedbackHeader, FEEDBACK_HEADER_SIZE, PayloadFeedbackFormat } from './feedback.js';
import { RtcpPacketType, writeHeader } from './wire.js';

export class PictureLossIndication {
  senderSsrc: number;
  mediaSsrc: number;

  constructor(senderSsrc: number, mediaSsrc: number) {
    this.senderSsrc = senderSsrc;
    this.mediaSsrc = mediaSsrc;
  }

  get kind(): 'pli' {
    return 'pli';
  }

  static decode(b: Uint8Array, start: number, end: number): PictureLossIndication {
    checkFeedbackHeader('PLI', start, end);
    // "PLI does not require parameters. Therefore, the length field MUST be 2" (§6.3.1).
    if (end - start !== FEEDBACK_HEADER_SIZE) {
      throw new RtcpParseError(`PLI of ${end - start} bytes, not ${FEEDBACK_HEADER_SIZE}`, start);
    }
    return new PictureLossIndication(readU32BE(b, start + 4), readU32BE(b, start + 8));
  }

  byteLength(): number {
    return FEEDBACK_HEADER_SIZE;
  }

  write(w: ByteWriter): void {
    writeHeader(
      w,
      PayloadFeedbackFormat.PictureLossIndication,
      RtcpPacketType.PayloadFeedback,
      FEEDBACK_HEADER_SIZE,
    );
    w.u32(this.senderSsrc).u32(this.mediaSsrc);
  }
}
