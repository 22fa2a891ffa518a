/**
 * Errors the in-memory network throws on purpose: configuration mistakes while building a
 * topology, and the socket errors a real stack would report (`EADDRINUSE`, `EADDRNOTAVAIL`).
 * Packets lost in the network are never errors: they are dropped and counted.
 */

import { TypeRtcError } from '../../errors.js';
import { formatSocketAddress, type SocketAddress } from '../../transport/datagram.js';

/** A topology or socket call the network cannot honour; `code` says which. */
export class VirtualNetworkError extends TypeRtcError {
  constructor(message: string, code: string) {
    super(message, code);
  }
}

/** The address and port are already bound by another socket on the host (`EADDRINUSE`). */
export class AddressInUseError extends VirtualNetworkError {
  constructor(readonly address: SocketAddress) {
    super(`${formatSocketAddress(address)} is already in use`, 'ADDRESS_IN_USE');
  }
}

/** The host has no such address, or none of the requested family (`EADDRNOTAVAIL`). */
export class AddressNotAvailableError extends VirtualNetworkError {
  constructor(host: string, wanted: string) {
    super(`host ${host} has no address ${wanted}`, 'ADDRESS_NOT_AVAILABLE');
  }
}

/** An IPv4 socket asked to reach an IPv6 address, or the reverse: the families never mix. */
export class AddressFamilyMismatchError extends VirtualNetworkError {
  constructor(local: SocketAddress, destination: string) {
    super(
      `${local.family} socket ${formatSocketAddress(local)} cannot send to ${destination}`,
      'ADDRESS_FAMILY_MISMATCH',
    );
  }
}
