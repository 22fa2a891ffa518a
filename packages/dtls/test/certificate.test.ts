import { createHash, createPrivateKey, sign, verify, X509Certificate } from 'node:crypto';
import { fromHex } from '@typertc/common';
import { describe, expect, it } from 'vitest';
import {
  type CertificateFingerprint,
  certificateToPem,
  type FingerprintAlgorithm,
  fingerprint,
  generateCertificate,
  loadCertificate,
  matchesFingerprint,
  privateKeyToPem,
} from '../src/certificate/index.js';
import { DtlsError } from '../src/errors.js';
import {
  certificates,
  HAS_OPENSSL,
  OPENSSL_SKIP_NOTE,
  openssl,
  selfSigned,
} from './certificate-fixtures.js';

const DAY_MS = 86_400_000;

/** DER of the signature algorithm OIDs (RFC 5758 §3.2, RFC 4055 §5). */
const ECDSA_WITH_SHA256 = fromHex('06082a8648ce3d040302');
const SHA256_WITH_RSA = fromHex('06092a864886f70d01010b');

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack).includes(Buffer.from(needle));
}

function certificateError(run: () => unknown): DtlsError {
  try {
    run();
  } catch (error) {
    if (error instanceof DtlsError) return error;
    throw error;
  }
  throw new Error('expected a DtlsError');
}

/** `generateCertificate()` and `generateCertificate({ keyType: 'RSA-2048' })`. */
const { ecdsa, rsa } = await certificates();

describe('generateCertificate', () => {
  it('makes a self-signed ECDSA P-256 certificate signed with ecdsa-with-SHA256', () => {
    const parsed = new X509Certificate(ecdsa.der);
    expect(parsed.verify(parsed.publicKey)).toBe(true);
    expect(parsed.checkIssued(parsed)).toBe(true);
    expect(parsed.publicKey.asymmetricKeyType).toBe('ec');
    expect(parsed.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(contains(ecdsa.der, ECDSA_WITH_SHA256)).toBe(true);
    expect(ecdsa.keyType).toBe('ECDSA-P256');
  });

  it('makes a self-signed RSA-2048 certificate with e=65537 signed with sha256WithRSAEncryption', () => {
    const parsed = new X509Certificate(rsa.der);
    expect(parsed.verify(parsed.publicKey)).toBe(true);
    expect(parsed.checkIssued(parsed)).toBe(true);
    expect(parsed.publicKey.asymmetricKeyType).toBe('rsa');
    expect(parsed.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(parsed.publicKey.asymmetricKeyDetails?.publicExponent).toBe(65537n);
    expect(contains(rsa.der, SHA256_WITH_RSA)).toBe(true);
    expect(rsa.keyType).toBe('RSA');
  });

  it('gives each certificate a positive random serial', async () => {
    const other = await generateCertificate();
    const serials = [ecdsa, rsa, other].map((cert) => new X509Certificate(cert.der).serialNumber);
    for (const serial of serials) {
      expect(serial).toMatch(/^[0-7][0-9A-F]{31}$/); // top bit clear: a positive INTEGER
    }
    expect(new Set(serials).size).toBe(3);
  });

  it('is valid from a day ago for 30 days by default', () => {
    const now = Date.now();
    for (const cert of [ecdsa, rsa]) {
      const parsed = new X509Certificate(cert.der);
      expect(cert.notBefore.getTime()).toBe(new Date(parsed.validFrom).getTime());
      expect(cert.notAfter.getTime()).toBe(new Date(parsed.validTo).getTime());
      expect(Math.abs(now - DAY_MS - cert.notBefore.getTime())).toBeLessThan(60_000);
      expect(Math.abs(now + 30 * DAY_MS - cert.notAfter.getTime())).toBeLessThan(DAY_MS);
    }
  });

  it('takes a validity period and a common name', async () => {
    const cert = await generateCertificate({ commonName: 'a,b=c', validityDays: 365 });
    const parsed = new X509Certificate(cert.der);
    expect(parsed.toLegacyObject().subject).toEqual({ CN: 'a,b=c' });
    expect(parsed.toLegacyObject().issuer).toEqual({ CN: 'a,b=c' });
    expect(Math.abs(Date.now() + 365 * DAY_MS - cert.notAfter.getTime())).toBeLessThan(DAY_MS);
    await expect(generateCertificate({ validityDays: 0 })).rejects.toThrow(RangeError);
  });

  it('defaults to a random common name', () => {
    const names = [ecdsa, rsa].map((cert) => new X509Certificate(cert.der).subject);
    for (const name of names) expect(name).toMatch(/^CN=[0-9a-f]{16}$/);
    expect(names[0]).not.toBe(names[1]);
  });

  it("holds the certificate's private key as a KeyObject", () => {
    for (const cert of [ecdsa, rsa]) {
      expect(cert.privateKey.type).toBe('private');
      const probe = Buffer.from('probe');
      const signature = sign('sha256', probe, cert.privateKey);
      expect(verify('sha256', probe, new X509Certificate(cert.der).publicKey, signature)).toBe(
        true,
      );
    }
  });
});

describe('loadCertificate', () => {
  it('round-trips through the PEM helpers', () => {
    for (const cert of [ecdsa, rsa]) {
      const pem = certificateToPem(cert);
      expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END/);
      expect(privateKeyToPem(cert)).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      const loaded = loadCertificate(pem, privateKeyToPem(cert));
      expect(loaded.der).toEqual(cert.der);
      expect(loaded.keyType).toBe(cert.keyType);
      expect(loaded.notBefore).toEqual(cert.notBefore);
      expect(loaded.notAfter).toEqual(cert.notAfter);
    }
  });

  it('accepts DER certificates and SEC1 and PKCS#1 keys', () => {
    const sec1 = ecdsa.privateKey.export({ format: 'pem', type: 'sec1' }).toString();
    expect(sec1).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    expect(loadCertificate(ecdsa.der, sec1).der).toEqual(ecdsa.der);
    const pkcs1 = rsa.privateKey.export({ format: 'pem', type: 'pkcs1' }).toString();
    expect(pkcs1).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect(loadCertificate(certificateToPem(rsa), pkcs1).keyType).toBe('RSA');
  });

  it('detects P-384 and other RSA sizes', async () => {
    const [p384, rsa3072] = await Promise.all([selfSigned('ECDSA-P384'), selfSigned('RSA-3072')]);
    expect(loadCertificate(p384.certificatePem, p384.privateKeyPem).keyType).toBe('ECDSA-P384');
    expect(loadCertificate(rsa3072.certificatePem, rsa3072.privateKeyPem).keyType).toBe('RSA');
  });

  it('rejects a key that is not the certificate’s', async () => {
    const other = await generateCertificate();
    for (const [cert, key] of [
      [ecdsa, other],
      [ecdsa, rsa],
      [rsa, ecdsa],
    ] as const) {
      const error = certificateError(() =>
        loadCertificate(certificateToPem(cert), privateKeyToPem(key)),
      );
      expect(error.code).toBe('DTLS_CERTIFICATE');
      expect(error.message).toMatch(/does not match/);
    }
  });

  it('rejects inputs that do not parse and unsupported key types', async () => {
    const key = privateKeyToPem(ecdsa);
    expect(certificateError(() => loadCertificate('not a certificate', key)).code).toBe(
      'DTLS_CERTIFICATE',
    );
    expect(certificateError(() => loadCertificate(ecdsa.der.subarray(1), key)).code).toBe(
      'DTLS_CERTIFICATE',
    );
    const publicKeyPem = createPrivateKey(key)
      .export({ format: 'pem', type: 'pkcs8' })
      .toString()
      .replace(/PRIVATE/g, 'PUBLIC');
    expect(
      certificateError(() => loadCertificate(certificateToPem(ecdsa), publicKeyPem)).code,
    ).toBe('DTLS_CERTIFICATE');
    const ed25519 = await selfSigned('Ed25519');
    const unsupported = certificateError(() =>
      loadCertificate(ed25519.certificatePem, ed25519.privateKeyPem),
    );
    expect(unsupported.code).toBe('DTLS_CERTIFICATE');
    expect(unsupported.message).toMatch(/unsupported certificate key/);
  });
});

const ALGORITHMS: readonly [FingerprintAlgorithm, string, number][] = [
  ['sha-1', 'sha1', 20],
  ['sha-224', 'sha224', 28],
  ['sha-256', 'sha256', 32],
  ['sha-384', 'sha384', 48],
  ['sha-512', 'sha512', 64],
];

describe('fingerprint', () => {
  it('formats the hash as upper-case hex pairs joined by colons (RFC 8122 §5)', () => {
    const value = fingerprint(ecdsa.der);
    expect(value).toHaveLength(95);
    expect(value).toMatch(/^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/);
    // SHA-256("abc"), FIPS 180-2 Appendix B.1.
    expect(fingerprint(new TextEncoder().encode('abc'))).toBe(
      'BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD',
    );
  });

  it('hashes the DER with each algorithm', () => {
    for (const [algorithm, nodeName, size] of ALGORITHMS) {
      const value = fingerprint(rsa.der, algorithm);
      expect(value).toHaveLength(size * 3 - 1);
      expect(value).toBe(
        createHash(nodeName).update(rsa.der).digest('hex').toUpperCase().match(/../g)?.join(':'),
      );
    }
  });

  it('rejects an algorithm it does not know', () => {
    const error = certificateError(() => fingerprint(ecdsa.der, 'md5' as FingerprintAlgorithm));
    expect(error.code).toBe('DTLS_FINGERPRINT');
  });

  it.skipIf(!HAS_OPENSSL)(`equals openssl x509 -fingerprint${OPENSSL_SKIP_NOTE}`, () => {
    for (const cert of [ecdsa, rsa]) {
      for (const [algorithm, nodeName] of ALGORITHMS) {
        const output = openssl(
          ['x509', '-noout', '-fingerprint', `-${nodeName}`],
          certificateToPem(cert),
        );
        expect(output.trim().split('=')[1]).toBe(fingerprint(cert.der, algorithm));
      }
    }
  });
});

describe('matchesFingerprint', () => {
  const of = (algorithm: string, value: string): CertificateFingerprint => ({ algorithm, value });

  it('matches each supported algorithm', () => {
    for (const [algorithm] of ALGORITHMS) {
      expect(
        matchesFingerprint(ecdsa.der, [of(algorithm, fingerprint(ecdsa.der, algorithm))]),
      ).toBe(true);
      expect(matchesFingerprint(rsa.der, [of(algorithm, fingerprint(ecdsa.der, algorithm))])).toBe(
        false,
      );
    }
  });

  it('compares algorithm and value case-insensitively', () => {
    const value = fingerprint(ecdsa.der);
    expect(matchesFingerprint(ecdsa.der, [of('SHA-256', value.toLowerCase())])).toBe(true);
  });

  it('rejects a value one bit off, truncated, or without colons', () => {
    const value = fingerprint(ecdsa.der);
    const last = Number.parseInt(value.slice(-2), 16) ^ 0x01;
    const oneBitOff = value.slice(0, -2) + last.toString(16).padStart(2, '0').toUpperCase();
    expect(matchesFingerprint(ecdsa.der, [of('sha-256', oneBitOff)])).toBe(false);
    expect(matchesFingerprint(ecdsa.der, [of('sha-256', value.slice(0, -3))])).toBe(false);
    expect(matchesFingerprint(ecdsa.der, [of('sha-256', value.replaceAll(':', ''))])).toBe(false);
    expect(matchesFingerprint(ecdsa.der, [of('sha-256', `${value}:`)])).toBe(false);
  });

  it('matches any one of several and ignores unknown algorithms', () => {
    const value = fingerprint(ecdsa.der);
    const unknown = [of('md5', value), of('sha-3000', value), of('', value)];
    expect(matchesFingerprint(ecdsa.der, unknown)).toBe(false);
    expect(matchesFingerprint(ecdsa.der, [...unknown, of('sha-256', value)])).toBe(true);
    expect(
      matchesFingerprint(ecdsa.der, [
        of('sha-256', fingerprint(rsa.der)),
        of('sha-512', fingerprint(ecdsa.der, 'sha-512')),
      ]),
    ).toBe(true);
  });

  it('matches nothing against an empty list', () => {
    expect(matchesFingerprint(ecdsa.der, [])).toBe(false);
  });
});
