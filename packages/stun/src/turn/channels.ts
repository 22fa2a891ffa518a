/**
 * The client's channel bindings (RFC 8656 §12): a channel number (0x4000–0x4FFF) bound to one
 * peer transport address, lasting 10 minutes unless rebound. A binding in use is rebound a
 * minute before it expires.
 *
 * Numbers are handed out in order and never given to another peer for the allocation's life:
 * after a binding expires, RFC 8656 §12 forbids binding its number to a different address, or
 * its address to a different number, for 5 minutes, and never reusing is the simplest way to
 * honour that. Rebinding the same pair is always allowed, so a peer keeps its number.
 */

import type { SocketAddress } from '@typertc/common';
import { MAX_CHANNEL_NUMBER, MIN_CHANNEL_NUMBER } from '../channel-data.js';
import { StunError } from '../errors.js';
import { canonicalIp, canonicalPeer } from './permissions.js';

/** RFC 8656 §12: a channel binding lasts 10 minutes. */
export const CHANNEL_LIFETIME_MS = 600_000;
/** Rebind this long before expiry. */
export const CHANNEL_REFRESH_MARGIN_MS = 60_000;

export interface ChannelBinding {
  readonly kind: 'channel';
  readonly number: number;
  /** The peer, its address in canonical form. */
  readonly peer: SocketAddress;
  /** Until when the server holds the binding (ms); 0 while it never was bound. */
  boundUntil: number;
  /** A ChannelBind for it is in flight. */
  requesting: boolean;
  /** Data went to or came from the peer since the binding was last made. */
  used: boolean;
}

function peerKey(peer: SocketAddress): string {
  return `${canonicalIp(peer.address)}|${peer.port}`;
}

export class ChannelTable {
  readonly #byPeer = new Map<string, ChannelBinding>();
  readonly #byNumber = new Map<number, ChannelBinding>();
  #nextNumber = MIN_CHANNEL_NUMBER;

  forPeer(peer: SocketAddress): ChannelBinding | undefined {
    return this.#byPeer.get(peerKey(peer));
  }

  forNumber(channel: number): ChannelBinding | undefined {
    return this.#byNumber.get(channel);
  }

  /**
   * The peer's binding, given the next free number if it has none.
   * @throws StunError when all 4096 numbers have been handed out.
   */
  obtain(peer: SocketAddress): ChannelBinding {
    const canonical = canonicalPeer(peer);
    const key = peerKey(canonical);
    let binding = this.#byPeer.get(key);
    if (binding === undefined) {
      if (this.#nextNumber > MAX_CHANNEL_NUMBER) {
        throw new StunError(
          'all 4096 TURN channel numbers are in use (RFC 8656 §12)',
          'TURN_CHANNELS_EXHAUSTED',
        );
      }
      binding = {
        kind: 'channel',
        number: this.#nextNumber++,
        peer: canonical,
        boundUntil: 0,
        requesting: false,
        used: false,
      };
      this.#byPeer.set(key, binding);
      this.#byNumber.set(binding.number, binding);
    }
    return binding;
  }

  clear(): void {
    this.#byPeer.clear();
    this.#byNumber.clear();
  }
}

/**
 * When the binding's timer should next fire: a minute before expiry if it is in use and no
 * rebind is in flight, else at expiry. Undefined while it was never bound.
 */
export function channelDeadline(binding: ChannelBinding): number | undefined {
  if (binding.boundUntil === 0) return undefined;
  const rebindAt = binding.boundUntil - CHANNEL_REFRESH_MARGIN_MS;
  return binding.used && !binding.requesting ? rebindAt : binding.boundUntil;
}
