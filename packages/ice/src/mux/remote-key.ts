/**
 * Remote addresses as map keys. One peer must get one key whatever the spelling of its address:
 * the socket reports it one way, an agent may send to it spelled another (from SDP).
 *
 * - IPv4: the dotted quad as given (`1.2.3.4|5000`); the socket and SDP both use that form.
 * - IPv6: the RFC 5952 §4 text, so `2001:DB8:0::1` and `2001:db8::1` are one key. A zone
 *   (`fe80::1%eth0`) is kept: link-local addresses on two interfaces are two hosts.
 * - IPv4-mapped IPv6 (`::ffff:1.2.3.4`, RFC 4291 §2.5.5.2): a dual-stack socket reports IPv4
 *   peers this way, while their candidates name them as plain IPv4. They are the same peer, so
 *   the key is the IPv4 one.
 */

import {
  formatIpAddress,
  InvalidAddressError,
  parseIpAddress,
  type SocketAddress,
} from '@typertc/common';

const MAPPED_PREFIX = '::ffff:';
const DOTTED_QUAD = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * The IPv4 address inside `::ffff:a.b.c.d`, the form Node gives IPv4 peers of a dual-stack
 * socket; undefined for anything else. Cheap enough for every datagram.
 */
export function ipv4FromMapped(address: string): string | undefined {
  if (!address.startsWith(MAPPED_PREFIX)) return undefined;
  const ipv4 = address.slice(MAPPED_PREFIX.length);
  return DOTTED_QUAD.test(ipv4) ? ipv4 : undefined;
}

/** `address|port` as the socket spells it: the key of IPv4 peers, and a first guess for IPv6. */
export function quickRemoteKey(remote: SocketAddress): string {
  return `${remote.address}|${remote.port}`;
}

/** The one key of a remote address, whatever its spelling (see the file comment). */
export function remoteKey(remote: SocketAddress): string {
  const { address, port } = remote;
  if (!address.includes(':')) return `${address}|${port}`;
  return `${canonicalIpv6(address)}|${port}`;
}

function isMappedIpv4(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

function canonicalIpv6(address: string): string {
  const zoneAt = address.indexOf('%');
  const zone = zoneAt < 0 ? '' : address.slice(zoneAt);
  try {
    const { bytes } = parseIpAddress(address);
    if (isMappedIpv4(bytes)) return bytes.subarray(12).join('.');
    return formatIpAddress(bytes) + zone;
  } catch (error) {
    // Not an address at all (a caller's mistake): it still gets a stable key of its own.
    if (error instanceof InvalidAddressError) return address.toLowerCase();
    throw error;
  }
}
