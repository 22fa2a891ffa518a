/**
 * `RTCRtpTransceiver.setCodecPreferences` (W3C WebRTC 1.0 §5.4): validating the list, and
 * the local codec list it yields for offers and answers (RFC 8829 §5.2.1, §5.3.1).
 */

import { invalidModificationError } from '../errors.js';
import {
  codecDictionaryMatch,
  isRtx,
  type LocalCodec,
  type RTCRtpCodec,
} from './codec-capabilities.js';

/**
 * Codecs that repair or pad a stream rather than carry it: RTX (RFC 4588), RED (RFC 2198),
 * ULPFEC (RFC 5109), FlexFEC (RFC 8627) and comfort noise (RFC 3389).
 */
const NOT_MEDIA: ReadonlySet<string> = new Set(['rtx', 'red', 'ulpfec', 'flexfec-03', 'cn']);

function isMediaCodec(codec: RTCRtpCodec): boolean {
  return !NOT_MEDIA.has(codec.mimeType.slice(codec.mimeType.indexOf('/') + 1).toLowerCase());
}

/**
 * W3C WebRTC 1.0 §5.4 `setCodecPreferences(codecs)` steps 3–6 against the receiver's
 * capabilities (`getCapabilities(kind).codecs`): the preferences to store, copied, duplicates
 * after the first removed. An empty list resets to the defaults and is returned as such.
 * Throws `InvalidModificationError` for a codec that is not among the capabilities, or when
 * nothing but RTX/RED/FEC/CN is left (there would be nothing to offer).
 */
export function validateCodecPreferences(
  codecs: readonly RTCRtpCodec[],
  capabilities: readonly RTCRtpCodec[],
): RTCRtpCodec[] {
  const result: RTCRtpCodec[] = [];
  for (const codec of codecs) {
    if (result.some((kept) => codecDictionaryMatch(kept, codec))) continue;
    if (!capabilities.some((capability) => codecDictionaryMatch(capability, codec))) {
      throw invalidModificationError(
        `setCodecPreferences: ${codec.mimeType}/${codec.clockRate}` +
          `${codec.sdpFmtpLine === undefined ? '' : ` ${codec.sdpFmtpLine}`} is not supported`,
      );
    }
    result.push({ ...codec });
  }
  if (result.length > 0 && !result.some(isMediaCodec)) {
    throw invalidModificationError('setCodecPreferences: no codec other than RTX, RED, FEC or CN');
  }
  return result;
}

/**
 * The local codec list under stored preferences (RFC 8829 §5.2.1 and §5.3.1: only those codecs,
 * in that order): each preferred codec's entry of `local`, followed by its RTX when `video/rtx`
 * is among the preferences (W3C §5.4: RTX is negotiated only if preferred). No preferences:
 * `local` unchanged.
 */
export function applyCodecPreferences(
  local: readonly LocalCodec[],
  preferences: readonly RTCRtpCodec[],
): LocalCodec[] {
  if (preferences.length === 0) return [...local];
  const withRtx = preferences.some((codec) => isRtx(codec.mimeType));
  const result: LocalCodec[] = [];
  for (const preference of preferences) {
    if (isRtx(preference.mimeType)) continue;
    for (const codec of local) {
      const { payloadType, rtcpFeedback: _feedback, ...dictionary } = codec;
      if (!codecDictionaryMatch(dictionary, preference)) continue;
      result.push(codec);
      const rtx = local.find(
        (candidate) => isRtx(candidate.mimeType) && candidate.sdpFmtpLine === `apt=${payloadType}`,
      );
      if (withRtx && rtx !== undefined) result.push(rtx);
    }
  }
  return result;
}
