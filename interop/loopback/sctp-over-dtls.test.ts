/**
 * The WebRTC data stack end to end on real UDP loopback: UDP sockets, DTLS 1.2 between them
 * (RFC 8261: SCTP over DTLS), an SCTP association on each side and data channels over it.
 */

import { UdpTransport } from '@typertc/common';
import { DtlsTransport, fingerprint, generateCertificate } from '@typertc/dtls';
import { type RTCDataChannel, SctpTransport } from '@typertc/sctp';
import { afterEach, describe, expect, it } from 'vitest';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

async function connectedPair() {
  const [clientCertificate, serverCertificate] = await Promise.all([
    generateCertificate(),
    generateCertificate(),
  ]);
  const serverSocket = await UdpTransport.open({ address: '127.0.0.1' });
  const clientSocket = await UdpTransport.open({
    address: '127.0.0.1',
    remote: serverSocket.localAddress,
  });
  cleanups.push(
    () => clientSocket.close(),
    () => serverSocket.close(),
  );
  const server = DtlsTransport.create({
    transport: serverSocket,
    role: 'server',
    certificate: serverCertificate,
    remoteFingerprints: [{ algorithm: 'sha-256', value: fingerprint(clientCertificate.der) }],
  });
  const client = DtlsTransport.create({
    transport: clientSocket,
    role: 'client',
    certificate: clientCertificate,
    remoteFingerprints: [{ algorithm: 'sha-256', value: fingerprint(serverCertificate.der) }],
  });
  await Promise.all([client.connected(), server.connected()]);
  const a = SctpTransport.create({ transport: client, role: 'client' });
  const b = SctpTransport.create({ transport: server, role: 'server' });
  cleanups.push(
    () => a.abort(),
    () => b.abort(),
  );
  return { a, b };
}

function opened(channel: RTCDataChannel): Promise<void> {
  return new Promise((resolve) => {
    if (channel.readyState === 'open') resolve();
    else channel.addEventListener('open', () => resolve(), { once: true });
  });
}

function messages(channel: RTCDataChannel, count: number): Promise<unknown[]> {
  return new Promise((resolve) => {
    const received: unknown[] = [];
    channel.addEventListener('message', (event) => {
      received.push((event as MessageEvent).data);
      if (received.length === count) resolve(received);
    });
  });
}

describe('SCTP over DTLS on UDP loopback', () => {
  it('opens a data channel and carries strings and binary both ways', async () => {
    const { a, b } = await connectedPair();
    const remote = new Promise<RTCDataChannel>((resolve) => b.on('datachannel', resolve));
    const channel = a.createDataChannel('chat', { protocol: 'x' });
    await opened(channel);
    const theirs = await remote;
    expect(theirs.label).toBe('chat');
    expect(theirs.protocol).toBe('x');
    expect(channel.id).toBe(0); // the DTLS client's ids are even (RFC 8832 §6)

    const atB = messages(theirs, 3);
    channel.send('hello');
    channel.send(new Uint8Array([1, 2, 3]));
    channel.send(new Uint8Array(200_000).fill(7));
    const [first, second, third] = await atB;
    expect(first).toBe('hello');
    expect(new Uint8Array(second as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]));
    expect((third as ArrayBuffer).byteLength).toBe(200_000);

    const atA = messages(channel, 1);
    theirs.send('back');
    expect(await atA).toEqual(['back']);
  });
});
