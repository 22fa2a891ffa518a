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
export { RTCPeerConnectionIceErrorEvent, RTCPeerConnectionIceEvent } from './events.js';
export type { RTCSignalingState } from './jsep/signaling.js';
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
