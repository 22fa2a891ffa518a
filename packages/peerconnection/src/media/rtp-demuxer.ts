/**
 * Which m= section an incoming RTP packet of a BUNDLE group belongs to (RFC 8843 §9.2, the
 * order of RFC 8829 §5.9):
 *
 * 1. the MID header extension (RFC 8843 §15.2), which also binds the packet's SSRC to that
 *    section for the packets that come without it;
 * 2. else the SSRC, bound by an earlier MID or by the remote description's `a=ssrc` lines;
 * 3. else the payload type, when exactly one section negotiated it (it then binds the SSRC).
 *
 * A packet none of these places is dropped (undefined). The rtp-stream-id and
 * repaired-rtp-stream-id extensions (RFC 8852) name the simulcast stream: `rid` of the result
 * says which, and `repair` whether the packet is an RTX (RFC 4588) retransmission for it.
 *
 * Per packet: map lookups and byte comparisons; a MID or RID is decoded to a string only when
 * it does not match what its SSRC is already bound to (the first packets of a stream).
 */

import type { ExtensionMap } from '@typertc/common';
import {
  extensionId,
  type RtpPacket,
  SDES_MID_URI,
  SDES_REPAIRED_RTP_STREAM_ID_URI,
  SDES_RTP_STREAM_ID_URI,
} from '@typertc/rtp-rtcp';

export interface DemuxSection<T> {
  readonly mid: string;
  /** What packets of this section go to (a transceiver's receiver, say). */
  readonly target: T;
  /** SSRCs its remote description announced (`a=ssrc`, RFC 5576), primary and RTX alike. */
  readonly ssrcs?: readonly number[];
  /** Its negotiated payload types. */
  readonly payloadTypes: readonly number[];
  /** Those that carry RTX (RFC 4588 §8.6): a packet with one is a repair. */
  readonly rtxPayloadTypes?: readonly number[];
}

/** Where a packet goes; one object, reused by every `route` call. */
export interface DemuxResult<T> {
  target: T | undefined;
  /** The simulcast stream (RFC 8852 rtp-stream-id or repaired-rtp-stream-id), if named. */
  rid: string | undefined;
  /** An RTX retransmission (its payload type is an RTX one, or it names a repaired stream). */
  repair: boolean;
}

interface Entry<T> {
  readonly section: DemuxSection<T>;
  readonly midBytes: Uint8Array;
  readonly rtx: ReadonlySet<number>;
}

interface Binding<T> {
  entry: Entry<T>;
  rid: string | undefined;
  ridBytes: Uint8Array | undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class RtpDemuxer<T> {
  readonly #byMid = new Map<string, Entry<T>>();
  /** Payload type → its section, or null when several sections negotiated it. */
  readonly #byPayloadType = new Map<number, Entry<T> | null>();
  readonly #bySsrc = new Map<number, Binding<T>>();
  readonly #result: DemuxResult<T> = { target: undefined, rid: undefined, repair: false };
  #midId: number | undefined;
  #ridId: number | undefined;
  #repairedRidId: number | undefined;

  /**
   * The sections and extension ids of the current negotiation. SSRCs bound to a section that
   * is gone are forgotten; the others keep their binding.
   */
  configure(sections: readonly DemuxSection<T>[], extensions: ExtensionMap): void {
    this.#midId = extensionId(extensions, SDES_MID_URI);
    this.#ridId = extensionId(extensions, SDES_RTP_STREAM_ID_URI);
    this.#repairedRidId = extensionId(extensions, SDES_REPAIRED_RTP_STREAM_ID_URI);
    this.#byMid.clear();
    this.#byPayloadType.clear();
    for (const section of sections) {
      const entry: Entry<T> = {
        section,
        midBytes: encoder.encode(section.mid),
        rtx: new Set(section.rtxPayloadTypes ?? []),
      };
      this.#byMid.set(section.mid, entry);
      for (const payloadType of section.payloadTypes) {
        this.#byPayloadType.set(payloadType, this.#byPayloadType.has(payloadType) ? null : entry);
      }
      for (const ssrc of section.ssrcs ?? []) {
        this.#bySsrc.set(ssrc, { entry, rid: undefined, ridBytes: undefined });
      }
    }
    for (const [ssrc, binding] of this.#bySsrc) {
      const current = this.#byMid.get(binding.entry.section.mid);
      if (current === undefined) this.#bySsrc.delete(ssrc);
      else binding.entry = current;
    }
  }

  /** The section of `packet` (RFC 8843 §9.2), or a result whose target is undefined. */
  route(packet: RtpPacket): DemuxResult<T> {
    const result = this.#result;
    let binding = this.#bySsrc.get(packet.ssrc);
    const midBytes = this.#midId === undefined ? undefined : packet.extensions.get(this.#midId);
    if (
      midBytes !== undefined &&
      (binding === undefined || !sameBytes(midBytes, binding.entry.midBytes))
    ) {
      // A MID names the section, and rebinds the SSRC to it (§9.2: the latest MID wins).
      const entry = this.#byMid.get(decoder.decode(midBytes));
      if (entry === undefined) return this.#drop();
      binding = { entry, rid: undefined, ridBytes: undefined };
      this.#bySsrc.set(packet.ssrc, binding);
    } else if (binding === undefined) {
      const entry = this.#byPayloadType.get(packet.payloadType);
      if (entry === undefined || entry === null) return this.#drop();
      binding = { entry, rid: undefined, ridBytes: undefined };
      this.#bySsrc.set(packet.ssrc, binding);
    }
    const repairedRid = this.#ridIn(packet, this.#repairedRidId, binding);
    // RFC 8852 §3: once a stream's RID was seen, its packets may leave it out.
    const rid = repairedRid ?? this.#ridIn(packet, this.#ridId, binding) ?? binding.rid;
    result.target = binding.entry.section.target;
    result.rid = rid;
    result.repair = repairedRid !== undefined || binding.entry.rtx.has(packet.payloadType);
    return result;
  }

  /** The RID the packet carries in extension `id`, remembered on the SSRC's binding. */
  #ridIn(packet: RtpPacket, id: number | undefined, binding: Binding<T>): string | undefined {
    const bytes = id === undefined ? undefined : packet.extensions.get(id);
    if (bytes === undefined) return undefined;
    if (binding.ridBytes === undefined || !sameBytes(bytes, binding.ridBytes)) {
      binding.ridBytes = bytes.slice();
      binding.rid = decoder.decode(bytes);
    }
    return binding.rid;
  }

  #drop(): DemuxResult<T> {
    const result = this.#result;
    result.target = undefined;
    result.rid = undefined;
    result.repair = false;
    return result;
  }
}
