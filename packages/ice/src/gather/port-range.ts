/**
 * Binding a host candidate's socket inside an application's port range (firewalls that open
 * only, say, 50000-50100 for media). Ports are tried from a random starting point, wrapping
 * around, so agents started together do not all race for the first port.
 */

import { type AddressFamily, UdpTransport } from '@typertc/common';
import { IceError } from '../errors.js';

export interface PortRange {
  readonly min: number;
  readonly max: number;
}

export class PortRangeError extends IceError {
  constructor(message: string) {
    super(message, 'ICE_PORT_RANGE');
  }
}

function isAddressInUse(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
}

/**
 * Socket buffers of a host candidate's socket: 1 MiB each way (the kernel caps them at its
 * `rmem_max`/`wmem_max`). The default 208 KiB holds about 170 full-size packets, which a burst of
 * video (a keyframe, or a forwarding server's fan-out) overflows before the event loop drains
 * it; the overflow is loss the peer must NACK.
 */
export const HOST_SOCKET_BUFFER_SIZE = 1 << 20;

/**
 * A UDP socket bound to `address` on a free port of `range` (or any port when `range` is
 * undefined). Throws `PortRangeError` for a malformed range or when every port is taken; other
 * bind errors (an address not on this host) are thrown as they are.
 */
export async function openInPortRange(
  address: string,
  family: AddressFamily,
  range: PortRange | undefined,
  random: () => number = Math.random,
): Promise<UdpTransport> {
  const buffers = {
    receiveBufferSize: HOST_SOCKET_BUFFER_SIZE,
    sendBufferSize: HOST_SOCKET_BUFFER_SIZE,
  };
  if (range === undefined) return UdpTransport.open({ address, family, ...buffers });
  const { min, max } = range;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 65535 || min > max) {
    throw new PortRangeError(`not a port range: ${min}-${max}`);
  }
  const size = max - min + 1;
  const start = Math.floor(random() * size);
  for (let i = 0; i < size; i++) {
    const port = min + ((start + i) % size);
    try {
      return await UdpTransport.open({ address, family, port, ...buffers });
    } catch (error) {
      if (!isAddressInUse(error)) throw error;
    }
  }
  throw new PortRangeError(`every port of ${min}-${max} is in use on ${address}`);
}
