/**
 * Free loopback ports for coturn's listeners and relay range. A port is free if a TCP listener
 * and a UDP socket can both bind it at the time of the check; nothing is held, so another
 * process could take it before coturn does, which on a test machine is rare enough.
 */

import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { CoturnHarnessError } from './errors.js';

export interface PortRange {
  readonly min: number;
  readonly max: number;
}

/**
 * Relay ranges are picked below Linux's ephemeral range (32768–60999), so sockets bound to port 0
 * elsewhere in the test run do not land in them while coturn runs.
 */
const RELAY_RANGE_FLOOR = 20_000;
const RELAY_RANGE_CEILING = 32_000;
const RELAY_RANGE_ATTEMPTS = 50;

/** A port on `address` free for both TCP and UDP, other than those in `except`. */
export async function findFreePort(
  address: string,
  except: readonly number[] = [],
): Promise<number> {
  for (;;) {
    const port = await bindTcp(address, 0);
    if (!except.includes(port) && (await isPortFree(address, port))) return port;
  }
}

/**
 * `count` consecutive ports on `address`, each free for UDP and TCP (coturn relays over both:
 * TCP allocations, RFC 6062, take their ports from the same range).
 */
export async function findFreePortRange(address: string, count: number): Promise<PortRange> {
  const span = RELAY_RANGE_CEILING - RELAY_RANGE_FLOOR - count;
  for (let attempt = 0; attempt < RELAY_RANGE_ATTEMPTS; attempt++) {
    const min = RELAY_RANGE_FLOOR + (randomBytes(4).readUInt32BE(0) % span);
    let allFree = true;
    for (let port = min; port < min + count && allFree; port++) {
      allFree = await isPortFree(address, port);
    }
    if (allFree) return { min, max: min + count - 1 };
  }
  throw new CoturnHarnessError(
    `no ${count} consecutive free ports between ${RELAY_RANGE_FLOOR} and ${RELAY_RANGE_CEILING}`,
    'COTURN_START_FAILED',
  );
}

async function isPortFree(address: string, port: number): Promise<boolean> {
  try {
    await bindTcp(address, port);
    await bindUdp(address, port);
    return true;
  } catch {
    return false;
  }
}

/** Binds a TCP listener, closes it, and returns the port it got (`port` 0: the OS picks). */
function bindTcp(address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, address, () => {
      const bound = server.address();
      const boundPort = typeof bound === 'object' && bound !== null ? bound.port : port;
      server.close(() => resolve(boundPort));
    });
  });
}

function bindUdp(address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', (error) => {
      socket.close();
      reject(error);
    });
    socket.bind(port, address, () => socket.close(() => resolve()));
  });
}
