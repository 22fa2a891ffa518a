/**
 * What a connection reports of its session for webrtc-stats RTCTransportStats: its role, the
 * negotiated version (tlsVersion) and suite (dtlsCipher), and the peer's certificate.
 */

import { describe, expect, it } from 'vitest';
import { ProtocolVersion } from '../src/handshake/ids.js';
import { certificates } from './certificate-fixtures.js';
import { connectionPair, deliver, drain } from './connection-pair.js';

const { ecdsa, rsa } = await certificates();

describe('negotiated session parameters', () => {
  it('are unknown before the hello exchange and known once it is done', () => {
    const pair = connectionPair(rsa, ecdsa);
    for (const side of [pair.client, pair.server]) {
      expect(side.protocolVersion).toBeUndefined();
      expect(side.cipherSuite).toBeUndefined();
      expect(side.remoteCertificate).toBeUndefined();
    }
    expect([pair.client.role, pair.server.role]).toEqual(['client', 'server']);

    pair.client.start(0);
    deliver(pair.server, drain(pair.client)); // ClientHello
    deliver(pair.client, drain(pair.server)); // HelloVerifyRequest
    // RFC 6347 §4.2.1: the HelloVerifyRequest's version is not the negotiated one.
    expect(pair.client.protocolVersion).toBeUndefined();
    deliver(pair.server, drain(pair.client)); // ClientHello with the cookie
    expect(pair.server.protocolVersion).toBe(ProtocolVersion.dtls1_2);
    expect(pair.client.protocolVersion).toBeUndefined();
    deliver(pair.client, drain(pair.server)); // ServerHello ... ServerHelloDone
    expect(pair.client.protocolVersion).toBe(0xfefd);
    expect(pair.client.cipherSuite).toBe('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');

    pair.pump();
    expect([pair.client.state, pair.server.state]).toEqual(['connected', 'connected']);
    expect(pair.server.protocolVersion).toBe(0xfefd);
    expect(pair.server.cipherSuite).toBe('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
    expect(pair.client.remoteCertificate).toEqual(ecdsa.der);
    expect(pair.server.remoteCertificate).toEqual(rsa.der);
  });
});
