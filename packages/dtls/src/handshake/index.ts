/**
 * The DTLS 1.2 handshake message layer: the fragment header, fragmentation and reassembly
 * (RFC 6347 §4.2), the message and extension codecs, and the registered ids they carry.
 */

export * from './certificate-messages.js';
export {
  type Extension,
  encodeEcPointFormats,
  encodeExtendedMasterSecret,
  encodeExtensions,
  encodeRenegotiationInfo,
  encodeSignatureAlgorithms,
  encodeSupportedGroups,
  encodeUseSrtp,
  findExtension,
  parseEcPointFormats,
  parseExtendedMasterSecret,
  parseExtensions,
  parseRenegotiationInfo,
  parseSignatureAlgorithms,
  parseSupportedGroups,
  parseUseSrtp,
  type UseSrtp,
} from './extensions.js';
export * from './finished.js';
export * from './handshake-header.js';
export * from './hello.js';
export * from './ids.js';
export * from './key-exchange.js';
export * from './reassembler.js';
