/**
 * Reassembly of fragmented user messages (RFC 9260 §6.9). A message's fragments carry
 * consecutive TSNs, the first with the B flag and the last with E, all on one stream with one
 * U flag and (when ordered) one SSN. Fragments wait in a map by TSN; neighbours that belong to
 * one message are linked into runs, and each run keeps its other end and its byte count at both
 * ends, so joining a fragment to its neighbours is O(1) and a message is copied out once, when
 * its run spans B to E.
 *
 * A run whose missing neighbour TSN is already received or skipped can never complete: the
 * fragment that would continue it is gone, abandoned by the sender (RFC 3758 §3.6: "remove any
 * partially reassembled message that is still missing one or more TSNs earlier than or equal
 * to the new cumulative TSN point"), or the peer broke §6.9. Such a run is dropped at once.
 */

import { tsnAdd } from '../../packet/tsn.js';
import type { Delivery } from './delivery.js';
import type { ReceivedTsnSet } from './tsn-set.js';

/** The fields of a received DATA chunk (RFC 9260 §3.3.1) the receive side reads. */
export interface ReceivedChunk {
  readonly tsn: number;
  readonly streamId: number;
  /** Stream sequence number; ignored for unordered chunks. */
  readonly ssn: number;
  readonly ppid: number;
  readonly unordered: boolean;
  /** First fragment of a user message (B flag). */
  readonly beginning: boolean;
  /** Last fragment of a user message (E flag). */
  readonly ending: boolean;
  /** May be a view into the packet: copied if kept. */
  readonly userData: Uint8Array;
}

type MessageFields = Pick<ReceivedChunk, 'streamId' | 'ssn' | 'unordered' | 'beginning' | 'ending'>;

interface Fragment extends MessageFields {
  readonly tsn: number;
  readonly ppid: number;
  /** The user data: a copy, or the chunk's own view when it was retainable. */
  readonly data: Uint8Array;
  /** At a run's two ends only: the TSN of the run's other end. */
  otherEnd: number;
  /** At a run's two ends only: the bytes of the whole run. */
  runBytes: number;
}

/** Whether `next`, one TSN after `previous`, is the following fragment of the same message. */
function continues(previous: MessageFields, next: MessageFields): boolean {
  return (
    !previous.ending &&
    !next.beginning &&
    previous.streamId === next.streamId &&
    previous.unordered === next.unordered &&
    (previous.unordered || previous.ssn === next.ssn)
  );
}

export class Reassembly {
  readonly #fragments = new Map<number, Fragment>();
  readonly #tsns: ReceivedTsnSet;
  readonly #delivery: Delivery;
  readonly #maxMessageSize: number;
  #bytes = 0;

  /** Complete messages go to `delivery`; `tsns` tells which TSNs were received or skipped. */
  constructor(tsns: ReceivedTsnSet, delivery: Delivery, maxMessageSize: number) {
    this.#tsns = tsns;
    this.#delivery = delivery;
    this.#maxMessageSize = maxMessageSize;
  }

  /** Bytes of the fragments waiting for the rest of their message. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Takes a new DATA chunk, whose TSN the caller has just recorded as received. Returns false
   * when its message is over the maximum message size or delivery refuses it (a duplicate SSN):
   * the association aborts, so nothing is cleaned up. `retainable`: the chunk's user data may
   * be kept as it is (the caller owns its memory and will not change it), not copied.
   */
  add(chunk: ReceivedChunk, retainable: boolean): boolean {
    const before = this.#fragments.get(tsnAdd(chunk.tsn, -1));
    const after = this.#fragments.get(tsnAdd(chunk.tsn, 1));
    // A held neighbour is the end of its run on that side: this TSN was missing until now.
    const left = before !== undefined && continues(before, chunk) ? before : undefined;
    const right = after !== undefined && continues(chunk, after) ? after : undefined;
    const runBytes = (left?.runBytes ?? 0) + chunk.userData.length + (right?.runBytes ?? 0);
    if (runBytes > this.#maxMessageSize) return false;

    const first = left === undefined ? undefined : this.#at(left.otherEnd);
    const last = right === undefined ? undefined : this.#at(right.otherEnd);
    if ((first ?? chunk).beginning && (last ?? chunk).ending) {
      const data = this.#join(first, chunk, last, runBytes, retainable);
      const message = {
        streamId: chunk.streamId,
        ppid: (first ?? chunk).ppid,
        data,
        unordered: chunk.unordered,
      };
      if (!this.#delivery.add(message, chunk.ssn)) return false;
    } else {
      const fragment: Fragment = {
        tsn: chunk.tsn,
        streamId: chunk.streamId,
        ssn: chunk.ssn,
        ppid: chunk.ppid,
        unordered: chunk.unordered,
        beginning: chunk.beginning,
        ending: chunk.ending,
        data: retainable ? chunk.userData : chunk.userData.slice(),
        otherEnd: chunk.tsn,
        runBytes,
      };
      this.#fragments.set(chunk.tsn, fragment);
      this.#bytes += fragment.data.length;
      const start = first ?? fragment;
      const end = last ?? fragment;
      start.otherEnd = end.tsn;
      end.otherEnd = start.tsn;
      start.runBytes = runBytes;
      end.runBytes = runBytes;
      this.#dropIfStranded(start);
    }
    // A neighbour this chunk does not belong with has lost its chance of continuing here.
    if (before !== undefined && left === undefined) this.#dropIfStranded(this.#at(before.otherEnd));
    if (after !== undefined && right === undefined) this.#dropIfStranded(after);
    return true;
  }

  /** After the cumulative point jumped (FORWARD-TSN), drops every run that can no longer complete. */
  dropStranded(): void {
    // Deleting from a Map while iterating it is safe: deleted entries are not visited.
    for (const fragment of this.#fragments.values()) {
      const before = this.#fragments.get(tsnAdd(fragment.tsn, -1));
      const startsRun = before === undefined || !continues(before, fragment);
      if (startsRun) this.#dropIfStranded(fragment);
    }
  }

  /**
   * The message's bytes in one buffer: the held run ending at `first`'s other end, then `chunk`,
   * then the held run from `last`'s other end; the held fragments are removed.
   */
  #join(
    first: Fragment | undefined,
    chunk: ReceivedChunk,
    last: Fragment | undefined,
    runBytes: number,
    retainable: boolean,
  ): Uint8Array {
    if (first === undefined && last === undefined) {
      return retainable ? chunk.userData : chunk.userData.slice();
    }
    const data = new Uint8Array(runBytes);
    let offset = 0;
    if (first !== undefined) offset = this.#moveRun(first, tsnAdd(chunk.tsn, -1), data, offset);
    data.set(chunk.userData, offset);
    offset += chunk.userData.length;
    if (last !== undefined) this.#moveRun(this.#at(tsnAdd(chunk.tsn, 1)), last.tsn, data, offset);
    return data;
  }

  /** Copies fragments `from` .. `toTsn` into `out` at `offset`, removes them; returns the end. */
  #moveRun(from: Fragment, toTsn: number, out: Uint8Array, offset: number): number {
    let fragment = from;
    for (;;) {
      out.set(fragment.data, offset);
      offset += fragment.data.length;
      this.#remove(fragment);
      if (fragment.tsn === toTsn) return offset;
      fragment = this.#at(tsnAdd(fragment.tsn, 1));
    }
  }

  /** Drops the run starting at `start` if a TSN next to it is accounted for but not its own. */
  #dropIfStranded(start: Fragment): void {
    const end = this.#at(start.otherEnd);
    const missingBefore = !start.beginning && this.#tsns.has(tsnAdd(start.tsn, -1));
    const missingAfter = !end.ending && this.#tsns.has(tsnAdd(end.tsn, 1));
    if (!missingBefore && !missingAfter) return;
    let fragment = start;
    for (;;) {
      this.#remove(fragment);
      if (fragment === end) return;
      fragment = this.#at(tsnAdd(fragment.tsn, 1));
    }
  }

  #remove(fragment: Fragment): void {
    this.#fragments.delete(fragment.tsn);
    this.#bytes -= fragment.data.length;
  }

  /** The held fragment at `tsn`, which the run bookkeeping guarantees is there. */
  #at(tsn: number): Fragment {
    return this.#fragments.get(tsn) as Fragment;
  }
}
