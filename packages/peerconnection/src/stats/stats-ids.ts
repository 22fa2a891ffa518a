/**
 * Stats object ids (webrtc-stats, "Lifetime considerations for monitored objects"): an id is
 * stable for its monitored object across reports, and never used again for another object, even
 * after the first is deleted. Ids are therefore numbered per object, in the order objects are
 * first reported, rather than derived from what they contain: a data channel's stream id or a
 * candidate's address may come back on a new object.
 */

const numbered = new WeakMap<object, string>();
let lastNumber = 0;

/** The id of a monitored object: `prefix` and its number, the same for it every time. */
export function statsIdOf(prefix: string, object: object): string {
  let id = numbered.get(object);
  if (id === undefined) {
    id = `${prefix}${++lastNumber}`;
    numbered.set(object, id);
  }
  return id;
}

/** The one peer-connection stats object of a report. */
export const PEER_CONNECTION_STATS_ID = 'P';

/** A certificate's id names its fingerprint: the same certificate, the same stats object. */
export function certificateStatsId(fingerprint: string): string {
  return `CF${fingerprint}`;
}

/** A pair's id, from its candidates'. */
export function candidatePairStatsId(localId: string, remoteId: string): string {
  return `CP${localId}_${remoteId}`;
}
