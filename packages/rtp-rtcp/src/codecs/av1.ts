/**
 * AV1 over RTP (the AOM AV1 RTP payload format, aomediacodec.github.io/av1-rtp-spec): the
 * packetizer, the depacketizer, and the OBU and LEB128 helpers they are built on. This is the
 * module `codecs/index.ts` exports.
 */

export { Av1Depacketizer, type Av1DepacketizerOptions } from './av1-depacketizer.js';
export { decodeLeb128, encodeLeb128, leb128Length, leb128Size, writeLeb128 } from './av1-leb128.js';
export { type Av1Obu, Av1ObuType, parseAv1Obus } from './av1-obu.js';
export { Av1Packetizer } from './av1-packetizer.js';
