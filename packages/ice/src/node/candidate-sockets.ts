/**
 * The sockets an `IceTransport` sends and receives on: each local candidate's base
 * (`formatSocketAddress`) maps to the `DatagramTransport` to use it, and every such transport is
 * listened to once. A transport may be the base of several candidates — the shared port of a
 * `UdpMux` bound to a wildcard address names every host address — and then which of them a
 * datagram arrived on is not observable (Node gives no destination address for UDP), so it is
 * attributed by `baseFor`. Bases belong to a gathering generation; an ICE restart releases the
 * old generation's bases once the new one has a pair.
 */

import {
  type DatagramTransport,
  formatSocketAddress,
  parseIpAddress,
  type SocketAddress,
} from '@typertc/common';

export type SocketDatagramListener = (
  transport: DatagramTransport,
  base: SocketAddress,
  data: Uint8Array,
  from: SocketAddress,
) => void;

interface BaseEntry {
  readonly transport: DatagramTransport;
  generation: number;
}

interface Listened {
  readonly bases: SocketAddress[];
  readonly unsubscribe: () => void;
}

function isLoopback(address: SocketAddress): boolean {
  const { bytes } = parseIpAddress(address.address);
  if (address.family === 'IPv4') return bytes[0] === 127;
  return bytes.every((byte, i) => byte === (i === 15 ? 1 : 0));
}

/**
 * Which of several bases sharing one socket a datagram from `from` arrived on: one of its
 * family, loopback for a loopback peer and otherwise the first (most preferred) non-loopback
 * one — where the system would route a reply from.
 */
export function baseFor(bases: readonly SocketAddress[], from: SocketAddress): SocketAddress {
  const sameFamily = bases.filter((base) => base.family === from.family);
  const loopbackPeer = isLoopback(from);
  const best = sameFamily.find((base) => isLoopback(base) === loopbackPeer) ?? sameFamily[0];
  return best ?? (bases[0] as SocketAddress);
}

export class CandidateSockets {
  readonly #onDatagram: SocketDatagramListener;
  readonly #bases = new Map<string, BaseEntry>();
  readonly #listened = new Map<DatagramTransport, Listened>();

  constructor(onDatagram: SocketDatagramListener) {
    this.#onDatagram = onDatagram;
  }

  /** The transport to send from `base`, if it is a known base. */
  transportFor(base: SocketAddress): DatagramTransport | undefined {
    return this.#bases.get(formatSocketAddress(base))?.transport;
  }

  /** Registers `base` (a candidate's) on `transport` for `generation`, listening if new. */
  add(base: SocketAddress, transport: DatagramTransport, generation: number): void {
    const key = formatSocketAddress(base);
    const known = this.#bases.get(key);
    if (known !== undefined && known.transport === transport) {
      // A shared socket's base gathered again after a restart belongs to the new generation.
      known.generation = Math.max(known.generation, generation);
      return;
    }
    this.#bases.set(key, { transport, generation });
    const listened = this.#listened.get(transport);
    if (listened !== undefined) {
      listened.bases.push(base);
      return;
    }
    const bases = [base];
    const unsubscribe = transport.on('datagram', (data, from) => {
      const arrivedOn = bases.length === 1 ? (bases[0] as SocketAddress) : baseFor(bases, from);
      this.#onDatagram(transport, arrivedOn, data, from);
    });
    this.#listened.set(transport, { bases, unsubscribe });
  }

  /** Forgets the bases of `generation`, and stops listening where none is left. */
  release(generation: number): void {
    for (const [key, entry] of this.#bases) {
      if (entry.generation !== generation) continue;
      this.#bases.delete(key);
      const listened = this.#listened.get(entry.transport);
      if (listened === undefined) continue;
      const index = listened.bases.findIndex((base) => formatSocketAddress(base) === key);
      if (index >= 0) listened.bases.splice(index, 1);
      if (listened.bases.length === 0) {
        listened.unsubscribe();
        this.#listened.delete(entry.transport);
      }
    }
  }

  /** Stops listening everywhere. */
  clear(): void {
    for (const listened of this.#listened.values()) listened.unsubscribe();
    this.#listened.clear();
    this.#bases.clear();
  }
}
