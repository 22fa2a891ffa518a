import { constants, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuzzParser } from '@typertc/common/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertDescription } from '../src/alert.js';
import {
  chooseSignatureScheme,
  type DtlsCertificate,
  generateCertificate,
  loadCertificate,
  type PeerCertificate,
  parsePeerCertificate,
  SUPPORTED_SIGNATURE_SCHEMES,
  signatureSchemesFor,
  signWith,
  verifySignature,
} from '../src/certificate/index.js';
import { DtlsError, DtlsVerificationError } from '../src/errors.js';
import {
  certificates,
  HAS_OPENSSL,
  OPENSSL_SKIP_NOTE,
  openssl,
  selfSigned,
} from './certificate-fixtures.js';
import { flipBit } from './record-helpers.js';

const ECDSA_P256_SHA256 = 0x0403;
const ECDSA_P384_SHA384 = 0x0503;
const RSA_PSS_RSAE_SHA256 = 0x0804;
const RSA_PKCS1_SHA256 = 0x0401;
const ED25519 = 0x0807;

const data = new TextEncoder().encode('client_random || server_random || ServerECDHParams');

const { ecdsa: p256, rsa } = await certificates();
const p384Pem = await selfSigned('ECDSA-P384');
const p384 = loadCertificate(p384Pem.certificatePem, p384Pem.privateKeyPem);
/** Our certificates as the peer sees them. */
const peerOf = (cert: DtlsCertificate): PeerCertificate => parsePeerCertificate(cert.der);

/** Each scheme with a certificate that signs with it, and node's own verify options for it. */
const cases = (): [string, DtlsCertificate, number, object, string][] => [
  ['ecdsa_secp256r1_sha256', p256, ECDSA_P256_SHA256, { dsaEncoding: 'der' }, 'sha256'],
  ['ecdsa_secp384r1_sha384', p384, ECDSA_P384_SHA384, { dsaEncoding: 'der' }, 'sha384'],
  [
    'rsa_pss_rsae_sha256',
    rsa,
    RSA_PSS_RSAE_SHA256,
    { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
    'sha256',
  ],
  ['rsa_pkcs1_sha256', rsa, RSA_PKCS1_SHA256, { padding: constants.RSA_PKCS1_PADDING }, 'sha256'],
];

describe('signWith and verifySignature', () => {
  it('round-trip under each scheme', () => {
    for (const [, cert, scheme] of cases()) {
      const signature = signWith(cert, scheme, data);
      expect(verifySignature(peerOf(cert), scheme, data, signature)).toBe(true);
    }
  });

  it('make signatures an independent verifier accepts', () => {
    for (const [name, cert, scheme, options, hash] of cases()) {
      const signature = signWith(cert, scheme, data);
      const publicKey = new X509Certificate(cert.der).publicKey;
      expect(verify(hash, data, { key: publicKey, ...options }, signature), name).toBe(true);
    }
  });

  it('encode ECDSA signatures as DER ECDSA-Sig-Value (RFC 8422 §5.4)', () => {
    for (const cert of [p256, p384]) {
      const [scheme] = signatureSchemesFor(cert.keyType);
      const signature = signWith(cert, scheme as number, data);
      expect(signature[0]).toBe(0x30); // SEQUENCE
      expect(signature[1]).toBe(signature.length - 2);
      expect(signature[2]).toBe(0x02); // INTEGER r
    }
  });

  it('salt RSA-PSS with the hash length and PKCS#1 v1.5 deterministically', () => {
    const publicKey = new X509Certificate(rsa.der).publicKey;
    const pss = signWith(rsa, RSA_PSS_RSAE_SHA256, data);
    expect(signWith(rsa, RSA_PSS_RSAE_SHA256, data)).not.toEqual(pss); // salted: randomized
    const withSalt = (saltLength: number): boolean =>
      verify(
        'sha256',
        data,
        { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength },
        pss,
      );
    expect(withSalt(32)).toBe(true);
    expect(withSalt(20)).toBe(false);
    expect(signWith(rsa, RSA_PKCS1_SHA256, data)).toEqual(signWith(rsa, RSA_PKCS1_SHA256, data));
  });

  it('reject tampered data and tampered signatures', () => {
    for (const [name, cert, scheme] of cases()) {
      const peer = peerOf(cert);
      const signature = signWith(cert, scheme, data);
      expect(verifySignature(peer, scheme, flipBit(data, 3), signature), name).toBe(false);
      expect(verifySignature(peer, scheme, data, flipBit(signature, signature.length - 1))).toBe(
        false,
      );
      expect(verifySignature(peer, scheme, data, flipBit(signature, 10))).toBe(false);
      expect(verifySignature(peer, scheme, data, signature.subarray(0, -1))).toBe(false);
      expect(verifySignature(peer, scheme, data, new Uint8Array(0))).toBe(false);
      expect(verifySignature(peer, scheme, data, new Uint8Array(signature.length))).toBe(false);
    }
  });

  it('reject a signature by another key', async () => {
    const other = await generateCertificate();
    const signature = signWith(other, ECDSA_P256_SHA256, data);
    expect(verifySignature(peerOf(p256), ECDSA_P256_SHA256, data, signature)).toBe(false);
  });

  it('reject a scheme that does not fit the key', async () => {
    const ecdsaSignature = signWith(p256, ECDSA_P256_SHA256, data);
    const p384Signature = signWith(p384, ECDSA_P384_SHA384, data);
    const rsaSignature = signWith(rsa, RSA_PKCS1_SHA256, data);
    expect(verifySignature(peerOf(rsa), ECDSA_P256_SHA256, data, ecdsaSignature)).toBe(false);
    expect(verifySignature(peerOf(p256), RSA_PKCS1_SHA256, data, rsaSignature)).toBe(false);
    expect(verifySignature(peerOf(p384), ECDSA_P256_SHA256, data, p384Signature)).toBe(false);
    expect(verifySignature(peerOf(p256), ECDSA_P384_SHA384, data, ecdsaSignature)).toBe(false);
    // A PKCS#1 signature is not a PSS signature, nor the other way round.
    expect(verifySignature(peerOf(rsa), RSA_PSS_RSAE_SHA256, data, rsaSignature)).toBe(false);
    expect(verifySignature(peerOf(p256), ED25519, data, ecdsaSignature)).toBe(false);

    const ed25519 = await selfSigned('Ed25519');
    const ed25519Peer = parsePeerCertificate(new X509Certificate(ed25519.certificatePem).raw);
    expect(ed25519Peer.keyType).toBe('other');
    expect(verifySignature(ed25519Peer, ED25519, data, new Uint8Array(64))).toBe(false);
  });

  it('refuse to sign under a scheme the key cannot sign with', () => {
    for (const [cert, scheme] of [
      [p256, ECDSA_P384_SHA384],
      [p256, RSA_PSS_RSAE_SHA256],
      [rsa, ECDSA_P256_SHA256],
      [p384, ECDSA_P256_SHA256],
      [rsa, ED25519],
    ] as const) {
      expect(() => signWith(cert, scheme, data)).toThrow(DtlsError);
      try {
        signWith(cert, scheme, data);
      } catch (error) {
        expect((error as DtlsError).code).toBe('DTLS_SIGNATURE_SCHEME');
      }
    }
  });
});

describe.skipIf(!HAS_OPENSSL)(`openssl dgst -verify${OPENSSL_SKIP_NOTE}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'typertc-signature-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function opensslVerifies(cert: DtlsCertificate, signature: Uint8Array, options: string[]) {
    const publicKeyPem = new X509Certificate(cert.der).publicKey
      .export({ format: 'pem', type: 'spki' })
      .toString();
    writeFileSync(join(dir, 'public.pem'), publicKeyPem);
    writeFileSync(join(dir, 'data.bin'), data);
    writeFileSync(join(dir, 'signature.bin'), signature);
    const output = openssl([
      'dgst',
      '-sha256',
      '-verify',
      join(dir, 'public.pem'),
      '-signature',
      join(dir, 'signature.bin'),
      ...options,
      join(dir, 'data.bin'),
    ]);
    return output.trim();
  }

  it('accepts our ECDSA P-256 signature', () => {
    expect(opensslVerifies(p256, signWith(p256, ECDSA_P256_SHA256, data), [])).toBe('Verified OK');
  });

  it('accepts our RSA-PSS signature with salt 32 and MGF1-SHA-256', () => {
    const signature = signWith(rsa, RSA_PSS_RSAE_SHA256, data);
    const pss = ['rsa_padding_mode:pss', 'rsa_pss_saltlen:32', 'rsa_mgf1_md:sha256'];
    expect(
      opensslVerifies(
        rsa,
        signature,
        pss.flatMap((option) => ['-sigopt', option]),
      ),
    ).toBe('Verified OK');
  });
});

describe('signature scheme choice', () => {
  it('lists the schemes each key signs with and those we accept', () => {
    expect(signatureSchemesFor('ECDSA-P256')).toEqual([ECDSA_P256_SHA256]);
    expect(signatureSchemesFor('ECDSA-P384')).toEqual([ECDSA_P384_SHA384]);
    expect(signatureSchemesFor('RSA')).toEqual([RSA_PSS_RSAE_SHA256, RSA_PKCS1_SHA256]);
    expect(SUPPORTED_SIGNATURE_SCHEMES).toEqual([
      ECDSA_P256_SHA256,
      ECDSA_P384_SHA384,
      RSA_PSS_RSAE_SHA256,
      RSA_PKCS1_SHA256,
    ]);
  });

  it('picks our most preferred scheme the peer accepts', () => {
    expect(chooseSignatureScheme('RSA', [RSA_PKCS1_SHA256, RSA_PSS_RSAE_SHA256])).toBe(
      RSA_PSS_RSAE_SHA256,
    );
    expect(chooseSignatureScheme('RSA', [ECDSA_P256_SHA256, RSA_PKCS1_SHA256])).toBe(
      RSA_PKCS1_SHA256,
    );
    expect(chooseSignatureScheme('ECDSA-P256', SUPPORTED_SIGNATURE_SCHEMES)).toBe(
      ECDSA_P256_SHA256,
    );
    expect(chooseSignatureScheme('ECDSA-P384', [ECDSA_P256_SHA256])).toBeUndefined();
    expect(chooseSignatureScheme('ECDSA-P256', [])).toBeUndefined();
  });
});

describe('parsePeerCertificate', () => {
  it('reads the key type, key and validity', () => {
    for (const [cert, keyType] of [
      [p256, 'ECDSA-P256'],
      [p384, 'ECDSA-P384'],
      [rsa, 'RSA'],
    ] as const) {
      const peer = parsePeerCertificate(cert.der);
      expect(peer.keyType).toBe(keyType);
      expect(peer.der).toEqual(cert.der);
      expect(peer.notBefore).toEqual(cert.notBefore);
      expect(peer.notAfter).toEqual(cert.notAfter);
      expect(peer.publicKey.type).toBe('public');
    }
  });

  it('reads a certificate from a view into a larger buffer', () => {
    const backing = new Uint8Array(p256.der.length + 10).fill(0xee);
    backing.set(p256.der, 5);
    const view = backing.subarray(5, 5 + p256.der.length);
    expect(parsePeerCertificate(view).keyType).toBe('ECDSA-P256');
  });

  function rejection(der: Uint8Array): DtlsVerificationError {
    try {
      parsePeerCertificate(der);
    } catch (error) {
      if (error instanceof DtlsVerificationError) return error;
      throw error;
    }
    throw new Error('expected a DtlsVerificationError');
  }

  it('rejects bytes that are not exactly one DER certificate', () => {
    const pemBytes = new TextEncoder().encode(new X509Certificate(p256.der).toString());
    const trailing = Uint8Array.of(...p256.der, 0x00);
    for (const der of [
      new Uint8Array(0),
      Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01),
      new TextEncoder().encode('garbage'),
      p256.der.subarray(0, -1),
      trailing,
      pemBytes,
    ]) {
      const error = rejection(der);
      expect(error.check).toBe('certificate');
      expect(error.alert).toBe(AlertDescription.badCertificate);
      expect(error.code).toBe('DTLS_VERIFICATION');
    }
  });

  it('fuzz: parsePeerCertificate throws only DtlsVerificationError', () => {
    const stats = fuzzParser({
      seeds: [p256.der, rsa.der, p384.der],
      parse: (der) => parsePeerCertificate(der),
      expectedError: DtlsVerificationError,
    });
    expect(stats.accepted).toBeGreaterThan(0);
    expect(stats.rejected).toBeGreaterThan(0);
  });
});
