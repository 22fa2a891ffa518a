import { describe, expect, it } from 'vitest';
import { SrtpContext } from '../src/context.js';
import { SrtpConfigError } from '../src/errors.js';
import {
  dtlsSrtpKeyingMaterialLength,
  srtpKeysFromKeyingMaterial,
} from '../src/keying-material.js';
import { SRTP_PROFILES, srtpProfileByDtlsId } from '../src/profiles.js';
import { ALL_PROFILES, rtpPacket } from './helpers.js';

describe('DTLS-SRTP keying material (RFC 5764 §4.2)', () => {
  it('splits client key, server key, client salt, server salt', () => {
    const material = Uint8Array.from({ length: 60 }, (_, i) => i);
    const client = srtpKeysFromKeyingMaterial('SRTP_AES128_CM_HMAC_SHA1_80', material, 'client');
    expect(client.local.masterKey).toEqual(material.subarray(0, 16));
    expect(client.remote.masterKey).toEqual(material.subarray(16, 32));
    expect(client.local.masterSalt).toEqual(material.subarray(32, 46));
    expect(client.remote.masterSalt).toEqual(material.subarray(46, 60));
    const server = srtpKeysFromKeyingMaterial('SRTP_AES128_CM_HMAC_SHA1_80', material, 'server');
    expect(server.local).toEqual(client.remote);
    expect(server.remote).toEqual(client.local);
  });

  it('gives each profile its length and lets client and server talk', () => {
    for (const profile of ALL_PROFILES) {
      const { keyLength, saltLength } = SRTP_PROFILES[profile];
      const length = dtlsSrtpKeyingMaterialLength(profile);
      expect(length).toBe(2 * (keyLength + saltLength));
      const material = Uint8Array.from({ length }, (_, i) => i * 7);
      const client = srtpKeysFromKeyingMaterial(profile, material, 'client');
      const server = srtpKeysFromKeyingMaterial(profile, material, 'server');
      const clientSend = new SrtpContext({ profile, ...client.local });
      const serverReceive = new SrtpContext({ profile, ...server.remote });
      const packet = rtpPacket({ seq: 1 });
      expect(serverReceive.unprotectRtp(clientSend.protectRtp(packet))).toEqual(packet);
      expect(() => srtpKeysFromKeyingMaterial(profile, material.subarray(1), 'client')).toThrow(
        SrtpConfigError,
      );
    }
  });

  it('maps the IANA protection profile ids (RFC 5764 §4.1.2, RFC 7714 §14.2)', () => {
    expect(srtpProfileByDtlsId(0x0001)).toBe('SRTP_AES128_CM_HMAC_SHA1_80');
    expect(srtpProfileByDtlsId(0x0002)).toBe('SRTP_AES128_CM_HMAC_SHA1_32');
    expect(srtpProfileByDtlsId(0x0007)).toBe('SRTP_AEAD_AES_128_GCM');
    expect(srtpProfileByDtlsId(0x0008)).toBe('SRTP_AEAD_AES_256_GCM');
    expect(srtpProfileByDtlsId(0x0005)).toBeUndefined();
    // RFC 5764 §4.1.2: the _32 profile still uses an 80-bit SRTCP tag.
    expect(SRTP_PROFILES.SRTP_AES128_CM_HMAC_SHA1_32.srtpTagLength).toBe(4);
    expect(SRTP_PROFILES.SRTP_AES128_CM_HMAC_SHA1_32.srtcpTagLength).toBe(10);
  });
});
