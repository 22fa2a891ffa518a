/**
 * What a remote description says, checked as RFC 8829 §5.8 and §5.9 require before anything is
 * applied: each m= section's mid, whether it is rejected (port 0) or bundle-only, and the
 * transport it brings (ICE credentials, DTLS fingerprints and setup role, candidates); the
 * BUNDLE group; ICE lite. A description this side cannot use is refused with an `RTCError`
 * (`sdp-syntax-error`) that names the problem, and nothing changes.
 */

import { RTCError } from '@typertc/sctp';
import {
  bundleMids,
  findAttribute,
  findAttributes,
  fingerprints,
  formatCandidateString,
  hasAttribute,
  iceCredentials,
  isIceLite,
  type MediaDescription,
  parse,
  SdpParseError,
  type SessionDescription,
  setupRole,
} from '@typertc/sdp';
import { operationError } from '../errors.js';
import { DEFAULT_SCTP_PORT, type TransportDescription } from './local-description.js';
import { type RemoteMediaSection, readMediaSection } from './media-section.js';

/** RFC 8841 §6.1: without `a=max-message-size` the peer is assumed to take 64 KiB. */
export const DEFAULT_REMOTE_MAX_MESSAGE_SIZE = 65_536;

/** The transport a remote section brings; an offer without `a=setup` counts as actpass. */
export type RemoteTransport = TransportDescription;

export interface RemoteSection {
  readonly index: number;
  readonly mid: string;
  /** `audio`, `video`, `application`, ... */
  readonly kind: string;
  readonly protocol: string;
  readonly formats: readonly string[];
  /** Port 0 without `a=bundle-only`: the section is refused or stopped (RFC 8829 §5.2.2). */
  readonly rejected: boolean;
  /** Undefined for a rejected section, or a bundle-only one that rides on the group's. */
  readonly transport: RemoteTransport | undefined;
  /** Data channels: the SCTP port (RFC 8841 §5) and largest message the peer takes (§6). */
  readonly sctpPort: number;
  readonly maxMessageSize: number;
  /** Audio and video: codecs, extensions, direction, msid, SSRCs, RIDs. */
  readonly media: RemoteMediaSection | undefined;
}

export interface RemoteDescription {
  readonly sections: readonly RemoteSection[];
  /** The first BUNDLE group's mids, the tagged one first (RFC 8843 §7). */
  readonly bundle: readonly string[];
  readonly iceLite: boolean;
}

function sdpError(message: string, line?: number): RTCError {
  return new RTCError(
    { errorDetail: 'sdp-syntax-error', ...(line === undefined ? {} : { sdpLineNumber: line }) },
    message,
  );
}

/** Parses and checks `sdp`; throws an `RTCError` (OperationError) for what cannot be used. */
export function readRemoteDescription(sdp: string): RemoteDescription {
  let session: SessionDescription;
  try {
    session = parse(sdp);
  } catch (error) {
    if (error instanceof SdpParseError) throw sdpError(error.message, error.line);
    throw error;
  }
  if (session.media.length === 0) throw sdpError('the description has no m= section');
  const iceLite = isIceLite(session);
  const bundle = bundleMids(session);
  const seen = new Set<string>();
  const sections = session.media.map((media, index) => {
    const section = readSection(session, media, index, bundle);
    // RFC 8829 §5.8: mids identify sections, so they must be unique.
    if (seen.has(section.mid)) throw sdpError(`mid ${section.mid} appears twice`);
    seen.add(section.mid);
    return section;
  });
  for (const mid of bundle) {
    if (!seen.has(mid)) throw sdpError(`the BUNDLE group names mid ${mid}, which has no section`);
  }
  return { sections, bundle, iceLite };
}

function readSection(
  session: SessionDescription,
  media: MediaDescription,
  index: number,
  bundle: readonly string[],
): RemoteSection {
  const mid = findAttribute(media.attributes, 'mid')?.value;
  // RFC 8829 §5.8: a description without mids (pre-BUNDLE endpoints) cannot be matched to ours.
  if (mid === undefined) throw sdpError(`m= section ${index} has no a=mid`);
  const bundleOnly = hasAttribute(media.attributes, 'bundle-only');
  const rejected = media.port === 0 && !bundleOnly;
  const inBundle = bundle.includes(mid);
  // RFC 8843 §7.2.1: only the tagged (first) section of a group needs the transport; the
  // others may carry it (they do, in offers without bundle-only) or not.
  const needsTransport = !rejected && (!inBundle || bundle[0] === mid);
  const transport = rejected ? undefined : readTransport(session, media, needsTransport, mid);
  return {
    index,
    mid,
    kind: media.kind,
    protocol: media.protocol,
    formats: [...media.formats],
    rejected,
    transport,
    sctpPort: readSctpPort(media),
    maxMessageSize:
      findAttribute(media.attributes, 'max-message-size')?.value ?? DEFAULT_REMOTE_MAX_MESSAGE_SIZE,
    media: readMediaSection(session, media),
  };
}

function readTransport(
  session: SessionDescription,
  media: MediaDescription,
  required: boolean,
  mid: string,
): RemoteTransport | undefined {
  const credentials = iceCredentials(session, media);
  const prints = fingerprints(session, media);
  const setup = setupRole(session, media);
  if (credentials === undefined || prints.length === 0) {
    if (!required) return undefined;
    if (credentials === undefined) throw sdpError(`mid ${mid}: no a=ice-ufrag and a=ice-pwd`);
    // RFC 8829 §5.8, RFC 8122 §5: DTLS without a fingerprint could not be authenticated.
    throw sdpError(`mid ${mid}: no a=fingerprint`);
  }
  if (setup !== undefined && setup !== 'actpass' && setup !== 'active' && setup !== 'passive') {
    throw sdpError(`mid ${mid}: a=setup:${setup} is not one WebRTC uses (RFC 8842 §5)`);
  }
  return {
    ufrag: credentials.ufrag,
    password: credentials.pwd,
    fingerprints: prints,
    // RFC 8842 §5.2: an offer without a=setup is taken as actpass.
    setup: setup ?? 'actpass',
    candidates: findAttributes(media.attributes, 'candidate').map((attribute) =>
      formatCandidateString(attribute.candidate),
    ),
    endOfCandidates:
      hasAttribute(media.attributes, 'end-of-candidates') ||
      hasAttribute(session.attributes, 'end-of-candidates'),
  };
}

/** RFC 8841 §5: `a=sctp-port`, or the legacy `a=sctpmap` port, or 5000. */
function readSctpPort(media: MediaDescription): number {
  const port = findAttribute(media.attributes, 'sctp-port')?.value;
  if (port !== undefined) return port;
  return findAttribute(media.attributes, 'sctpmap')?.port ?? DEFAULT_SCTP_PORT;
}

/**
 * W3C §4.4.2 addIceCandidate: the candidate must name a section of the remote description (by
 * `sdpMid`, else `sdpMLineIndex`) and, if it gives one, the current remote ufrag; else
 * OperationError. An empty candidate is end-of-candidates and needs no section.
 */
export function checkRemoteCandidate(
  remote: RemoteDescription,
  init: {
    readonly candidate?: string;
    readonly sdpMid?: string | null;
    readonly sdpMLineIndex?: number | null;
    readonly usernameFragment?: string | null;
  } | null,
  currentUfrag: string | undefined,
): void {
  if (init === null) return;
  const section =
    init.sdpMid !== undefined && init.sdpMid !== null
      ? remote.sections.find((s) => s.mid === init.sdpMid)
      : remote.sections[init.sdpMLineIndex ?? -1];
  if (section === undefined && (init.candidate ?? '') !== '') {
    throw operationError(
      `no m= section for sdpMid ${init.sdpMid} / sdpMLineIndex ${init.sdpMLineIndex}`,
    );
  }
  const ufrag = init.usernameFragment ?? null;
  if (ufrag !== null && currentUfrag !== undefined && ufrag !== currentUfrag) {
    throw operationError(`usernameFragment ${ufrag} is not the remote description's`);
  }
}
