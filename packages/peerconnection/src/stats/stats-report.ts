/**
 * `RTCStatsReport` (WebRTC 1.0, Statistics Model): what `getStats()` resolves with, a read-only
 * maplike from stats object ids to stats objects. Like the browsers' it has the ReadonlyMap
 * methods and no way to change it; entries keep the order they were added in.
 */

import type { AnyRTCStats } from './stats-types.js';

export class RTCStatsReport implements ReadonlyMap<string, AnyRTCStats> {
  readonly #entries: ReadonlyMap<string, AnyRTCStats>;

  /** Not W3C API (the IDL has no constructor): made by `buildStatsReport`. */
  constructor(stats: Iterable<AnyRTCStats>) {
    const entries = new Map<string, AnyRTCStats>();
    for (const entry of stats) entries.set(entry.id, entry);
    this.#entries = entries;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(id: string): AnyRTCStats | undefined {
    return this.#entries.get(id);
  }

  has(id: string): boolean {
    return this.#entries.has(id);
  }

  forEach(
    callback: (value: AnyRTCStats, key: string, report: ReadonlyMap<string, AnyRTCStats>) => void,
    thisArg?: unknown,
  ): void {
    for (const [key, value] of this.#entries) callback.call(thisArg, value, key, this);
  }

  keys(): MapIterator<string> {
    return this.#entries.keys();
  }

  values(): MapIterator<AnyRTCStats> {
    return this.#entries.values();
  }

  entries(): MapIterator<[string, AnyRTCStats]> {
    return this.#entries.entries();
  }

  [Symbol.iterator](): MapIterator<[string, AnyRTCStats]> {
    return this.#entries.entries();
  }

  get [Symbol.toStringTag](): string {
    return 'RTCStatsReport';
  }
}
