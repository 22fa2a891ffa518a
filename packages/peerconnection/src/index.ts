export {
  RTCDataChannel,
  RTCDataChannelEvent,
  type RTCDataChannelInit,
  RTCError,
  RTCErrorEvent,
} from '@typertc/sctp';
export { RTCCertificate } from './certificate.js';
export type {
  RTCBundlePolicy,
  RTCConfiguration,
  RTCIceServer,
  RTCIceTransportPolicy,
  RTCRtcpMuxPolicy,
} from './configuration.js';
export {
  RTCIceCandidate,
  type RTCIceCandidateInit,
  type RTCSdpType,
  RTCSessionDescription,
  type RTCSessionDescriptionInit,
} from './description.js';
export {
  RTCPeerConnectionIceErrorEvent,
  RTCPeerConnectionIceEvent,
  RTCTrackEvent,
  type RTCTrackEventInit,
} from './events.js';
export type { RTCSignalingState } from './jsep/signaling.js';
export {
  type CodecSpec,
  codecDictionaryMatch,
  getCapabilities,
  type LocalCodec,
  type LocalHeaderExtension,
  localCodecs,
  localHeaderExtensions,
  type MediaCodecConfiguration,
  type MediaKind,
  type RTCRtpCapabilities,
  type RTCRtpCodec,
  type RTCRtpHeaderExtensionCapability,
} from './media/codec-capabilities.js';
export {
  type NegotiateCodecsOptions,
  type NegotiatedCodec,
  type NegotiationRole,
  negotiateCodecs,
  negotiateHeaderExtensions,
} from './media/codec-negotiation.js';
export { applyCodecPreferences, validateCodecPreferences } from './media/codec-preferences.js';
export {
  type H264Level,
  type H264Profile,
  type H264ProfileLevelId,
  parseH264ProfileLevelId,
} from './media/h264-profile-level-id.js';
export {
  MediaStream,
  MediaStreamTrack,
  type MediaStreamTrackEvents,
  type MediaStreamTrackInit,
  type MediaStreamTrackState,
  type ReadRtpOptions,
  type RTCRtpCodecParameters,
  type RtpListener,
} from './media/media-stream-track.js';
export type {
  RTCRtcpParameters,
  RTCRtpCodingParameters,
  RTCRtpEncodingParameters,
  RTCRtpHeaderExtensionParameters,
  RTCRtpParameters,
  RTCRtpReceiveParameters,
  RTCRtpSendParameters,
} from './media/rtp-parameters.js';
export { RTCRtpReceiver, type RTCRtpSynchronizationSource } from './media/rtp-receiver.js';
export type { RtpSenderEvents } from './media/rtp-send-stream.js';
export { RTCRtpSender } from './media/rtp-sender.js';
export {
  RTCRtpTransceiver,
  type RTCRtpTransceiverDirection,
  type RTCRtpTransceiverInit,
} from './media/rtp-transceiver.js';
export {
  type RTCIceConnectionState,
  type RTCIceGatheringState,
  type RTCOfferOptions,
  RTCPeerConnection,
  type RTCPeerConnectionState,
} from './peer-connection.js';
export * from './stats/index.js';
export {
  RTCDtlsTransport,
  RTCIceTransport,
  RTCSctpTransport,
} from './transport/w3c-transports.js';
