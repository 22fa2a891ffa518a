export {
  DEFAULT_CHECK_RTO_MS,
  DEFAULT_NOMINATION_DELAY_MS,
  DEFAULT_TA_MS,
  type IceAgentCommonOptions,
  type IceAgentEvent,
  type IceAgentOptions,
  type IceLiteAgentOptions,
  type IceRestartOptions,
  type IceTransmit,
  type IceTransportState,
  MAX_REMOTE_PRFLX,
  MIN_TA_MS,
} from './agent-types.js';
export { CONSENT_EXPIRY_MS, CONSENT_INTERVAL_MS, CONSENT_UNANSWERED_MS } from './consent.js';
export { IceAgent } from './ice-agent.js';
export type { IceCandidatePairStats, PairCounters, PairCountersSnapshot } from './pair-stats.js';
