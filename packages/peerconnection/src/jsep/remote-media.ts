/**
 * What a remote description does to the transceivers (W3C WebRTC 1.0 §4.4.1.5, "set the
 * session description", the steps for each media description of a remote one):
 *
 * - an offer's section is associated with the transceiver of its mid, else with one addTrack
 *   made of its kind and not yet associated, else with a new `recvonly` transceiver;
 * - a section in which the peer sends starts the receiving side: the remote streams of its
 *   `a=msid` are set and a `track` event is due ("process the addition of a remote track");
 *   one in which it stopped sending removes the track from its streams and mutes it.
 *
 * A rollback of the remote offer undoes the associations (§4.4.1.5, rollback steps).
 */

import type { MediaKind } from '../media/codec-capabilities.js';
import { internals } from '../media/internals.js';
import {
  addRemoteTrack,
  MediaStream,
  removeRemoteTrack,
  setTrackMuted,
} from '../media/media-stream-track.js';
import type { RTCRtpTransceiver } from '../media/rtp-transceiver.js';
import { sends } from './media-negotiation.js';
import type { RemoteDescription } from './remote-description.js';

export interface RemoteMediaHost {
  transceivers(): readonly RTCRtpTransceiver[];
  /** W3C: a transceiver a remote offer needs, `recvonly`, added to the connection's set. */
  createTransceiver(kind: MediaKind): RTCRtpTransceiver;
  /** Rollback: a transceiver the rolled-back offer created goes again. */
  removeTransceiver(transceiver: RTCRtpTransceiver): void;
  /** The connection's remote streams by id, so that tracks of one stream share the object. */
  readonly remoteStreams: Map<string, MediaStream>;
}

/** What associating a remote offer changed, for its rollback. */
export interface Association {
  readonly created: RTCRtpTransceiver[];
  readonly associated: RTCRtpTransceiver[];
}

/** A `track` event to fire once the description is applied (W3C §5.4 RTCTrackEvent). */
export interface TrackEventInit {
  readonly transceiver: RTCRtpTransceiver;
  readonly streams: MediaStream[];
}

/** W3C §4.4.1.5 for a remote offer: every audio/video section gets its transceiver. */
export function associateRemoteOffer(
  remote: RemoteDescription,
  host: RemoteMediaHost,
): Association {
  const association: Association = { created: [], associated: [] };
  for (const section of remote.sections) {
    const media = section.media;
    if (media === undefined || section.rejected) continue;
    const transceivers = host.transceivers();
    if (transceivers.some((t) => t.mid === section.mid)) continue;
    let transceiver = transceivers.find((t) => {
      const state = t[internals];
      return (
        state.kind === media.kind &&
        state.mid === null &&
        state.addedByAddTrack &&
        !state.stopping &&
        !state.stopped
      );
    });
    if (transceiver === undefined) {
      transceiver = host.createTransceiver(media.kind);
      association.created.push(transceiver);
    } else {
      association.associated.push(transceiver);
    }
    transceiver[internals].mid = section.mid;
  }
  return association;
}

/** Rollback of a remote offer: associations undone, created transceivers removed. */
export function undoAssociation(association: Association, host: RemoteMediaHost): void {
  for (const transceiver of association.associated) transceiver[internals].mid = null;
  for (const transceiver of association.created) {
    // W3C: unless addTrack has since given it a track, it goes; otherwise it only loses its mid.
    transceiver[internals].mid = null;
    if (transceiver.sender.track === null) host.removeTransceiver(transceiver);
  }
}

/**
 * The remote tracks a description starts or stops (W3C §4.4.1.5 "process the addition/removal
 * of a remote track"); returns the `track` events due.
 */
export function processRemoteTracks(
  remote: RemoteDescription,
  host: RemoteMediaHost,
): TrackEventInit[] {
  const events: TrackEventInit[] = [];
  for (const section of remote.sections) {
    const media = section.media;
    const transceiver = host.transceivers().find((t) => t.mid === section.mid);
    if (media === undefined || transceiver === undefined) continue;
    const state = transceiver[internals];
    const track = transceiver.receiver.track;
    if (!section.rejected && sends(media.direction) && !state.stopping) {
      const streams = (media.msid?.streamIds ?? []).map((id) => {
        let stream = host.remoteStreams.get(id);
        if (stream === undefined) {
          stream = new MediaStream(id);
          host.remoteStreams.set(id, stream);
        }
        return stream;
      });
      // W3C "set the associated remote streams": the track leaves streams no longer named.
      for (const old of state.remoteStreams) {
        if (!streams.includes(old)) removeRemoteTrack(old, track);
      }
      for (const stream of streams) addRemoteTrack(stream, track);
      state.remoteStreams = streams;
      if (!state.receiving) {
        state.receiving = true;
        events.push({ transceiver, streams });
      }
    } else if (state.receiving) {
      state.receiving = false;
      for (const stream of state.remoteStreams) removeRemoteTrack(stream, track);
      state.remoteStreams = [];
      setTrackMuted(track, true);
    }
  }
  return events;
}
