import { createSocket, type Socket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { openInPortRange, PortRangeError } from '../src/gather/port-range.js';

/** A run of `count` consecutive free UDP ports on 127.0.0.1, found by probing. */
async function freeRun(count: number): Promise<number> {
  for (let base = 41_000; base < 60_000; base += count) {
    const sockets: Socket[] = [];
    let ok = true;
    for (let port = base; port < base + count && ok; port++) {
      const socket = createSocket('udp4');
      ok = await new Promise<boolean>((resolve) => {
        socket.once('error', () => resolve(false));
        socket.bind(port, '127.0.0.1', () => resolve(true));
      });
      sockets.push(socket);
    }
    await Promise.all(
      sockets.map((s) => new Promise<void>((r) => s.close(() => r())).catch(() => {})),
    );
    if (ok) return base;
  }
  throw new Error('no free run of ports');
}

describe('openInPortRange', () => {
  it('binds inside the range, trying the next port when one is taken, and fails when all are', async () => {
    const min = await freeRun(3);
    const range = { min, max: min + 2 };
    // Start at the first port every time: the second and third calls must skip taken ports.
    const first = await openInPortRange('127.0.0.1', 'IPv4', range, () => 0);
    const second = await openInPortRange('127.0.0.1', 'IPv4', range, () => 0);
    const third = await openInPortRange('127.0.0.1', 'IPv4', range, () => 0);
    expect([first, second, third].map((t) => t.localAddress.port).sort()).toEqual([
      min,
      min + 1,
      min + 2,
    ]);
    await expect(openInPortRange('127.0.0.1', 'IPv4', range)).rejects.toBeInstanceOf(
      PortRangeError,
    );
    for (const transport of [first, second, third]) transport.close();
  });

  it('rejects malformed ranges, and passes other bind errors through', async () => {
    await expect(openInPortRange('127.0.0.1', 'IPv4', { min: 10, max: 5 })).rejects.toBeInstanceOf(
      PortRangeError,
    );
    await expect(openInPortRange('127.0.0.1', 'IPv4', { min: 0, max: 5 })).rejects.toBeInstanceOf(
      PortRangeError,
    );
    // 192.0.2.1 (TEST-NET-1) is not this host's: EADDRNOTAVAIL, not a range problem.
    const error = await openInPortRange('192.0.2.1', 'IPv4', { min: 50_000, max: 50_001 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(PortRangeError);
  });

  it('without a range, any port', async () => {
    const transport = await openInPortRange('127.0.0.1', 'IPv4', undefined);
    expect(transport.localAddress.port).toBeGreaterThan(0);
    transport.close();
  });
});
