/**
 * The URIs that name RTP header extensions in SDP `a=extmap` (RFC 8285 §5), for the extensions
 * this package has typed codecs for.
 */

/** The media identification (BUNDLE mid) SDES item (RFC 8843, carried as RFC 7941 describes). */
export const SDES_MID_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid';
/** The RtpStreamId SDES item: a simulcast RID (RFC 8852 §3.1). */
export const SDES_RTP_STREAM_ID_URI = 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id';
/** The RepairedRtpStreamId SDES item: the RID a repair stream repairs (RFC 8852 §3.2). */
export const SDES_REPAIRED_RTP_STREAM_ID_URI =
  'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id';
/** Absolute send time, 6.18 fixed-point seconds (webrtc.org abs-send-time). */
export const ABS_SEND_TIME_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';
/** Transport-wide sequence number for congestion control (draft-holmer-rmcat-...-01 §2). */
export const TRANSPORT_WIDE_CC_URI =
  'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
/** Client-to-mixer audio level (RFC 6464 §3). */
export const SSRC_AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
/** Coordination of video orientation (3GPP TS 26.114 §7.4.5). */
export const VIDEO_ORIENTATION_URI = 'urn:3gpp:video-orientation';
/** Transmission time offset (RFC 5450 §2). */
export const TOFFSET_URI = 'urn:ietf:params:rtp-hdrext:toffset';
/** Playout delay limits (webrtc.org playout-delay). */
export const PLAYOUT_DELAY_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay';
/** Absolute capture time (webrtc.org abs-capture-time). */
export const ABS_CAPTURE_TIME_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time';
