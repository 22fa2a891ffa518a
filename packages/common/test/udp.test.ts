import { afterEach, describe, expect, it } from 'vitest';
import { ClosedError } from '../src/errors.js';
import { NoDestinationError } from '../src/transport/base.js';
import type { SocketAddress } from '../src/transport/datagram.js';
import { UdpTransport } from '../src/transport/udp.js';

const open: UdpTransport[] = [];

async function bind(options: Parameters<typeof UdpTransport.open>[0] = {}): Promise<UdpTransport> {
  const transport = await UdpTransport.open({ address: '127.0.0.1', ...options });
  open.push(transport);
  return transport;
}

function nextDatagram(transport: UdpTransport): Promise<[Uint8Array, SocketAddress]> {
  return new Promise((resolve) => {
    const off = transport.on('datagram', (data, from) => {
      off();
      resolve([data, from]);
    });
  });
}

afterEach(() => {
  for (const transport of open.splice(0)) transport.close();
});

describe('UdpTransport', () => {
  it('binds an ephemeral port and exchanges datagrams with the sender address', async () => {
    const a = await bind();
    const b = await bind();
    expect(a.localAddress).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
    expect(a.localAddress.port).toBeGreaterThan(0);

    const received = nextDatagram(b);
    a.send(new Uint8Array([1, 2, 3]), b.localAddress);
    const [data, from] = await received;
    expect([...data]).toEqual([1, 2, 3]);
    expect(from).toMatchObject(a.localAddress);
    expect(a.stats).toMatchObject({ datagramsSent: 1, bytesSent: 3 });
    expect(b.stats).toMatchObject({ datagramsReceived: 1, bytesReceived: 3 });
  });

  it('hands each datagram on as a plain Uint8Array of its own, whose slice() copies', async () => {
    const a = await bind();
    const b = await bind();
    const received = nextDatagram(b);
    a.send(new Uint8Array([1, 2, 3]), b.localAddress);
    const [data] = await received;
    expect(Object.getPrototypeOf(data)).toBe(Uint8Array.prototype);
    expect(Buffer.isBuffer(data)).toBe(false);
    const copy = data.slice();
    data[0] = 9;
    expect([...copy]).toEqual([1, 2, 3]);
  });

  it('works over IPv6 loopback', async () => {
    const a = await bind({ family: 'IPv6', address: '::1' });
    const b = await bind({ family: 'IPv6', address: '::1' });
    const received = nextDatagram(b);
    a.send(new Uint8Array([6]), b.localAddress);
    const [data, from] = await received;
    expect([...data]).toEqual([6]);
    expect(from).toMatchObject({ address: '::1', family: 'IPv6', port: a.localAddress.port });
  });

  it('when connected, sends to the remote by default and drops datagrams from others', async () => {
    const peer = await bind();
    const stranger = await bind();
    const connected = await bind({ remote: peer.localAddress });
    expect(connected.remoteAddress).toEqual(peer.localAddress);

    const atPeer = nextDatagram(peer);
    connected.send(new Uint8Array([9]));
    expect([...(await atPeer)[0]]).toEqual([9]);

    const atConnected = nextDatagram(connected);
    stranger.send(new Uint8Array([0xee]), connected.localAddress);
    peer.send(new Uint8Array([0x42]), connected.localAddress);
    // The socket is connected: the kernel drops the stranger's datagram before it is read.
    expect([...(await atConnected)[0]]).toEqual([0x42]);
    expect(connected.stats.datagramsReceived).toBe(1);
  });

  it('needs a destination when not connected', async () => {
    const a = await bind();
    expect(() => a.send(new Uint8Array(1))).toThrow(NoDestinationError);
  });

  it('closes once, emits close, and refuses to send afterwards', async () => {
    const a = await bind();
    const b = await bind();
    let closes = 0;
    a.on('close', () => closes++);
    a.close();
    a.close();
    expect(closes).toBe(1);
    expect(a.closed).toBe(true);
    expect(() => a.send(new Uint8Array(1), b.localAddress)).toThrow(ClosedError);
  });

  it('rejects binding a port that is taken', async () => {
    const a = await bind();
    await expect(bind({ port: a.localAddress.port })).rejects.toThrow(/EADDRINUSE/);
  });
});
