/** IP address helpers shared by hosts, realms and NATs. */

import { isIP } from 'node:net';
import type { AddressFamily } from '../../transport/datagram.js';
import { VirtualNetworkError } from './errors.js';

/** The family of a textual IP address; throws `VirtualNetworkError` if it is not one. */
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

/**
 * The one spelling of an address the network compares by: IPv4 as given (Node accepts only
 * dotted-quad decimal), IPv6 in the RFC 5952 §4 form — lower case, leading zeros dropped, the
 * longest run of zero groups as `::` — so `FD00:0::1` reaches the host added as `fd00::1`, as
 * an address read back from an SDP candidate must. Zone identifiers (`fe80::1%eth0`) are kept
 * as given. Throws `VirtualNetworkError` if `address` is not an IP address.
 */
export function canonicalAddress(address: string): string {
  if (addressFamily(address) === 'IPv4' || address.includes('%')) return address;
  // The WHATWG URL parser serializes IPv6 hosts in exactly the RFC 5952 form.
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}
