/**
 * What an applied answer does to the transceivers (RFC 8829 §5.10, §5.11; W3C WebRTC 1.0
 * §4.4.1.5), and W3C §4.7.3's test of whether a transceiver needs another negotiation.
 */

import type { Direction } from '@typertc/sdp';
import { internals } from '../media/internals.js';
import type { RTCRtpTransceiver } from '../media/rtp-transceiver.js';
import {
  type MediaSectionPlan,
  negotiatedSection,
  reverseDirection,
  sends,
} from './media-negotiation.js';
import { answerDirection, RTP_PROTOCOL } from './media-section.js';
import type { RemoteDescription } from './remote-description.js';
import type { SectionState } from './sections.js';

/** A description of ours as the negotiation keeps it. */
export interface DescribedSections {
  readonly sections: readonly SectionState[];
  readonly media: ReadonlyMap<string, MediaSectionPlan>;
}

/**
 * An answer (or pranswer) applied, ours or the peer's: each transceiver gets the section it
 * negotiated and its `currentDirection`; one whose section was refused, or that was stopping,
 * stops for good. Returns the sections as they now stand: a stopped transceiver's section
 * becomes a refused one that a later offer may recycle (RFC 8829 §5.2.2).
 */
export function applyNegotiatedMedia(
  ours: DescribedSections,
  remote: RemoteDescription,
  role: 'offerer' | 'answerer',
  transceivers: readonly RTCRtpTransceiver[],
): SectionState[] {
  const sections = ours.sections.map((section): SectionState => {
    if (section.kind !== 'media') return section;
    const transceiver = section.transceiver;
    const state = transceiver[internals];
    const plan = ours.media.get(section.mid);
    const theirs = remote.sections.find((s) => s.mid === section.mid);
    if (plan === undefined || theirs?.media === undefined || theirs.rejected || state.stopping) {
      state.finishStop();
      return {
        kind: 'rejected',
        mid: section.mid,
        mediaKind: state.kind,
        protocol: RTP_PROTOCOL,
        formats: plan?.parameters.codecs.map((codec) => String(codec.payloadType)) ?? ['0'],
      };
    }
    const negotiated = negotiatedSection(plan, theirs.media);
    // RFC 3264 §6.1: the answer's direction is the answerer's; the offerer's is its reverse.
    const direction =
      role === 'answerer' ? plan.parameters.direction : reverseDirection(theirs.media.direction);
    state.negotiated = negotiated;
    state.currentDirection = direction;
    transceiver.sender[internals].stream.configure(negotiated);
    transceiver.sender[internals].setNegotiatedSending(sends(direction));
    transceiver.receiver[internals].stream.configure(negotiated);
    return section;
  });
  // A refused section stops the transceiver it had (a stopping one's, or one the peer
  // refused); a transceiver stopped before it ever had a section stops now too.
  for (const transceiver of transceivers) {
    const state = transceiver[internals];
    if (state.stopped) continue;
    const section = sections.find((s) => s.mid === state.mid);
    if (section?.kind === 'rejected' || (state.stopping && state.mid === null)) {
      state.finishStop();
    }
  }
  return sections;
}

/** W3C §4.7.3 "check if negotiation is needed", the steps for one transceiver. */
export function transceiverNeedsNegotiation(
  transceiver: RTCRtpTransceiver,
  stable: readonly SectionState[],
  currentLocal: { readonly type: string; readonly created: DescribedSections } | undefined,
  currentRemote: RemoteDescription | undefined,
): boolean {
  const state = transceiver[internals];
  if (state.stopped) return false;
  const current = stable.find((s) => s.kind === 'media' && s.transceiver === transceiver);
  if (state.stopping) return current !== undefined;
  if (current === undefined) return true;
  const plan = currentLocal?.created.media.get(current.mid);
  if (currentLocal === undefined || plan === undefined) return true;
  const written = plan.parameters.direction;
  if (currentLocal.type === 'offer') {
    if (written !== transceiver.direction) return true;
  } else {
    const offered = currentRemote?.sections.find((s) => s.mid === current.mid)?.media;
    const wanted = transceiver.direction as Direction;
    if (offered !== undefined && answerDirection(offered.direction, wanted) !== written) {
      return true;
    }
  }
  // The msid the peer was told (RFC 8830) no longer names the sender's streams.
  if (sends(written)) {
    const streamIds = transceiver.sender[internals].streamIds;
    const announced = plan.parameters.msid?.streamIds ?? [];
    if (streamIds.length !== announced.length || streamIds.some((id, i) => id !== announced[i])) {
      return true;
    }
  }
  return false;
}
