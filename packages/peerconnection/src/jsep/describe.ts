/**
 * A local description as the negotiation creates it (RFC 8829 §5.2 offers, §5.3 answers): its
 * sections (the data channels', media plans, refused ones), the bundle's transport, and the SDP
 * text, kept together so that applying it later acts on what was written.
 */

import type { RTCCertificate } from '../certificate.js';
import type { Credentials } from './ice-credentials.js';
import {
  buildLocalDescription,
  DEFAULT_SCTP_PORT,
  type LocalDescriptionParameters,
  type LocalSection,
} from './local-description.js';
import type { MediaSectionPlan } from './media-negotiation.js';
import type { RemoteDescription } from './remote-description.js';
import type { SectionState } from './sections.js';

/** Our `a=max-message-size` (RFC 8841 §6): what `@typertc/sctp` reassembles by default. */
export const LOCAL_MAX_MESSAGE_SIZE = 262_144;

export interface CreatedDescription {
  readonly sdp: string;
  readonly parameters: LocalDescriptionParameters;
  readonly credentials: Credentials;
  readonly sections: readonly SectionState[];
  /** The media sections' plans, by mid. */
  readonly media: ReadonlyMap<string, MediaSectionPlan>;
}

export interface DescribeInput {
  readonly sessionId: string;
  readonly sessionVersion: number;
  readonly sections: readonly SectionState[];
  readonly media: ReadonlyMap<string, MediaSectionPlan>;
  readonly credentials: Credentials;
  readonly setup: 'actpass' | 'active' | 'passive';
  readonly certificate: RTCCertificate;
  /** The candidates gathered so far, for a peer that does not trickle; none in a restart. */
  readonly candidates: readonly string[];
  readonly endOfCandidates: boolean;
}

export function describe(input: DescribeInput): CreatedDescription {
  const { sections, media, credentials } = input;
  const localSections = sections.map((section): LocalSection => {
    if (section.kind === 'application') {
      return {
        kind: 'application',
        mid: section.mid,
        sctpPort: DEFAULT_SCTP_PORT,
        maxMessageSize: LOCAL_MAX_MESSAGE_SIZE,
      };
    }
    if (section.kind === 'media') {
      const plan = media.get(section.mid) as MediaSectionPlan;
      return { kind: 'media', mid: section.mid, media: plan.parameters };
    }
    return section;
  });
  const parameters: LocalDescriptionParameters = {
    sessionId: input.sessionId,
    sessionVersion: input.sessionVersion,
    sections: localSections,
    // RFC 8843 §7: every accepted section in one group (max-bundle).
    bundle: sections.filter((s) => s.kind !== 'rejected').map((s) => s.mid),
    transport: {
      ufrag: credentials.ufrag,
      password: credentials.password,
      fingerprints: input.certificate.getFingerprints(),
      setup: input.setup,
      candidates: input.candidates,
      endOfCandidates: input.endOfCandidates,
      iceLite: false,
    },
  };
  return { sdp: buildLocalDescription(parameters), parameters, credentials, sections, media };
}

/**
 * RFC 8841 §5-§6: the data channels' association as the negotiated data section sets it up
 * (SCTP ports, each side's `a=max-message-size`), with the W3C `maxMessageSize` (the smaller of
 * the two, §6.1.2 of WebRTC 1.0); undefined when the section is absent or refused.
 */
export function negotiatedSctp(
  sections: readonly SectionState[],
  remote: RemoteDescription,
):
  | { maxMessageSize: number; localPort: number; remotePort: number; remoteMaxMessageSize: number }
  | undefined {
  const data = sections.find((s) => s.kind === 'application');
  const theirs = remote.sections.find((s) => s.mid === data?.mid);
  if (data === undefined || theirs === undefined || theirs.rejected) return undefined;
  return {
    maxMessageSize: Math.min(LOCAL_MAX_MESSAGE_SIZE, theirs.maxMessageSize || Infinity),
    localPort: DEFAULT_SCTP_PORT,
    remotePort: theirs.sctpPort,
    // RFC 8841 §6: 0 means the peer takes any size; we still send no more than we reassemble.
    remoteMaxMessageSize:
      theirs.maxMessageSize === 0 ? LOCAL_MAX_MESSAGE_SIZE : theirs.maxMessageSize,
  };
}
