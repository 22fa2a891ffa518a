/**
 * SDP fragments, `application/trickle-ice-sdpfrag` (RFC 8840 §9): what WHIP and WHEP PATCH
 * requests carry (RFC 9725 §4.3.1). A fragment has the ICE credentials, the first m= line of
 * the BUNDLE group with its `a=mid`, its candidates and perhaps `a=end-of-candidates`:
 *
 *     a=ice-ufrag:EsAw
 *     a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1
 *     m=audio 9 UDP/TLS/RTP/SAVPF 111
 *     a=mid:0
 *     a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0
 *     a=end-of-candidates
 *
 * Also the rewriting of a remote offer for an ICE restart (RFC 9725 §4.3.3), where the client
 * sends only new credentials and the rest of the offer stays as first negotiated.
 */

import type { RTCIceCandidateInit } from '@typertc/peerconnection';

export const SDP_FRAGMENT_TYPE = 'application/trickle-ice-sdpfrag';

export interface SdpFragment {
  readonly ufrag: string | undefined;
  readonly pwd: string | undefined;
  /** Each `a=candidate`, as `addIceCandidate` takes it (`sdpMid` from the section's `a=mid`). */
  readonly candidates: RTCIceCandidateInit[];
  readonly endOfCandidates: boolean;
}

function lines(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line !== '');
}

/** Reads a fragment; credentials may be at the top or in the m= section (RFC 8840 §9). */
export function parseSdpFragment(text: string): SdpFragment {
  let ufrag: string | undefined;
  let pwd: string | undefined;
  let mid: string | undefined;
  let mLineIndex = -1;
  const found: { candidate: string; mid: string | undefined; index: number }[] = [];
  let endOfCandidates = false;
  for (const line of lines(text)) {
    if (line.startsWith('m=')) mLineIndex++;
    else if (line.startsWith('a=mid:')) mid = line.slice('a=mid:'.length).trim();
    else if (line.startsWith('a=ice-ufrag:')) ufrag = line.slice('a=ice-ufrag:'.length).trim();
    else if (line.startsWith('a=ice-pwd:')) pwd = line.slice('a=ice-pwd:'.length).trim();
    else if (line.startsWith('a=candidate:')) {
      found.push({ candidate: line.slice(2), mid, index: Math.max(mLineIndex, 0) });
    } else if (line === 'a=end-of-candidates') endOfCandidates = true;
  }
  const candidates = found.map(({ candidate, mid: sdpMid, index }) => ({
    candidate,
    // A candidate before its a=mid line still belongs to the section: the last mid seen.
    sdpMid: sdpMid ?? mid ?? null,
    sdpMLineIndex: index,
    usernameFragment: ufrag ?? null,
  }));
  return { ufrag, pwd, candidates, endOfCandidates };
}

/** What a description's first m= section says: its m= line, mid, credentials, candidates. */
export function firstSection(sdp: string): {
  mLine: string | undefined;
  mid: string | undefined;
  fragment: SdpFragment;
} {
  const all = lines(sdp);
  const start = all.findIndex((line) => line.startsWith('m='));
  const next = all.findIndex((line, index) => index > start && line.startsWith('m='));
  const section = start < 0 ? [] : all.slice(start, next < 0 ? undefined : next);
  const session = start < 0 ? all : all.slice(0, start);
  // Credentials at session level apply to every section (RFC 8839 §5.4).
  const fragment = parseSdpFragment([...session, ...section].join('\r\n'));
  const mid = section.find((line) => line.startsWith('a=mid:'))?.slice('a=mid:'.length);
  return { mLine: section[0], mid, fragment };
}

/** A fragment with our credentials and candidates, for a 200 answer to an ICE restart. */
export function serializeSdpFragment(
  mLine: string,
  mid: string,
  fragment: Pick<SdpFragment, 'ufrag' | 'pwd' | 'candidates' | 'endOfCandidates'>,
): string {
  const out: string[] = [];
  if (fragment.ufrag !== undefined) out.push(`a=ice-ufrag:${fragment.ufrag}`);
  if (fragment.pwd !== undefined) out.push(`a=ice-pwd:${fragment.pwd}`);
  out.push(mLine, `a=mid:${mid}`);
  for (const { candidate } of fragment.candidates) out.push(`a=${candidate}`);
  if (fragment.endOfCandidates) out.push('a=end-of-candidates');
  return `${out.join('\r\n')}\r\n`;
}

/**
 * The client's first offer with new ICE credentials, for an ICE restart signalled by PATCH
 * (RFC 9725 §4.3.3: everything but ICE stays as negotiated): candidates of the old generation
 * dropped, and the o= line's version one higher, as a changed offer needs (RFC 3264 §8).
 */
export function restartedOffer(sdp: string, ufrag: string, pwd: string): string {
  const out: string[] = [];
  for (const line of lines(sdp)) {
    if (line.startsWith('a=candidate:') || line === 'a=end-of-candidates') continue;
    if (line.startsWith('a=ice-ufrag:')) out.push(`a=ice-ufrag:${ufrag}`);
    else if (line.startsWith('a=ice-pwd:')) out.push(`a=ice-pwd:${pwd}`);
    else if (line.startsWith('o=')) {
      const fields = line.split(' ');
      const version = fields[2];
      if (version !== undefined && /^\d+$/.test(version)) {
        fields[2] = (BigInt(version) + 1n).toString();
      }
      out.push(fields.join(' '));
    } else out.push(line);
  }
  return `${out.join('\r\n')}\r\n`;
}
