/**
 * Payload types across peer connections. Each connection numbers its codecs as its own
 * offer/answer did (RFC 3264 §6.1, §8.3.2): Chromium's offers number VP8 96, Firefox's 120, and
 * the sections this server offers number it as its configuration says. A forwarded packet
 * carries the number of the publisher's connection; before it is written into a subscriber's
 * track it gets the number the subscriber's connection gave the same codec.
 *
 * The sender would map some numbers itself (docs/media-api.md: a written payload type is read
 * as its own connection negotiated it, else as the server's local codec list numbers it), but a
 * publisher's number is neither in general, and one that happens to be taken by another codec
 * would be sent as that codec. So the room maps by codec, from both connections' negotiated
 * parameters (`receiver.getParameters()`, `sender.getParameters()`).
 */

import type { RTCRtpCodecParameters } from '@typertc/peerconnection';

const isRtx = (codec: RTCRtpCodecParameters) => codec.mimeType.toLowerCase() === 'video/rtx';

/**
 * Whether two negotiated codecs are the same codec: name, clock rate and channels. Enough for
 * this room's one codec per kind (VP8, Opus); H.264 would also need its packetization-mode and
 * profile compared, VP9 its profile-id.
 */
export function sameCodec(a: RTCRtpCodecParameters, b: RTCRtpCodecParameters): boolean {
  return (
    a.mimeType.toLowerCase() === b.mimeType.toLowerCase() &&
    a.clockRate === b.clockRate &&
    (a.channels ?? 1) === (b.channels ?? 1)
  );
}

/**
 * The payload type `to` gives the codec `from` numbers `payloadType`, or undefined when `to`
 * did not negotiate that codec. RTX is never mapped: the receiver hands on repaired packets
 * with their original payload type, and the subscriber's sender makes its own RTX.
 */
export function mapPayloadType(
  payloadType: number,
  from: readonly RTCRtpCodecParameters[],
  to: readonly RTCRtpCodecParameters[],
): number | undefined {
  const codec = from.find((candidate) => candidate.payloadType === payloadType);
  if (codec === undefined || isRtx(codec)) return undefined;
  return to.find((candidate) => !isRtx(candidate) && sameCodec(candidate, codec))?.payloadType;
}

/**
 * One forwarding path's map (publisher's payload type → subscriber's), computed on a packet
 * type's first use and kept: a negotiated number keeps its meaning for the whole session
 * (RFC 3264 §8.3.2). Nothing is kept while either side has no negotiated codecs yet.
 */
export class PayloadTypeMap {
  readonly #from: () => readonly RTCRtpCodecParameters[];
  readonly #to: () => readonly RTCRtpCodecParameters[];
  /** null: neither side's codec, remembered so it is not looked up for every packet. */
  readonly #known = new Map<number, number | null>();

  constructor(
    from: () => readonly RTCRtpCodecParameters[],
    to: () => readonly RTCRtpCodecParameters[],
  ) {
    this.#from = from;
    this.#to = to;
  }

  get(payloadType: number): number | undefined {
    const known = this.#known.get(payloadType);
    if (known !== undefined) return known ?? undefined;
    const from = this.#from();
    const to = this.#to();
    if (from.length === 0 || to.length === 0) return undefined;
    const mapped = mapPayloadType(payloadType, from, to);
    this.#known.set(payloadType, mapped ?? null);
    return mapped;
  }
}
