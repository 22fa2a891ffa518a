/**
 * Proves the coturn harness itself, with hand-built STUN bytes only (no @typertc/stun): coturn
 * starts on free loopback ports, answers a Binding request on each of its UDP, TCP and TLS
 * listeners, presents the generated certificate, and frees its ports on stop().
 */

import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createServer, type Socket, connect as tcpConnect } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import type { SocketAddress } from '@typertc/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CoturnServer,
  isBindingSuccessResponse,
  startCoturn,
  stunBindingRequest,
} from './coturn.js';

const XOR_MAPPED_ADDRESS = 0x0020;
const MAGIC_COOKIE = 0x2112a442;

/** The IPv4 XOR-MAPPED-ADDRESS of a STUN message (RFC 8489 §14.2), decoded by hand. */
function xorMappedIpv4(message: Uint8Array): { address: string; port: number } | undefined {
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  let offset = 20;
  while (offset + 4 <= message.length) {
    const type = view.getUint16(offset);
    const length = view.getUint16(offset + 2);
    if (type === XOR_MAPPED_ADDRESS && length === 8 && message[offset + 5] === 0x01) {
      const port = view.getUint16(offset + 6) ^ (MAGIC_COOKIE >>> 16);
      const address = (view.getUint32(offset + 8) ^ MAGIC_COOKIE) >>> 0;
      return {
        address: [24, 16, 8, 0].map((shift) => (address >>> shift) & 0xff).join('.'),
        port,
      };
    }
    offset += 4 + Math.ceil(length / 4) * 4;
  }
  return undefined;
}

/** Sends `request` on a stream and resolves with the first complete STUN message read back. */
function stunOverStream(socket: Socket, request: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // RFC 8489 §6.2.2: over TCP and TLS, the header's length field delimits the message.
      if (received.length >= 20 && received.length >= 20 + received.readUInt16BE(2)) {
        resolve(received.subarray(0, 20 + received.readUInt16BE(2)));
      }
    });
    socket.once('error', reject);
    socket.write(request);
  });
}

function connectTcp(server: SocketAddress): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(server.port, server.address, () => resolve(socket));
    socket.once('error', reject);
  });
}

function connectTls(server: SocketAddress, options: ConnectionOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: server.address, port: server.port, ...options }, () =>
      resolve(socket),
    );
    socket.once('error', reject);
  });
}

/** Resolves true if both a TCP listener and a UDP socket can bind `port` on 127.0.0.1. */
async function canBind(port: number): Promise<boolean> {
  const tcp = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
  const udp = await new Promise<boolean>((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
  return tcp && udp;
}

describe('coturn harness', () => {
  let server: CoturnServer;

  beforeAll(async () => {
    server = await startCoturn();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('runs coturn on loopback with long-term credentials and the TLS certificate', () => {
    expect(server.udp.address).toBe('127.0.0.1');
    expect(server.tcp.port).toBe(server.udp.port);
    expect(server.tls.port).not.toBe(server.udp.port);
    expect(server.relayPorts.max - server.relayPorts.min).toBe(15);
    expect(server.tlsCa).toContain('-----BEGIN CERTIFICATE-----');
    expect(server.log()).toContain('Coturn-4.');
    expect(server.log()).toContain(`Default realm: ${server.realm}`);
  });

  it('answers a hand-built Binding request over UDP with a success response to that transaction', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    try {
      const transactionId = randomBytes(12);
      const response = new Promise<Buffer>((resolve) => socket.once('message', resolve));
      socket.send(stunBindingRequest(transactionId), server.udp.port, server.udp.address);
      const message = await response;

      expect(isBindingSuccessResponse(message, transactionId)).toBe(true);
      expect(isBindingSuccessResponse(message, randomBytes(12))).toBe(false);
      // coturn saw the request come from this very socket.
      expect(xorMappedIpv4(message)).toEqual({ address: '127.0.0.1', port: socket.address().port });
    } finally {
      socket.close();
    }
  });

  it('answers a Binding request over TCP on the listening port', async () => {
    const socket = await connectTcp(server.tcp);
    try {
      const transactionId = randomBytes(12);
      const message = await stunOverStream(socket, stunBindingRequest(transactionId));

      expect(isBindingSuccessResponse(message, transactionId)).toBe(true);
      expect(xorMappedIpv4(message)).toEqual({ address: '127.0.0.1', port: socket.localPort });
    } finally {
      socket.destroy();
    }
  });

  it('completes a TLS handshake verified against the generated certificate, and answers over it', async () => {
    const socket = await connectTls(server.tls, {
      ca: server.tlsCa,
      servername: server.tlsServerName,
    });
    try {
      const transactionId = randomBytes(12);
      const message = await stunOverStream(socket, stunBindingRequest(transactionId));

      expect(isBindingSuccessResponse(message, transactionId)).toBe(true);
    } finally {
      socket.destroy();
    }
  });

  it('is not trusted over TLS without the generated certificate', async () => {
    await expect(connectTls(server.tls, { servername: server.tlsServerName })).rejects.toThrow(
      /self[- ]signed/,
    );
  });
});

describe('coturn harness lifecycle', () => {
  it('frees its ports on stop(), and a second stop() is harmless', async () => {
    const server = await startCoturn();
    expect(await canBind(server.udp.port)).toBe(false);

    await server.stop();
    await server.stop();

    expect(await canBind(server.udp.port)).toBe(true);
    expect(await canBind(server.tls.port)).toBe(true);
  });

  it('gives up after startTimeoutMs, stopping coturn and attaching its log', async () => {
    await expect(startCoturn({ startTimeoutMs: 1 })).rejects.toMatchObject({
      code: 'COTURN_START_FAILED',
      message: expect.stringMatching(/not ready within 1 ms\n--- coturn log ---\n/),
    });
  });

  it('fails, naming .ci/run, when turnserver is not on PATH', async () => {
    const path = process.env.PATH;
    process.env.PATH = '';
    try {
      await expect(startCoturn()).rejects.toMatchObject({
        code: 'INTEROP_TOOL_MISSING',
        message: expect.stringContaining('.ci/run'),
      });
    } finally {
      process.env.PATH = path;
    }
  });
});
