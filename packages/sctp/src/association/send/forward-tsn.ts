/**
 * What a PR-SCTP sender tells its peer to skip (RFC 3758 §3.5 C2-C4): the run of abandoned
 * chunks directly after the cumulative ack point moves Advanced.Peer.Ack.Point to its last TSN,
 * and each stream with ordered messages in that run gets the largest SSN skipped, so the
 * receiver stops waiting for them. A chunk that is merely gap-acked ends the run: the peer may
 * still renege on it (RFC 9260 §6.2.1), so it is not skipped.
 */

import { type ForwardTsnChunk, tsnAdd } from '../../packet/index.js';
import { ChunkState, type OutstandingRing } from './outstanding-ring.js';

export function forwardTsnFor(
  ring: OutstandingRing,
  cumulativeTsnAck: number,
): ForwardTsnChunk | undefined {
  let skipped = 0;
  while (skipped < ring.count && ring.at(skipped).state === ChunkState.abandoned) skipped++;
  if (skipped === 0) return undefined;
  const streams: { streamId: number; ssn: number }[] = [];
  for (let offset = 0; offset < skipped; offset++) {
    const { unordered, streamId, ssn } = ring.at(offset).chunk;
    if (unordered) continue; // §3.2: unordered chunks are skipped by TSN alone
    const known = streams.find((stream) => stream.streamId === streamId);
    // TSN order is SSN order within a stream, so the last one seen is the largest.
    if (known === undefined) streams.push({ streamId, ssn });
    else known.ssn = ssn;
  }
  return { newCumulativeTsn: tsnAdd(cumulativeTsnAck, skipped), streams };
}
