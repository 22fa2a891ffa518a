/** IP address helpers shared by hosts, realms and NATs. */

import { isIP } from 'node:net';
import type { AddressFamily } from '../../transport/datagram.js';
import { VirtualNetworkError } from './errors.js';

/**
 * The family of a textual IP address. Addresses are compared as strings everywhere in the
 * network, so write each one the same way throughout a test (`fd00::1`, not `fd00:0::1`).
 */
export function addressFamily(address: string): AddressFamily {
  const version = isIP(address);
  if (version === 4) return 'IPv4';
  if (version === 6) return 'IPv6';
  throw new VirtualNetworkError(`not an IP address: ${JSON.stringify(address)}`, 'INVALID_ADDRESS');
}

/** Throws unless `port` is a usable UDP port number (1-65535). */
export function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new VirtualNetworkError(`not a UDP port: ${port}`, 'INVALID_PORT');
  }
}
