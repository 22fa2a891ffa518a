export {
  type CertificateKeyType,
  certificateToPem,
  type DtlsCertificate,
  type GenerateCertificateOptions,
  generateCertificate,
  keyTypeOf,
  loadCertificate,
  privateKeyToPem,
  type SigningKeyType,
} from './certificate.js';
export {
  type CertificateFingerprint,
  type FingerprintAlgorithm,
  fingerprint,
  matchesFingerprint,
} from './fingerprint.js';
export {
  chooseSignatureScheme,
  type PeerCertificate,
  parsePeerCertificate,
  SUPPORTED_SIGNATURE_SCHEMES,
  signatureSchemesFor,
  signWith,
  verifySignature,
} from './signature.js';
