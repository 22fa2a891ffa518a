/**
 * The key of the internal half of the W3C RTP objects (`RTCRtpTransceiver`, `RTCRtpSender`,
 * `RTCRtpReceiver`): the negotiation and the RTP session reach their state through it, while
 * the package's entry point does not export it, so applications see only the W3C surface.
 */
export const internals: unique symbol = Symbol('typertc.internals');
