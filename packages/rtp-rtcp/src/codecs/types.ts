/**
 * The interfaces between codecs and RTP, after Pion's `rtp/codecs`: a packetizer splits one
 * encoded frame into RTP payloads, a depacketizer reads one RTP payload back, and the frame
 * assembler (which knows only these interfaces) rebuilds whole frames from packets.
 */

export interface Packetizer {
  /**
   * The RTP payloads of one encoded frame, in order, each at most `maxPayloadSize` bytes (the MTU
   * minus the RTP header, extensions and SRTP tag). The caller sets the marker bit on the last
   * (RFC 3550 §5.1: for video, the end of a frame). May keep state across frames (VP8 picture
   * id, H.264 parameter sets).
   */
  packetize(frame: Uint8Array, maxPayloadSize: number): Uint8Array[];
}

export interface Depacketizer {
  /**
   * The codec bytes one RTP payload carries. Concatenated in sequence-number order, the results
   * of a frame's packets are the frame (for H.264, Annex B byte stream NAL units). Throws
   * `PayloadError` on a malformed payload.
   */
  depacketize(payload: Uint8Array): Uint8Array;
  /** Whether this payload is the first of a frame. */
  isFrameStart(payload: Uint8Array): boolean;
  /** Whether this payload, given its packet's marker bit, is the last of a frame. */
  isFrameEnd(payload: Uint8Array, marker: boolean): boolean;
  /** Whether the frame this payload starts can be decoded on its own (a keyframe). */
  isKeyframe(payload: Uint8Array): boolean;
}
