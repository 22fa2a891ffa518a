/** The receive side of an association: TSN tracking, reassembly and delivery (RFC 9260 §6). */

export type { ReceivedMessage } from './delivery.js';
export type { ReceivedChunk } from './reassembly.js';
export {
  MAX_REPORTED_DUPLICATES,
  ReceiveBuffer,
  type ReceiveBufferOptions,
  type ReceiveResult,
} from './receive-buffer.js';
export { MAX_TSN_AHEAD } from './tsn-set.js';
