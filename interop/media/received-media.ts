/**
 * What the TypeRTC side makes of the RTP it receives, with nothing but `@typertc/rtp-rtcp`:
 * whole video frames (the codec's depacketizer and the frame assembler, one per SSRC), the
 * keyframes among them, and counts of audio packets. A test then knows the media is real media,
 * not just packets that got through SRTP.
 */

import {
  type Depacketizer,
  FrameAssembler,
  H264Depacketizer,
  type RtpPacket,
  Vp8Depacketizer,
  Vp9Depacketizer,
} from '@typertc/rtp-rtcp';

/** RFC 6386 §9.1: the three bytes after a VP8 keyframe's frame tag. */
const VP8_START_CODE = [0x9d, 0x01, 0x2a] as const;

export interface ReceivedKeyframe {
  readonly mimeType: string;
  readonly ssrc: number;
  readonly rtpTimestamp: number;
  readonly bytes: number;
  /** For VP8: whether the start code is there, and the size from the keyframe header. */
  readonly vp8?: { readonly startCode: boolean; readonly width: number; readonly height: number };
}

/**
 * RFC 6386 §9.1 and §9.2: a keyframe's 3-byte frame tag, the start code 0x9d 0x01 0x2a, then
 * width and height as 14-bit little-endian values (each with 2 bits of scaling above).
 */
export function vp8KeyframeHeader(frame: Uint8Array): NonNullable<ReceivedKeyframe['vp8']> {
  const startCode = VP8_START_CODE.every((byte, i) => frame[3 + i] === byte);
  const u16 = (at: number): number => ((frame[at] ?? 0) | ((frame[at + 1] ?? 0) << 8)) & 0x3fff;
  return { startCode, width: u16(6), height: u16(8) };
}

function depacketizerFor(mimeType: string): Depacketizer | undefined {
  switch (mimeType.toLowerCase()) {
    case 'video/vp8':
      return new Vp8Depacketizer();
    case 'video/vp9':
      return new Vp9Depacketizer();
    case 'video/h264':
      return new H264Depacketizer();
    default:
      return undefined;
  }
}

export class ReceivedVideo {
  packets = 0;
  frames = 0;
  readonly keyframes: ReceivedKeyframe[] = [];
  /** The codecs packets arrived with (`track.codec` at each packet). */
  readonly mimeTypes = new Set<string>();
  /** For simulcast: the SSRCs seen under each rid (`''` for packets without one). */
  readonly ssrcsByRid = new Map<string, Set<number>>();
  /** One assembler per SSRC and codec: each simulcast layer is its own sequence. */
  readonly #assemblers = new Map<string, FrameAssembler>();

  push(packet: RtpPacket, mimeType: string | undefined, rid: string | undefined): void {
    this.packets++;
    const ssrcs = this.ssrcsByRid.get(rid ?? '') ?? new Set<number>();
    ssrcs.add(packet.ssrc);
    this.ssrcsByRid.set(rid ?? '', ssrcs);
    if (mimeType === undefined) return;
    this.mimeTypes.add(mimeType);
    const assembler = this.#assembler(packet.ssrc, mimeType);
    if (assembler === undefined) return;
    // The stack reuses `packet` once the listener returns, and the assembler keeps packets
    // until their frame is whole: it gets a copy.
    const frames = assembler.push({
      sequenceNumber: packet.sequenceNumber,
      timestamp: packet.timestamp,
      marker: packet.marker,
      payload: packet.payload.slice(),
    });
    for (const frame of frames) {
      this.frames++;
      if (!frame.keyframe) continue;
      const isVp8 = mimeType.toLowerCase() === 'video/vp8';
      this.keyframes.push({
        mimeType,
        ssrc: packet.ssrc,
        rtpTimestamp: frame.timestamp,
        bytes: frame.data.length,
        ...(isVp8 ? { vp8: vp8KeyframeHeader(frame.data) } : {}),
      });
    }
  }

  #assembler(ssrc: number, mimeType: string): FrameAssembler | undefined {
    const key = `${ssrc}/${mimeType.toLowerCase()}`;
    let assembler = this.#assemblers.get(key);
    if (assembler === undefined) {
      const depacketizer = depacketizerFor(mimeType);
      if (depacketizer === undefined) return undefined;
      assembler = new FrameAssembler(depacketizer);
      this.#assemblers.set(key, assembler);
    }
    return assembler;
  }

  /** Summary for a failing assertion's message. */
  toJSON(): object {
    return {
      packets: this.packets,
      frames: this.frames,
      keyframes: this.keyframes.length,
      lastKeyframe: this.keyframes.at(-1),
      mimeTypes: [...this.mimeTypes],
      ssrcsByRid: Object.fromEntries([...this.ssrcsByRid].map(([rid, s]) => [rid, [...s]])),
    };
  }
}

export class ReceivedAudio {
  packets = 0;
  /** Packets with an empty payload: an Opus packet has at least its TOC byte (RFC 6716 §3.1). */
  emptyPayloads = 0;
  readonly payloadTypes = new Set<number>();
  readonly mimeTypes = new Set<string>();

  push(packet: RtpPacket, mimeType: string | undefined): void {
    this.packets++;
    if (packet.payload.length === 0) this.emptyPayloads++;
    this.payloadTypes.add(packet.payloadType);
    if (mimeType !== undefined) this.mimeTypes.add(mimeType);
  }

  toJSON(): object {
    return {
      packets: this.packets,
      emptyPayloads: this.emptyPayloads,
      payloadTypes: [...this.payloadTypes],
      mimeTypes: [...this.mimeTypes],
    };
  }
}
