/**
 * The DER writer of self-signed certificates (RFC 5280 §4.1), read back by two independent
 * parsers: node's (OpenSSL) and @peculiar/x509.
 */

import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../src/certificate/self-signed.js';

const keys = {
  ecdsa: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }),
  rsa: generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 }),
};

function certificate(kind: keyof typeof keys, notBefore: Date, notAfter: Date) {
  const { publicKey, privateKey } = keys[kind];
  return selfSignedCertificate({
    serial: Uint8Array.of(0x4a, 0x01, 0x02),
    commonName: 'a,b=c é',
    notBefore,
    notAfter,
    subjectPublicKeyInfo: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
    privateKey,
  });
}

describe('selfSignedCertificate', () => {
  it.each([
    // ecdsa-with-SHA256 and sha256WithRSAEncryption, as DER OIDs.
    ['ecdsa', '06082a8648ce3d040302'],
    ['rsa', '06092a864886f70d01010b0500'],
  ] as const)(
    '%s: a v3 certificate both parsers read, signed by its own key',
    (kind, algorithm) => {
      const notBefore = new Date('2026-11-20T10:11:12Z');
      const notAfter = new Date('2026-12-20T10:11:12Z');
      const der = certificate(kind, notBefore, notAfter);
      const node = new X509Certificate(der);
      expect(node.verify(keys[kind].publicKey)).toBe(true);
      expect(node.serialNumber).toBe('4A0102');
      expect(node.subject).toBe(node.issuer);
      expect(new Date(node.validFrom)).toEqual(notBefore);
      expect(new Date(node.validTo)).toEqual(notAfter);

      const parsed = new x509.X509Certificate(der);
      expect(parsed.signatureAlgorithm).toMatchObject({ hash: { name: 'SHA-256' } });
      expect(parsed.getExtension('2.5.29.19')).toBeNull(); // no extensions at all
      expect(parsed.subjectName.getField('CN')).toEqual(['a,b=c é']);
      // The algorithm, in the TBSCertificate and again before the signature (§4.1.1.2).
      const hex = Buffer.from(der).toString('hex');
      expect(hex.split(algorithm).length - 1).toBe(2);
      expect(hex).toContain('a003020102'); // [0] version: v3 (§4.1.2.1)
    },
  );

  it('writes UTCTime through 2049 and GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)', () => {
    const der = certificate(
      'ecdsa',
      new Date('2049-12-31T23:59:59Z'),
      new Date('2050-01-01T00:00:00Z'),
    );
    const text = Buffer.from(der).toString('latin1');
    expect(text).toContain('491231235959Z'); // UTCTime, two-digit year
    expect(text).toContain('20500101000000Z'); // GeneralizedTime, four-digit year
    const node = new X509Certificate(der);
    expect(new Date(node.validTo)).toEqual(new Date('2050-01-01T00:00:00Z'));
  });
});
