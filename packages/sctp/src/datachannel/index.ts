/**
 * WebRTC data channels (RFC 8831) with the Data Channel Establishment Protocol (RFC 8832) and
 * W3C `RTCDataChannel` semantics, over the association's stream API.
 */

export {
  DataChannelManager,
  type DataChannelManagerEvents,
  type DataChannelManagerStats,
  type DtlsRole,
} from './channel-manager.js';
export {
  type DataChannelParameters,
  MAX_DATA_CHANNEL_ID,
  type RTCDataChannelInit,
  type RTCPriorityType,
} from './channel-parameters.js';
export {
  type BinaryType,
  type EventHandler,
  RTCDataChannel,
  type RTCDataChannelState,
} from './data-channel.js';
export {
  channelTypeReliability,
  type DataChannelAckMessage,
  type DataChannelOpenMessage,
  DcepChannelType,
  type DcepMessage,
  DcepMessageType,
  type DcepReliability,
  dcepChannelType,
  encodeDcepMessage,
  isUnorderedChannelType,
  parseDcepMessage,
} from './dcep.js';
export {
  RTCDataChannelEvent,
  RTCError,
  type RTCErrorDetailType,
  RTCErrorEvent,
  type RTCErrorInit,
} from './events.js';
export type { DataChannelStats } from './message-counters.js';
export { Ppid } from './ppid.js';
export type { OutgoingMessage, SctpStreamEvent, SctpStreamTransport } from './stream-transport.js';
