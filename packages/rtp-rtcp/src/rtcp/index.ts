export { ApplicationDefined, type ApplicationDefinedInit } from './application-defined.js';
export {
  parseRtcp,
  type RtcpPacket,
  type RtcpParseResult,
  type RtcpSerializeOptions,
  serializeRtcp,
} from './compound.js';
export {
  type DlrrBlock,
  type DlrrReport,
  ExtendedReport,
  type ReceiverReferenceTimeBlock,
  type UnknownXrBlock,
  type XrBlock,
  XrBlockType,
} from './extended-report.js';
export { PayloadFeedbackFormat, TransportFeedbackFormat } from './feedback.js';
export { type FirEntry, FullIntraRequest } from './full-intra-request.js';
export {
  GenericNack,
  lostFromNackEntries,
  type NackEntry,
  nackEntriesFromLost,
} from './generic-nack.js';
export { Goodbye } from './goodbye.js';
export { PictureLossIndication } from './picture-loss-indication.js';
export { RawRtcpPacket } from './raw-packet.js';
export { ReceiverReport, type ReceiverReportInit } from './receiver-report.js';
export { ReceiverEstimatedMaxBitrate } from './remb.js';
export type { ReportBlock } from './report-block.js';
export { SenderReport, type SenderReportInit } from './sender-report.js';
export {
  type SdesChunk,
  type SdesItem,
  SdesItemType,
  SourceDescription,
} from './source-description.js';
export {
  TransportWideCc,
  type TransportWideCcInit,
  type TwccPacket,
  TwccStatus,
  type TwccStatusValue,
} from './transport-wide-cc.js';
export { RtcpPacketType } from './wire.js';
