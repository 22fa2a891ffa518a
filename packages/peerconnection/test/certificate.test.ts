import { fingerprint, generateCertificate } from '@typertc/dtls';
import { beforeAll, describe, expect, it } from 'vitest';
import { type AlgorithmIdentifier, RTCCertificate } from '../src/certificate.js';

const DAY_MS = 86_400_000;
/** X.509 times have second precision, and generation takes a moment. */
const SLACK_MS = 5_000;
const FINGERPRINT_SHA256 = /^[0-9A-F]{2}(?::[0-9A-F]{2}){31}$/;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function expectDomException(promise: Promise<unknown>, name: string): Promise<void> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(DOMException);
  expect((error as DOMException).name).toBe(name);
}

describe('RTCCertificate.generate', () => {
  let ecdsa: RTCCertificate;
  let before: number;

  beforeAll(async () => {
    before = Date.now();
    ecdsa = await RTCCertificate.generate({ name: 'ECDSA', namedCurve: 'P-256' });
  });

  it('makes an ECDSA P-256 certificate that expires in 30 days by default', () => {
    expect(ecdsa.dtlsCertificate.keyType).toBe('ECDSA-P256');
    expect(ecdsa.expires).toBe(ecdsa.dtlsCertificate.notAfter.getTime());
    expect(Math.abs(ecdsa.expires - (before + 30 * DAY_MS))).toBeLessThan(SLACK_MS);
  });

  it('reports the sha-256 fingerprint in the upper-case colon form of SDP', () => {
    const fingerprints = ecdsa.getFingerprints();
    expect(fingerprints).toHaveLength(1);
    const [first] = fingerprints;
    expect(first?.algorithm).toBe('sha-256');
    expect(first?.value).toMatch(FINGERPRINT_SHA256);
    expect(first?.value).toBe(fingerprint(ecdsa.dtlsCertificate.der, 'sha-256'));
  });

  it('returns a new fingerprint list on each call', () => {
    const a = ecdsa.getFingerprints();
    const b = ecdsa.getFingerprints();
    expect(a).not.toBe(b);
    a.pop();
    expect(ecdsa.getFingerprints()).toHaveLength(1);
  });

  it('accepts names in any case, and a bare name string', async () => {
    const lower = await RTCCertificate.generate({ name: 'ecdsa', namedCurve: 'P-256' });
    expect(lower.dtlsCertificate.keyType).toBe('ECDSA-P256');
    const bare = await RTCCertificate.generate('ECDSA');
    expect(bare.dtlsCertificate.keyType).toBe('ECDSA-P256');
    expect(bare.getFingerprints()[0]?.value).not.toBe(lower.getFingerprints()[0]?.value);
  });

  it('makes an RSASSA-PKCS1-v1_5 2048 certificate', async () => {
    const rsa = await RTCCertificate.generate({
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
      expires: 3 * DAY_MS,
    });
    expect(rsa.dtlsCertificate.keyType).toBe('RSA');
    expect(rsa.dtlsCertificate.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(rsa.getFingerprints()[0]?.value).toMatch(FINGERPRINT_SHA256);
    expect(Math.abs(rsa.expires - (Date.now() + 3 * DAY_MS))).toBeLessThan(SLACK_MS);
  });

  it('honours expires, rounded up to whole days', async () => {
    const now = Date.now();
    const twoDays = await RTCCertificate.generate({
      name: 'ECDSA',
      namedCurve: 'P-256',
      expires: 2 * DAY_MS,
    });
    expect(Math.abs(twoDays.expires - (now + 2 * DAY_MS))).toBeLessThan(SLACK_MS);
    const oneSecond = await RTCCertificate.generate({
      name: 'ECDSA',
      namedCurve: 'P-256',
      expires: 1000,
    });
    expect(Math.abs(oneSecond.expires - (now + DAY_MS))).toBeLessThan(SLACK_MS);
    const dayAndHalf = await RTCCertificate.generate({
      name: 'ECDSA',
      namedCurve: 'P-256',
      expires: 1.5 * DAY_MS,
    });
    expect(Math.abs(dayAndHalf.expires - (now + 2 * DAY_MS))).toBeLessThan(SLACK_MS);
  });

  it('caps expires at 365 days (§4.9)', async () => {
    const now = Date.now();
    const capped = await RTCCertificate.generate({
      name: 'ECDSA',
      namedCurve: 'P-256',
      expires: 1000 * DAY_MS,
    });
    expect(Math.abs(capped.expires - (now + 365 * DAY_MS))).toBeLessThan(SLACK_MS);
  });

  it('rejects unsupported algorithms and parameters with NotSupportedError', async () => {
    const unsupported: AlgorithmIdentifier[] = [
      { name: 'ECDSA', namedCurve: 'P-384' },
      { name: 'ECDSA', namedCurve: 'P-521' },
      { name: 'Ed25519' },
      { name: 'RSA-PSS', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
      'RSA-OAEP',
      'Ed25519',
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 1024,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 2048,
        publicExponent: new Uint8Array([3]),
        hash: 'SHA-256',
      },
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: { name: 'SHA-1' },
      },
    ];
    for (const algorithm of unsupported) {
      await expectDomException(RTCCertificate.generate(algorithm), 'NotSupportedError');
    }
  });

  it('rejects malformed arguments with TypeError', async () => {
    const malformed = [
      42,
      null,
      {},
      { name: 'ECDSA' },
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, hash: 'SHA-256' },
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
      { name: 'ECDSA', namedCurve: 'P-256', expires: -1 },
      { name: 'ECDSA', namedCurve: 'P-256', expires: Number.NaN },
    ];
    for (const algorithm of malformed) {
      const error = await rejection(
        RTCCertificate.generate(algorithm as unknown as AlgorithmIdentifier),
      );
      expect(error).toBeInstanceOf(TypeError);
    }
  });
});

describe('RTCCertificate.fromDtlsCertificate', () => {
  it('wraps a DTLS certificate as it is', async () => {
    const dtls = await generateCertificate({ validityDays: 7 });
    const certificate = RTCCertificate.fromDtlsCertificate(dtls);
    expect(certificate.dtlsCertificate).toBe(dtls);
    expect(certificate.expires).toBe(dtls.notAfter.getTime());
    expect(certificate.getFingerprints()).toEqual([
      { algorithm: 'sha-256', value: fingerprint(dtls.der) },
    ]);
  });
});
