export * from './alert.js';
export * from './certificate/index.js';
export { DtlsConnection } from './connection/dtls-connection.js';
export {
  DEFAULT_INITIAL_RETRANSMIT_MS,
  DEFAULT_MTU,
  type DtlsConnectionOptions,
  type DtlsEvent,
  type DtlsRole,
  type DtlsState,
} from './connection/options.js';
export { CIPHER_SUITES, type CipherSuiteInfo } from './crypto/cipher-suites.js';
export { HelloCookies } from './crypto/cookie.js';
export { InvalidKeyShareError, SUPPORTED_GROUPS } from './crypto/key-exchange.js';
export * from './errors.js';
export {
  CipherSuite,
  NamedGroup,
  SignatureScheme,
  SrtpProtectionProfile,
} from './handshake/ids.js';
export {
  DtlsTransport,
  type DtlsTransportEvents,
  type DtlsTransportOptions,
} from './node/dtls-transport.js';
export {
  CHACHA_IV_LENGTH,
  ContentType,
  createCbcCipher,
  createChaChaCipher,
  createGcmCipher,
  GCM_SALT_LENGTH,
  type RecordCipher,
  ReplayWindow,
} from './record/index.js';
