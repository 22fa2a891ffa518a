/**
 * The SDP this side sends (RFC 8829 §5.2 offers, §5.3 answers), built as a `@typertc/sdp`
 * model and serialized. A description is a list of m= sections, one transport's credentials,
 * fingerprint and DTLS setup role on each (RFC 8843: the same on every bundled section), and
 * the candidates gathered so far, so that a peer without trickle ICE gets them too.
 */

import {
  type Attribute,
  type MediaDescription,
  parseCandidate,
  type SessionDescription,
  serialize,
} from '@typertc/sdp';
import {
  type MediaSectionParameters,
  mediaSectionAttributes,
  RTP_PROTOCOL,
} from './media-section.js';

/** RFC 8841 §4.1: the default SCTP port, which WebRTC peers use. */
export const DEFAULT_SCTP_PORT = 5000;

/** A section's transport attributes, as either side describes them (RFC 8839, 8122, 8842). */
export interface TransportDescription {
  readonly ufrag: string;
  readonly password: string;
  /** The hash function and colon-separated fingerprint of each certificate (RFC 8122 §5). */
  readonly fingerprints: readonly { readonly algorithm: string; readonly value: string }[];
  /** RFC 8842 §5: `actpass` in offers, `active` or `passive` in answers. */
  readonly setup: 'actpass' | 'active' | 'passive';
  /** The candidates, as `candidate:...` strings. */
  readonly candidates: readonly string[];
  readonly endOfCandidates: boolean;
}

export interface LocalTransportParameters extends TransportDescription {
  readonly iceLite: boolean;
}

/** One m= section: the data channels' (RFC 8841), audio or video (RFC 8829 §5.2.1), or one refused. */
export type LocalSection =
  | { readonly kind: 'media'; readonly mid: string; readonly media: MediaSectionParameters }
  | {
      readonly kind: 'application';
      readonly mid: string;
      readonly sctpPort: number;
      readonly maxMessageSize: number;
    }
  /**
   * A section of the remote offer this side does not take (RFC 8829 §5.3.1: port 0, the offered
   * kind and protocol, and no transport attributes).
   */
  | {
      readonly kind: 'rejected';
      readonly mid: string | undefined;
      readonly mediaKind: string;
      readonly protocol: string;
      readonly formats: readonly string[];
    };

export interface LocalDescriptionParameters {
  readonly sessionId: string;
  readonly sessionVersion: number;
  readonly sections: readonly LocalSection[];
  /** The BUNDLE group (RFC 8843 §7): the accepted sections' mids, the tagged one first. */
  readonly bundle: readonly string[];
  readonly transport: LocalTransportParameters;
}

/** The SDP text of a local description. */
export function buildLocalDescription(parameters: LocalDescriptionParameters): string {
  const attributes: Attribute[] = [];
  if (parameters.transport.iceLite) attributes.push({ name: 'ice-lite' });
  if (parameters.bundle.length > 0) {
    attributes.push({ name: 'group', semantics: 'BUNDLE', identifiers: [...parameters.bundle] });
  }
  attributes.push({
    name: 'msid-semantic',
    semantics: 'WMS',
    identifiers: [],
    spaceAfterColon: true,
  });
  const session: SessionDescription = {
    version: 0,
    origin: {
      username: '-',
      sessionId: parameters.sessionId,
      sessionVersion: String(parameters.sessionVersion),
      netType: 'IN',
      addrType: 'IP4',
      address: '127.0.0.1',
    },
    sessionName: '-',
    information: undefined,
    uri: undefined,
    emails: [],
    phones: [],
    connection: undefined,
    bandwidths: [],
    timing: [{ start: '0', stop: '0', repeats: [] }],
    timeZones: undefined,
    encryptionKey: undefined,
    attributes,
    media: parameters.sections.map((section) => mediaSection(section, parameters.transport)),
  };
  return serialize(session);
}

function mediaSection(
  section: LocalSection,
  transport: LocalTransportParameters,
): MediaDescription {
  const base = {
    portCount: undefined,
    information: undefined,
    connections: [{ netType: 'IN', addrType: 'IP4', address: '0.0.0.0' }],
    bandwidths: [],
    encryptionKey: undefined,
  };
  if (section.kind === 'rejected') {
    return {
      ...base,
      kind: section.mediaKind,
      port: 0,
      protocol: section.protocol,
      formats: [...section.formats],
      attributes: section.mid === undefined ? [] : [{ name: 'mid', value: section.mid }],
    };
  }
  if (section.kind === 'media') {
    const { formats, attributes } = mediaSectionAttributes(section.media);
    return {
      ...base,
      kind: section.media.kind,
      port: 9,
      protocol: RTP_PROTOCOL,
      formats,
      attributes: [...transportAttributes(transport), ...attributes],
    };
  }
  const attributes: Attribute[] = [
    ...transportAttributes(transport),
    { name: 'mid', value: section.mid },
    { name: 'sctp-port', value: section.sctpPort },
    { name: 'max-message-size', value: section.maxMessageSize },
  ];
  return {
    ...base,
    kind: 'application',
    // RFC 8829 §5.2.1: port 9 (the discard port) when candidates are signalled separately.
    port: 9,
    protocol: 'UDP/DTLS/SCTP',
    formats: ['webrtc-datachannel'],
    attributes,
  };
}

/** RFC 8839 §5, RFC 8122 §5, RFC 8842 §5: the bundled transport's attributes. */
function transportAttributes(transport: LocalTransportParameters): Attribute[] {
  const attributes: Attribute[] = [
    { name: 'ice-ufrag', value: transport.ufrag },
    { name: 'ice-pwd', value: transport.password },
    // RFC 8840 §4.1.1: trickle ICE is supported.
    { name: 'ice-options', values: ['trickle'] },
  ];
  for (const { algorithm, value } of transport.fingerprints) {
    attributes.push({ name: 'fingerprint', algorithm, value });
  }
  attributes.push({ name: 'setup', role: transport.setup });
  for (const candidate of transport.candidates) {
    attributes.push({ name: 'candidate', candidate: parseCandidate(candidate) });
  }
  if (transport.endOfCandidates) attributes.push({ name: 'end-of-candidates' });
  return attributes;
}
