/**
 * The m= sections of a negotiation as this side keeps them, and the rules an answer follows
 * (RFC 8829 §5.3.1, §5.10): the offer's sections in its order, the data section accepted once,
 * anything else refused with port 0 (media arrives with issue 11).
 */

import { invalidAccessError } from '../errors.js';
import type { RemoteDescription, RemoteTransport } from './remote-description.js';

/** A section as this side knows it, in m= line order. */
export type SectionState =
  | { readonly kind: 'application'; readonly mid: string }
  | {
      readonly kind: 'rejected';
      readonly mid: string;
      readonly mediaKind: string;
      readonly protocol: string;
      readonly formats: readonly string[];
    };

/** RFC 8829 §5.3.1: our answer's sections, the first SCTP data section accepted. */
export function answerSections(remote: RemoteDescription): SectionState[] {
  let dataTaken = false;
  return remote.sections.map((section) => {
    const isData =
      section.kind === 'application' && section.protocol.toUpperCase().includes('SCTP');
    if (isData && !section.rejected && !dataTaken) {
      dataTaken = true;
      return { kind: 'application', mid: section.mid };
    }
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

/** The first numeric mid no section has. */
export function freeMid(sections: readonly SectionState[]): string {
  for (let i = sections.length; ; i++) {
    const mid = String(i);
    if (!sections.some((s) => s.mid === mid)) return mid;
  }
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
