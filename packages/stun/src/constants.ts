/**
 * STUN's numbers: the header constants (RFC 8489 §5), the methods of STUN and TURN, and the
 * attribute types (RFC 8489 §18.3, RFC 8656 §18, RFC 8445 §16.1, and libwebrtc's
 * GOOG-NETWORK-INFO).
 */

/** RFC 8489 §5: the fixed value in bytes 4..7 that tells STUN apart from other protocols. */
export const MAGIC_COOKIE = 0x2112a442;
export const HEADER_LENGTH = 20;
export const TRANSACTION_ID_LENGTH = 12;
/** FINGERPRINT is the CRC-32 XORed with this ("STUN" in ASCII), RFC 8489 §14.7. */
export const FINGERPRINT_XOR = 0x5354554e;

/** The four message classes (RFC 8489 §5), encoded as the C1/C0 bits of the message type. */
export type StunClass = 'request' | 'indication' | 'success' | 'error';

export const STUN_CLASS_BITS: Readonly<Record<StunClass, number>> = {
  request: 0b00,
  indication: 0b01,
  success: 0b10,
  error: 0b11,
};

/** Methods: Binding (RFC 8489 §18.2) and TURN's (RFC 8656 §17). */
export const StunMethod = {
  Binding: 0x001,
  Allocate: 0x003,
  Refresh: 0x004,
  Send: 0x006,
  Data: 0x007,
  CreatePermission: 0x008,
  ChannelBind: 0x009,
} as const;

/** Attribute types. Below 0x8000 comprehension-required, above comprehension-optional. */
export const AttributeType = {
  MappedAddress: 0x0001,
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  UnknownAttributes: 0x000a,
  ChannelNumber: 0x000c,
  Lifetime: 0x000d,
  XorPeerAddress: 0x0012,
  Data: 0x0013,
  Realm: 0x0014,
  Nonce: 0x0015,
  XorRelayedAddress: 0x0016,
  RequestedAddressFamily: 0x0017,
  EvenPort: 0x0018,
  RequestedTransport: 0x0019,
  DontFragment: 0x001a,
  MessageIntegritySha256: 0x001c,
  PasswordAlgorithm: 0x001d,
  Userhash: 0x001e,
  XorMappedAddress: 0x0020,
  ReservationToken: 0x0022,
  Priority: 0x0024,
  UseCandidate: 0x0025,
  AdditionalAddressFamily: 0x8000,
  AddressErrorCode: 0x8001,
  PasswordAlgorithms: 0x8002,
  AlternateDomain: 0x8003,
  Icmp: 0x8004,
  Software: 0x8022,
  AlternateServer: 0x8023,
  Fingerprint: 0x8028,
  IceControlled: 0x8029,
  IceControlling: 0x802a,
  GoogNetworkInfo: 0xc057,
} as const;

/** RFC 8489 §18.5: PASSWORD-ALGORITHM values. */
export const PasswordAlgorithm = {
  Md5: 0x0001,
  Sha256: 0x0002,
} as const;

/** RFC 8656 §14.7: REQUESTED-TRANSPORT's protocol number for UDP, the only one TURN relays. */
export const TRANSPORT_UDP = 17;
