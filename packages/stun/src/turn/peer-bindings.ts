/**
 * Everything a TURN allocation keeps per peer: permissions (RFC 8656 §9) and channel bindings
 * (RFC 8656 §12) — asking for them, refreshing the ones in use before they expire, letting idle
 * ones lapse — and the data path through them: ChannelData on a bound channel, Send indications
 * otherwise (RFC 8656 §11), Data indications and ChannelData accepted only from peers the
 * allocation has a permission for. Part of `TurnClient`, which owns the allocation itself.
 */

import { DeadlineQueue, type SocketAddress } from '@typertc/common';
import { CHANNEL_NUMBER, DATA, XOR_PEER_ADDRESS } from '../attributes.js';
import { frameChannelData } from '../channel-data.js';
import { StunMethod } from '../constants.js';
import { StunError } from '../errors.js';
import { StunMessage } from '../message.js';
import {
  CHANNEL_LIFETIME_MS,
  type ChannelBinding,
  ChannelTable,
  channelDeadline,
} from './channels.js';
import {
  PERMISSION_LIFETIME_MS,
  type Permission,
  PermissionTable,
  permissionDeadline,
} from './permissions.js';
import type { TurnRequests } from './turn-requests.js';
import type { TurnCounters, TurnEvent } from './turn-types.js';

/**
 * The most data one datagram may carry through the relay: a Send indication's attributes fit
 * the 65532 bytes a STUN message's length allows (RFC 8489 §5) with XOR-PEER-ADDRESS for IPv6
 * (24 bytes) and the DATA header (4); ChannelData allows more (65535, RFC 8656 §12.4).
 */
export const MAX_RELAYED_DATA = 65_504;

export interface PeerBindingsOptions {
  readonly requests: TurnRequests;
  readonly counters: TurnCounters;
  readonly transmit: (bytes: Uint8Array) => void;
  readonly emit: (event: TurnEvent) => void;
  /** Stream transports need ChannelData padded to 4 bytes (RFC 8656 §12.5). */
  readonly padChannelData: boolean;
  readonly maxQueuedPerPeer: number;
}

export class PeerBindings {
  readonly #options: PeerBindingsOptions;
  readonly #permissions = new PermissionTable();
  readonly #channels = new ChannelTable();
  /** Each permission's and binding's next refresh or expiry. */
  readonly #timers = new DeadlineQueue<Permission | ChannelBinding>();

  constructor(options: PeerBindingsOptions) {
    this.#options = options;
  }

  hasPermission(peer: SocketAddress, now: number): boolean {
    return this.#permissions.allows(peer, now);
  }

  isChannelBound(peer: SocketAddress, now: number): boolean {
    const binding = this.#channels.forPeer(peer);
    return binding !== undefined && binding.boundUntil > now;
  }

  createPermission(peer: SocketAddress, now: number): void {
    const permission = this.#permissions.obtain(peer);
    if (!permission.requesting) this.#requestPermission(permission, now);
  }

  bindChannel(peer: SocketAddress, now: number): number {
    const binding = this.#channels.obtain(peer);
    if (!binding.requesting && binding.boundUntil <= now) this.#requestChannel(binding, now);
    return binding.number;
  }

  sendTo(data: Uint8Array, peer: SocketAddress, now: number): void {
    // Checked now, as queued data is sent from inside handleMessage, which must not throw.
    if (data.length > MAX_RELAYED_DATA) {
      throw new StunError(`TURN relays at most ${MAX_RELAYED_DATA} bytes, got ${data.length}`);
    }
    const permission = this.#permissions.obtain(peer);
    if (permission.installedUntil > now) {
      this.#relay(data, peer, permission, now);
      return;
    }
    if (!permission.requesting) this.#requestPermission(permission, now);
    if (permission.queue.length < this.#options.maxQueuedPerPeer) {
      permission.queue.push({ data, peer });
    } else {
      this.#options.counters.droppedQueued++;
    }
  }

  /** A Data indication's contents: delivered if the peer has a permission (RFC 8656 §11.4). */
  receiveIndication(peer: SocketAddress, data: Uint8Array, now: number): void {
    const permission = this.#permissions.get(peer);
    if (permission === undefined || permission.installedUntil <= now) {
      this.#options.counters.droppedData++;
      return;
    }
    this.#markPermissionUsed(permission, now);
    this.#options.emit({ type: 'data', peer, data });
  }

  /** ChannelData's contents: delivered if the channel is bound and its peer permitted. */
  receiveChannelData(channel: number, data: Uint8Array, now: number): void {
    const binding = this.#channels.forNumber(channel);
    const permission = binding === undefined ? undefined : this.#permissions.get(binding.peer);
    if (
      binding === undefined ||
      binding.boundUntil <= now ||
      permission === undefined ||
      permission.installedUntil <= now
    ) {
      this.#options.counters.droppedData++;
      return;
    }
    this.#markChannelUsed(binding, now);
    this.#markPermissionUsed(permission, now);
    this.#options.emit({ type: 'data', peer: binding.peer, data });
  }

  permissionInstalled(permission: Permission, now: number): void {
    permission.requesting = false;
    this.#installPermission(permission, now);
    this.#options.emit({ type: 'permission', peer: permission.peer });
  }

  permissionFailed(permission: Permission, error: StunError, now: number): void {
    permission.requesting = false;
    this.#options.counters.droppedQueued += permission.queue.length;
    permission.queue.length = 0;
    // One not installed (never, or expired while refreshing) is forgotten; sendTo asks again.
    if (permission.installedUntil <= now) this.#permissions.delete(permission);
    this.#options.emit({ type: 'permission-failed', peer: permission.peer, error });
  }

  channelBound(binding: ChannelBinding, now: number): void {
    binding.requesting = false;
    binding.boundUntil = now + CHANNEL_LIFETIME_MS;
    this.#scheduleChannel(binding, now);
    // RFC 8656 §12: a ChannelBind also installs or refreshes the peer's permission.
    this.#installPermission(this.#permissions.obtain(binding.peer), now);
    this.#options.emit({ type: 'channel', peer: binding.peer, channel: binding.number });
  }

  channelFailed(binding: ChannelBinding, error: StunError): void {
    binding.requesting = false;
    this.#options.emit({
      type: 'channel-failed',
      peer: binding.peer,
      channel: binding.number,
      error,
    });
  }

  /** The next refresh or expiry of a permission or binding. */
  pollTimeout(): number | undefined {
    return this.#timers.earliest();
  }

  /** Refreshes what is in use and due, forgets what expired. */
  handleTimeout(now: number): void {
    for (let key = this.#timers.popDue(now); key !== undefined; key = this.#timers.popDue(now)) {
      if (key.kind === 'permission') {
        if (key.installedUntil <= now) {
          // Expired. One being refreshed stays, its data queued until the answer.
          if (!key.requesting) this.#permissions.delete(key);
        } else if (key.used && !key.requesting) {
          this.#requestPermission(key, now);
        }
        this.#schedulePermission(key, now);
      } else {
        if (key.boundUntil > now && key.used && !key.requesting) this.#requestChannel(key, now);
        this.#scheduleChannel(key, now);
      }
    }
  }

  /** Forgets every permission and binding; data still queued is counted as dropped. */
  clear(): void {
    for (const permission of this.#permissions.values()) {
      this.#options.counters.droppedQueued += permission.queue.length;
      permission.queue.length = 0;
    }
    this.#permissions.clear();
    this.#channels.clear();
    this.#timers.clear();
  }

  /** Data to a peer whose permission is installed: ChannelData if a channel is bound. */
  #relay(data: Uint8Array, peer: SocketAddress, permission: Permission, now: number): void {
    this.#markPermissionUsed(permission, now);
    const binding = this.#channels.forPeer(peer);
    if (binding !== undefined && binding.boundUntil > now) {
      this.#markChannelUsed(binding, now);
      this.#options.transmit(frameChannelData(binding.number, data, this.#options.padChannelData));
      return;
    }
    // RFC 8656 §11.1: a Send indication carries XOR-PEER-ADDRESS and DATA, unauthenticated.
    const indication = new StunMessage('indication', StunMethod.Send)
      .add(XOR_PEER_ADDRESS, peer)
      .add(DATA, data);
    this.#options.transmit(indication.encode());
  }

  #requestPermission(permission: Permission, now: number): void {
    this.#options.requests.send(
      StunMethod.CreatePermission,
      'CreatePermission',
      { kind: 'permission', permission },
      (request) => request.add(XOR_PEER_ADDRESS, permission.peer),
      now,
    );
    // Use from now on counts towards the next refresh.
    permission.used = false;
    permission.requesting = true;
    this.#schedulePermission(permission, now);
  }

  #requestChannel(binding: ChannelBinding, now: number): void {
    this.#options.requests.send(
      StunMethod.ChannelBind,
      'ChannelBind',
      { kind: 'channel', binding },
      (request) => request.add(CHANNEL_NUMBER, binding.number).add(XOR_PEER_ADDRESS, binding.peer),
      now,
    );
    binding.used = false;
    binding.requesting = true;
    this.#scheduleChannel(binding, now);
  }

  /** The permission holds for 300 s from now; data waiting for it goes out. */
  #installPermission(permission: Permission, now: number): void {
    permission.installedUntil = now + PERMISSION_LIFETIME_MS;
    this.#schedulePermission(permission, now);
    for (const { data, peer } of permission.queue.splice(0)) {
      this.#relay(data, peer, permission, now);
    }
  }

  /** Data went to or came from the peer: its permission's timer moves to the refresh point. */
  #markPermissionUsed(permission: Permission, now: number): void {
    if (permission.used) return;
    permission.used = true;
    this.#schedulePermission(permission, now);
  }

  #markChannelUsed(binding: ChannelBinding, now: number): void {
    if (binding.used) return;
    binding.used = true;
    this.#scheduleChannel(binding, now);
  }

  /** Arms the permission's timer, or disarms it once it has expired (see permissionDeadline). */
  #schedulePermission(permission: Permission, now: number): void {
    const deadline = permissionDeadline(permission);
    if (deadline === undefined || permission.installedUntil <= now) this.#timers.delete(permission);
    else this.#timers.set(permission, deadline);
  }

  #scheduleChannel(binding: ChannelBinding, now: number): void {
    const deadline = channelDeadline(binding);
    if (deadline === undefined || binding.boundUntil <= now) this.#timers.delete(binding);
    else this.#timers.set(binding, deadline);
  }
}
