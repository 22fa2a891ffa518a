/**
 * The m= sections of a negotiation as this side keeps them, and the rules offers and answers
 * follow for them (RFC 8829 §5.2.2, §5.3.1, §5.10): sections keep their place for the whole
 * session; an offer adds one per new transceiver, in a stopped one's place when there is one;
 * an answer has the offer's sections in its order, the data section accepted once, a media
 * section accepted when its transceiver takes it, anything else refused with port 0.
 */

import { invalidAccessError } from '../errors.js';
import { internals } from '../media/internals.js';
import type { RTCRtpTransceiver } from '../media/rtp-transceiver.js';
import { RTP_PROTOCOL } from './media-section.js';
import type { RemoteDescription, RemoteSection, RemoteTransport } from './remote-description.js';

/** A section as this side knows it, in m= line order. */
export type SectionState =
  | { readonly kind: 'application'; readonly mid: string }
  | { readonly kind: 'media'; readonly mid: string; readonly transceiver: RTCRtpTransceiver }
  | {
      readonly kind: 'rejected';
      readonly mid: string;
      readonly mediaKind: string;
      readonly protocol: string;
      readonly formats: readonly string[];
    };

/**
 * RFC 8829 §5.3.1: our answer's sections, the first SCTP data section accepted, a media section
 * as `media` decides (undefined: refused).
 */
export function answerSections(
  remote: RemoteDescription,
  media: (section: RemoteSection) => SectionState | undefined,
): SectionState[] {
  let dataTaken = false;
  return remote.sections.map((section): SectionState => {
    const isData =
      section.kind === 'application' && section.protocol.toUpperCase().includes('SCTP');
    if (isData && !section.rejected && !dataTaken) {
      dataTaken = true;
      return { kind: 'application', mid: section.mid };
    }
    const accepted = section.media !== undefined && !section.rejected ? media(section) : undefined;
    if (accepted !== undefined) return accepted;
    return {
      kind: 'rejected',
      mid: section.mid,
      mediaKind: section.kind,
      protocol: section.protocol,
      formats: section.formats,
    };
  });
}

/**
 * RFC 8842 §5.3, RFC 8829 §5.3.1: the answerer is active unless the offerer is; once the DTLS
 * role is set it stays (§5.5).
 */
export function answerSetup(
  remote: RemoteDescription,
  dtlsRole: 'client' | 'server' | undefined,
): 'active' | 'passive' {
  if (dtlsRole !== undefined) return dtlsRole === 'client' ? 'active' : 'passive';
  return bundleTransport(remote)?.setup === 'active' ? 'passive' : 'active';
}

/** The transport of the BUNDLE group's tagged section, else of the first accepted one. */
export function bundleTransport(remote: RemoteDescription): RemoteTransport | undefined {
  const tagged = remote.sections.find((s) => s.mid === remote.bundle[0]);
  return tagged?.transport ?? remote.sections.find((s) => s.transport !== undefined)?.transport;
}

/** The first numeric mid from `sections.length` on that no section has and none had. */
export function freeMid(sections: readonly SectionState[], used: ReadonlySet<string>): string {
  for (let i = sections.length; ; i++) {
    const mid = String(i);
    if (!used.has(mid) && !sections.some((s) => s.mid === mid)) return mid;
  }
}

/** A stopping transceiver's section in an offer: port 0, its mid kept (RFC 8829 §5.2.2). */
function stoppedSection(section: SectionState & { kind: 'media' }): SectionState {
  return {
    kind: 'rejected',
    mid: section.mid,
    mediaKind: section.transceiver[internals].kind,
    protocol: RTP_PROTOCOL,
    formats: ['0'],
  };
}

/**
 * RFC 8829 §5.2.2: the sections of an offer. The current ones stay in place (a stopping
 * transceiver's rejected); each transceiver without a section takes a rejected section's place
 * (a recycled m= line, with a new mid), else goes at the end; the data section is added once.
 */
export function offerSections(
  stable: readonly SectionState[],
  transceivers: readonly RTCRtpTransceiver[],
  dataWanted: boolean,
  usedMids: ReadonlySet<string>,
): SectionState[] {
  const sections = stable.map((section) =>
    section.kind === 'media' && section.transceiver[internals].stopping
      ? stoppedSection(section)
      : section,
  );
  const recycled = new Set<number>();
  for (const transceiver of transceivers) {
    const state = transceiver[internals];
    if (state.mid !== null || state.stopping || state.stopped) continue;
    const mid = freeMid(sections, usedMids);
    const section: SectionState = { kind: 'media', mid, transceiver };
    const place = sections.findIndex(
      (s, index) =>
        s.kind === 'rejected' &&
        !recycled.has(index) &&
        !stable.some((kept) => kept.kind === 'media' && kept.mid === s.mid),
    );
    if (place >= 0) {
      recycled.add(place);
      sections[place] = section;
    } else {
      sections.push(section);
    }
  }
  if (dataWanted && !sections.some((s) => s.kind === 'application')) {
    sections.push({ kind: 'application', mid: freeMid(sections, usedMids) });
  }
  return sections;
}

/** RFC 8829 §5.10: an answer has the offer's sections, in its order, with its mids. */
export function checkAnswerMatchesOffer(
  offered: readonly SectionState[],
  remote: RemoteDescription,
): void {
  const mids = remote.sections.map((s) => s.mid);
  if (mids.length !== offered.length || offered.some((s, i) => s.mid !== mids[i])) {
    throw invalidAccessError(
      `the answer's sections (${mids.join(', ')}) are not the offer's (${offered.map((s) => s.mid).join(', ')})`,
    );
  }
}
