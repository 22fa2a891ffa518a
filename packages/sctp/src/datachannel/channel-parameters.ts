/**
 * A data channel's fixed parameters and their two sources: the application's
 * `RTCDataChannelInit`, checked as W3C WebRTC §6.2 `createDataChannel` requires, and the peer's
 * DATA_CHANNEL_OPEN (RFC 8832 §5.1), which carries the same parameters in-band.
 */

import {
  channelTypeReliability,
  type DataChannelOpenMessage,
  type DcepReliability,
  dcepChannelType,
  isUnorderedChannelType,
} from './dcep.js';

/** W3C WebRTC Priority Control: the priority of a channel's stream. */
export type RTCPriorityType = 'very-low' | 'low' | 'medium' | 'high';

/** W3C WebRTC §6.2 `RTCDataChannelInit` (with `priority` from WebRTC Priority Control). */
export interface RTCDataChannelInit {
  ordered?: boolean;
  maxPacketLifeTime?: number;
  maxRetransmits?: number;
  protocol?: string;
  negotiated?: boolean;
  id?: number;
  priority?: RTCPriorityType;
}

/** What a channel is, once its init is checked or its DATA_CHANNEL_OPEN read. */
export interface DataChannelParameters {
  readonly label: string;
  readonly ordered: boolean;
  readonly maxPacketLifeTime: number | null;
  readonly maxRetransmits: number | null;
  readonly protocol: string;
  readonly negotiated: boolean;
  /** null for an in-band channel until an id is chosen for it. */
  readonly id: number | null;
  readonly priority: RTCPriorityType;
}

/**
 * Stream ids are 0..65534: an association has at most 65535 streams, its stream counts being
 * 16-bit fields (RFC 9260 §3.3.2); W3C §6.2 step 17 rejects 65535.
 */
export const MAX_DATA_CHANNEL_ID = 65534;

/** RFC 8832 §5.1: label and protocol lengths are 16-bit fields. */
const MAX_STRING_BYTES = 0xffff;

/** The DCEP priority of each level (W3C WebRTC Priority Control, RFC 8831 §6.4). */
const DCEP_PRIORITY: Readonly<Record<RTCPriorityType, number>> = {
  'very-low': 128,
  low: 256,
  medium: 512,
  high: 1024,
};

const utf8 = new TextEncoder();

/**
 * W3C WebRTC §6.2 `createDataChannel` steps 3-17: checks the label and init and throws
 * `TypeError` for what the spec rejects with it. Choosing an id is left to the caller.
 */
export function resolveDataChannelInit(
  label: string,
  init: RTCDataChannelInit = {},
): DataChannelParameters {
  const labelText = String(label);
  if (utf8.encode(labelText).length > MAX_STRING_BYTES) {
    throw new TypeError('label is longer than 65535 bytes');
  }
  // WebIDL: the reliability limits and the id are [EnforceRange] unsigned short.
  const maxPacketLifeTime =
    init.maxPacketLifeTime === undefined
      ? null
      : enforceUnsignedShort(init.maxPacketLifeTime, 'maxPacketLifeTime');
  const maxRetransmits =
    init.maxRetransmits === undefined
      ? null
      : enforceUnsignedShort(init.maxRetransmits, 'maxRetransmits');
  const protocol = String(init.protocol ?? '');
  if (utf8.encode(protocol).length > MAX_STRING_BYTES) {
    throw new TypeError('protocol is longer than 65535 bytes');
  }
  const negotiated = Boolean(init.negotiated ?? false);
  const id = negotiated && init.id !== undefined ? enforceUnsignedShort(init.id, 'id') : null;
  if (negotiated && id === null) throw new TypeError('a negotiated channel needs an id');
  if (maxPacketLifeTime !== null && maxRetransmits !== null) {
    throw new TypeError('maxPacketLifeTime and maxRetransmits cannot both be set');
  }
  if (id !== null && id > MAX_DATA_CHANNEL_ID) {
    throw new TypeError(`id ${id} is over the maximum ${MAX_DATA_CHANNEL_ID}`);
  }
  const priority = init.priority ?? 'low';
  if (!Object.hasOwn(DCEP_PRIORITY, priority)) {
    throw new TypeError(`priority "${priority}" is not an RTCPriorityType`);
  }
  return {
    label: labelText,
    ordered: Boolean(init.ordered ?? true),
    maxPacketLifeTime,
    maxRetransmits,
    protocol,
    negotiated,
    id,
    priority,
  };
}

/** WebIDL [EnforceRange] unsigned short: truncated, TypeError when not finite or out of range. */
function enforceUnsignedShort(value: unknown, name: string): number {
  const number = Number(value);
  if (!Number.isFinite(number)) throw new TypeError(`${name} must be a finite number`);
  const integer = Math.trunc(number) || 0;
  if (integer < 0 || integer > 0xffff) throw new TypeError(`${name} must be in 0..65535`);
  return integer;
}

/** The parameters of a channel the peer opened with DATA_CHANNEL_OPEN on stream `id`. */
export function parametersFromOpen(
  id: number,
  open: DataChannelOpenMessage,
): DataChannelParameters {
  const reliability = channelTypeReliability(open.channelType);
  // The W3C attributes are unsigned short: a larger limit is exposed as the largest (§6.2 step 16).
  const limit = Math.min(open.reliabilityParameter, 0xffff);
  return {
    label: open.label,
    ordered: !isUnorderedChannelType(open.channelType),
    maxPacketLifeTime: reliability === 'max-lifetime' ? limit : null,
    maxRetransmits: reliability === 'max-retransmits' ? limit : null,
    protocol: open.protocol,
    negotiated: false,
    id,
    priority: priorityFromDcep(open.priority),
  };
}

/** The DATA_CHANNEL_OPEN announcing a channel with these parameters (RFC 8832 §5.1). */
export function openMessageFor(parameters: DataChannelParameters): DataChannelOpenMessage {
  const reliability: DcepReliability =
    parameters.maxRetransmits !== null
      ? 'max-retransmits'
      : parameters.maxPacketLifeTime !== null
        ? 'max-lifetime'
        : 'reliable';
  return {
    type: 'open',
    channelType: dcepChannelType(parameters.ordered, reliability),
    priority: DCEP_PRIORITY[parameters.priority],
    reliabilityParameter: parameters.maxRetransmits ?? parameters.maxPacketLifeTime ?? 0,
    label: parameters.label,
    protocol: parameters.protocol,
  };
}

/** A DCEP priority value as the nearest level at or above it (a peer may send any u16). */
function priorityFromDcep(value: number): RTCPriorityType {
  if (value <= DCEP_PRIORITY['very-low']) return 'very-low';
  if (value <= DCEP_PRIORITY.low) return 'low';
  if (value <= DCEP_PRIORITY.medium) return 'medium';
  return 'high';
}
