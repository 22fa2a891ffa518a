/**
 * What one candidate pair has carried, as webrtc-stats RTCIceCandidatePairStats counts it: the
 * STUN checks both ways, the round-trip times of our requests, and the data (non-STUN) packets
 * of the pair once it carries data. The agent counts the checks; the adapter that sends and
 * receives the data (`IceTransport`) counts the data on the selected pair's counters, with
 * plain number fields incremented in place, so the data path allocates nothing.
 *
 * Times are in ms on the caller's clock (the `now` the agent is driven with). A time not yet
 * known is NaN rather than undefined, so the fields stay doubles and the data path never boxes
 * a number; snapshots turn NaN into an absent member.
 */

import type { IceCandidate, LocalCandidate } from '../candidate.js';
import type { CandidatePair, CandidatePairState } from '../pair.js';
import type { CheckSession } from './check-session.js';
import type { CheckPurpose } from './connectivity-checks.js';
import type { ValidPair } from './valid-list.js';

/** A pair's counters at one moment: plain numbers, the caller's to keep. */
export interface PairCountersSnapshot {
  /** Checks and nominations sent, retransmissions not counted (consent is counted apart). */
  readonly requestsSent: number;
  /** RFC 7675 consent requests sent, retransmissions not counted. */
  readonly consentRequestsSent: number;
  /** Binding requests received on the pair, retransmissions included, consent included. */
  readonly requestsReceived: number;
  /** Answers sent to them: one per request received, whatever the answer. */
  readonly responsesSent: number;
  /** Authenticated responses to our requests (checks, nominations and consent). */
  readonly responsesReceived: number;
  /** The sum of the round-trip times of `responsesReceived`, in ms. */
  readonly totalRoundTripTimeMs: number;
  /** The latest round-trip time, in ms; absent before the first response. */
  readonly currentRoundTripTimeMs?: number;
  /** Data packets and their bytes (the UDP payload; STUN excluded). */
  readonly packetsSent: number;
  readonly bytesSent: number;
  readonly packetsReceived: number;
  readonly bytesReceived: number;
  /** When the last data packet was sent or received; absent if none was. */
  readonly lastPacketSentAt?: number;
  readonly lastPacketReceivedAt?: number;
}

export class PairCounters {
  #requestsSent = 0;
  #consentRequestsSent = 0;
  #requestsReceived = 0;
  #responsesSent = 0;
  #responsesReceived = 0;
  #totalRoundTripTimeMs = 0;
  #currentRoundTripTimeMs = Number.NaN;
  #packetsSent = 0;
  #bytesSent = 0;
  #packetsReceived = 0;
  #bytesReceived = 0;
  #lastPacketSentAt = Number.NaN;
  #lastPacketReceivedAt = Number.NaN;

  /** A new transaction (not a retransmission) for `purpose` was started on the pair. */
  requestSent(purpose: CheckPurpose): void {
    if (purpose === 'consent') this.#consentRequestsSent++;
    else this.#requestsSent++;
  }

  /** A request arrived on the pair and was answered (RFC 8445 §7.3: every request is). */
  requestAnswered(): void {
    this.#requestsReceived++;
    this.#responsesSent++;
  }

  /**
   * An authenticated response to one of our requests, `rttMs` after the request's last
   * transmission (see `PendingChecks.complete`).
   */
  responseReceived(rttMs: number): void {
    this.#responsesReceived++;
    this.#totalRoundTripTimeMs += rttMs;
    this.#currentRoundTripTimeMs = rttMs;
  }

  /** A data packet of `bytes` left on the pair at `now`. */
  dataSent(bytes: number, now: number): void {
    this.#packetsSent++;
    this.#bytesSent += bytes;
    this.#lastPacketSentAt = now;
  }

  /** A data packet of `bytes` arrived on the pair at `now`. */
  dataReceived(bytes: number, now: number): void {
    this.#packetsReceived++;
    this.#bytesReceived += bytes;
    this.#lastPacketReceivedAt = now;
  }

  snapshot(): PairCountersSnapshot {
    const rtt = this.#currentRoundTripTimeMs;
    const sentAt = this.#lastPacketSentAt;
    const receivedAt = this.#lastPacketReceivedAt;
    return {
      requestsSent: this.#requestsSent,
      consentRequestsSent: this.#consentRequestsSent,
      requestsReceived: this.#requestsReceived,
      responsesSent: this.#responsesSent,
      responsesReceived: this.#responsesReceived,
      totalRoundTripTimeMs: this.#totalRoundTripTimeMs,
      ...(Number.isNaN(rtt) ? {} : { currentRoundTripTimeMs: rtt }),
      packetsSent: this.#packetsSent,
      bytesSent: this.#bytesSent,
      packetsReceived: this.#packetsReceived,
      bytesReceived: this.#bytesReceived,
      ...(Number.isNaN(sentAt) ? {} : { lastPacketSentAt: sentAt }),
      ...(Number.isNaN(receivedAt) ? {} : { lastPacketReceivedAt: receivedAt }),
    };
  }
}

/** One pair as `IceAgent.pairStats()` reports it: webrtc-stats RTCIceCandidatePairStats' data. */
export interface IceCandidatePairStats extends PairCountersSnapshot {
  /** For a valid pair, the local candidate as the peer sees it (RFC 8445 §7.2.5.3.2). */
  readonly local: LocalCandidate;
  readonly remote: IceCandidate;
  readonly state: CandidatePairState;
  readonly nominated: boolean;
  /** Whether the pair carries the data (the selected pair, or the old one during a restart). */
  readonly selected: boolean;
  readonly priority: bigint;
}

/** The counters of each pair, made on first use and dropped with the pair. */
export class PairCounterTable {
  readonly #byPair = new WeakMap<CandidatePair, PairCounters>();

  of(pair: CandidatePair): PairCounters {
    let counters = this.#byPair.get(pair);
    if (counters === undefined) {
      counters = new PairCounters();
      this.#byPair.set(pair, counters);
    }
    return counters;
  }
}

/**
 * Every pair of the session's checklist, best first, and the pair carrying data if the
 * checklist does not hold it (the old selected pair during an ICE restart). A valid pair is
 * reported with the local candidate its check discovered, a prflx one behind a NAT, as
 * libwebrtc reports it: that is the address the data flows from.
 */
export function pairStats(
  session: CheckSession,
  dataPair: ValidPair | undefined,
  counters: PairCounterTable,
): IceCandidatePairStats[] {
  const pairs: CandidatePair[] = [...session.checklist.pairs];
  if (dataPair !== undefined && !pairs.includes(dataPair.pair)) pairs.push(dataPair.pair);
  return pairs.map((pair) => {
    const selected = dataPair?.pair === pair;
    const valid = selected ? dataPair : session.valid.get(pair);
    return {
      local: valid?.local ?? pair.local,
      remote: pair.remote,
      state: pair.state,
      nominated: pair.nominated,
      selected,
      priority: pair.priority,
      ...counters.of(pair).snapshot(),
    };
  });
}
