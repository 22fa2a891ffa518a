/**
 * The client's view of its TURN permissions (RFC 8656 §9): one per peer IP address (the port
 * does not matter), installed by CreatePermission or ChannelBind, lasting 300 s unless
 * refreshed. A permission the application keeps using is refreshed a minute before it expires;
 * one left idle lapses. Data for a peer whose permission is still being installed waits in a
 * bounded queue.
 */

import { formatIpAddress, parseIpAddress, type SocketAddress } from '@typertc/common';
import { StunError } from '../errors.js';

/** RFC 8656 §9: a permission lasts 300 seconds, a value the RFC fixes. */
export const PERMISSION_LIFETIME_MS = 300_000;
/** Refresh this long before expiry, so a lost request still has time to be retransmitted. */
export const PERMISSION_REFRESH_MARGIN_MS = 60_000;

export interface QueuedDatagram {
  readonly data: Uint8Array;
  readonly peer: SocketAddress;
}

export interface Permission {
  readonly kind: 'permission';
  /** The peer's IP address in canonical text form. */
  readonly ip: string;
  /** The address given when the permission was first asked for (for events). */
  readonly peer: SocketAddress;
  /** Until when the server holds the permission (ms); 0 while it never was installed. */
  installedUntil: number;
  /** A CreatePermission for it is in flight. */
  requesting: boolean;
  /** Data went to or came from the peer since the permission was last (re)installed. */
  used: boolean;
  /** Datagrams waiting for the permission to be installed, in order. */
  readonly queue: QueuedDatagram[];
}

/** An IP address in one canonical text form, so "::FFFF:1.2.3.4" and "::ffff:102:304" agree. */
export function canonicalIp(address: string): string {
  return formatIpAddress(parseIpAddress(address).bytes);
}

/**
 * The peer in canonical form, checked before anything is built for it.
 * @throws InvalidAddressError for an address that is not an IP address, StunError for a port
 *   outside 0..65535.
 */
export function canonicalPeer(peer: SocketAddress): SocketAddress {
  if (!Number.isInteger(peer.port) || peer.port < 0 || peer.port > 0xffff) {
    throw new StunError(`peer port must be an integer in 0..65535, got ${peer.port}`);
  }
  const { family, bytes } = parseIpAddress(peer.address);
  return { address: formatIpAddress(bytes), port: peer.port, family };
}

export class PermissionTable {
  readonly #byIp = new Map<string, Permission>();

  get(peer: SocketAddress): Permission | undefined {
    return this.#byIp.get(canonicalIp(peer.address));
  }

  /** The permission for `peer`'s IP address, created (not installed) if there is none. */
  obtain(peer: SocketAddress): Permission {
    const canonical = canonicalPeer(peer);
    const ip = canonical.address;
    let permission = this.#byIp.get(ip);
    if (permission === undefined) {
      permission = {
        kind: 'permission',
        ip,
        peer: canonical,
        installedUntil: 0,
        requesting: false,
        used: false,
        queue: [],
      };
      this.#byIp.set(ip, permission);
    }
    return permission;
  }

  /** Whether the server holds a permission for `peer`'s IP address at `now`. */
  allows(peer: SocketAddress, now: number): boolean {
    const permission = this.get(peer);
    return permission !== undefined && permission.installedUntil > now;
  }

  values(): IterableIterator<Permission> {
    return this.#byIp.values();
  }

  delete(permission: Permission): void {
    this.#byIp.delete(permission.ip);
  }

  clear(): void {
    this.#byIp.clear();
  }
}

/**
 * When the permission's timer should next fire: a minute before expiry if it is in use and no
 * refresh is in flight (to refresh it), else at expiry (to drop it). Undefined when it has no
 * deadline (never installed: the CreatePermission transaction carries the timing).
 */
export function permissionDeadline(permission: Permission): number | undefined {
  if (permission.installedUntil === 0) return undefined;
  const refreshAt = permission.installedUntil - PERMISSION_REFRESH_MARGIN_MS;
  return permission.used && !permission.requesting ? refreshAt : permission.installedUntil;
}
