/** The sending side of an association: the send queue and the retransmission queue. */

export type { OutgoingMessage } from '../../datachannel/stream-transport.js';
export { CongestionControl, initialCwnd, MAX_BURST } from './congestion.js';
export {
  type MessageDiscarder,
  Outstanding,
  type OutstandingOptions,
  type SackResult,
  type SackView,
} from './outstanding.js';
export { RtoEstimator, type RtoOptions } from './rto.js';
export { type OutgoingChunk, SendQueue, type SendQueueOptions } from './send-queue.js';
