import { ParseError } from '@typertc/common';

/** A malformed RTP packet or header extension; `offset` is where in the packet it was found. */
export class RtpParseError extends ParseError {
  constructor(message: string, offset: number) {
    super(message, offset, 'RTP_PARSE');
  }
}

/** A malformed RTCP packet; `offset` is where in the compound packet it was found. */
export class RtcpParseError extends ParseError {
  constructor(message: string, offset: number) {
    super(message, offset, 'RTCP_PARSE');
  }
}

/** A malformed codec payload (packetizer input or depacketizer packet). */
export class PayloadError extends ParseError {
  constructor(message: string, offset: number) {
    super(message, offset, 'RTP_PAYLOAD');
  }
}

/** A malformed IVF or Ogg file. */
export class ContainerError extends ParseError {
  constructor(message: string, offset: number) {
    super(message, offset, 'CONTAINER');
  }
}
