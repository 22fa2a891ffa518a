/**
 * Stream reconfiguration (RFC 6525): the RE-CONFIG chunk (§3.1) and the request and response
 * parameters it carries (§4). WebRTC closes a data channel by resetting its stream's outgoing
 * side with an Outgoing SSN Reset Request (RFC 8831 §6.7).
 */

import { type ByteReader, ByteWriter } from '@typertc/common';
import { SctpParseError } from '../errors.js';
import {
  CHUNK_HEADER_LENGTH,
  type ChunkHeader,
  ChunkType,
  checkChunkLength,
  chunkValue,
  encodeChunk,
} from './chunk.js';
import {
  type Parameter,
  ParameterType,
  parametersLength,
  parseParameters,
  writeParameters,
} from './parameters.js';
import { parseWith } from './wire.js';

/** Re-configuration Response results (RFC 6525 §4.4). */
export const ReconfigResult = {
  successNothingToDo: 0,
  successPerformed: 1,
  denied: 2,
  errorWrongSsn: 3,
  errorRequestAlreadyInProgress: 4,
  errorBadSequenceNumber: 5,
  inProgress: 6,
} as const;

/** §4.1: the sender resets its outgoing side of `streams` (all streams when empty). */
export interface OutgoingSsnResetRequest {
  readonly type: typeof ParameterType.outgoingSsnResetRequest;
  readonly requestSequence: number;
  /** The request this one answers, when it answers an Incoming SSN Reset Request. */
  readonly responseSequence: number;
  /** The last TSN the sender assigned; the reset waits until everything up to it arrived. */
  readonly lastAssignedTsn: number;
  readonly streams: readonly number[];
}

/** §4.2: the sender asks the receiver to reset its outgoing side of `streams` (all if empty). */
export interface IncomingSsnResetRequest {
  readonly type: typeof ParameterType.incomingSsnResetRequest;
  readonly requestSequence: number;
  readonly streams: readonly number[];
}

/** §4.3: reset every stream's SSN and the TSNs. */
export interface SsnTsnResetRequest {
  readonly type: typeof ParameterType.ssnTsnResetRequest;
  readonly requestSequence: number;
}

/** §4.4: the outcome of a request; the next TSNs only answer an SSN/TSN Reset Request. */
export interface ReconfigurationResponse {
  readonly type: typeof ParameterType.reconfigurationResponse;
  readonly responseSequence: number;
  /** A `ReconfigResult`. */
  readonly result: number;
  readonly nextTsns?: { readonly sender: number; readonly receiver: number };
}

/** §4.5 and §4.6: open `newStreams` more outgoing (17) or incoming (18) streams. */
export interface AddStreamsRequest {
  readonly type:
    | typeof ParameterType.addOutgoingStreamsRequest
    | typeof ParameterType.addIncomingStreamsRequest;
  readonly requestSequence: number;
  readonly newStreams: number;
}

export type ReconfigParameter =
  | OutgoingSsnResetRequest
  | IncomingSsnResetRequest
  | SsnTsnResetRequest
  | ReconfigurationResponse
  | AddStreamsRequest;

function readStreams(reader: ByteReader): number[] {
  const streams: number[] = [];
  while (reader.remaining > 0) streams.push(reader.u16());
  return streams;
}

/** Reads an RFC 6525 parameter; any other type, or a wrong length, is `SctpParseError`. */
export function parseReconfigParameter(parameter: Parameter): ReconfigParameter {
  const at = parameter.offset ?? 0;
  const name = `RE-CONFIG parameter ${parameter.type}`;
  return parseWith(parameter.value, at + 4, name, (reader): ReconfigParameter => {
    switch (parameter.type) {
      case ParameterType.outgoingSsnResetRequest:
        return {
          type: parameter.type,
          requestSequence: reader.u32(),
          responseSequence: reader.u32(),
          lastAssignedTsn: reader.u32(),
          streams: readStreams(reader),
        };
      case ParameterType.incomingSsnResetRequest:
        return {
          type: parameter.type,
          requestSequence: reader.u32(),
          streams: readStreams(reader),
        };
      case ParameterType.ssnTsnResetRequest:
        return { type: parameter.type, requestSequence: reader.u32() };
      case ParameterType.reconfigurationResponse: {
        const responseSequence = reader.u32();
        const result = reader.u32();
        // Both next TSNs or neither (§4.4): a lone one is caught as trailing bytes.
        if (reader.remaining < 8) return { type: parameter.type, responseSequence, result };
        const nextTsns = { sender: reader.u32(), receiver: reader.u32() };
        return { type: parameter.type, responseSequence, result, nextTsns };
      }
      case ParameterType.addOutgoingStreamsRequest:
      case ParameterType.addIncomingStreamsRequest: {
        const request = {
          type: parameter.type,
          requestSequence: reader.u32(),
          newStreams: reader.u16(),
        };
        reader.skip(2); // reserved
        return request;
      }
      default:
        throw new SctpParseError(`${name} is not a re-configuration parameter`, at);
    }
  });
}

function valueLength(parameter: ReconfigParameter): number {
  switch (parameter.type) {
    case ParameterType.outgoingSsnResetRequest:
      return 12 + 2 * parameter.streams.length;
    case ParameterType.incomingSsnResetRequest:
      return 4 + 2 * parameter.streams.length;
    case ParameterType.ssnTsnResetRequest:
      return 4;
    case ParameterType.reconfigurationResponse:
      return parameter.nextTsns === undefined ? 8 : 16;
    default:
      return 8;
  }
}

/** An RFC 6525 parameter as a generic `Parameter`. */
export function encodeReconfigParameter(parameter: ReconfigParameter): Parameter {
  const value = new Uint8Array(valueLength(parameter));
  const writer = new ByteWriter(value);
  switch (parameter.type) {
    case ParameterType.outgoingSsnResetRequest:
      writer
        .u32(parameter.requestSequence)
        .u32(parameter.responseSequence)
        .u32(parameter.lastAssignedTsn);
      for (const stream of parameter.streams) writer.u16(stream);
      break;
    case ParameterType.incomingSsnResetRequest:
      writer.u32(parameter.requestSequence);
      for (const stream of parameter.streams) writer.u16(stream);
      break;
    case ParameterType.ssnTsnResetRequest:
      writer.u32(parameter.requestSequence);
      break;
    case ParameterType.reconfigurationResponse:
      writer.u32(parameter.responseSequence).u32(parameter.result);
      if (parameter.nextTsns !== undefined) {
        writer.u32(parameter.nextTsns.sender).u32(parameter.nextTsns.receiver);
      }
      break;
    default:
      writer.u32(parameter.requestSequence).u16(parameter.newStreams).u16(0);
  }
  return { type: parameter.type, value };
}

/**
 * The parameter pairs RFC 6525 §3.1 allows in one RE-CONFIG chunk, either way round; a single
 * parameter of any of the six types is allowed too.
 */
const ALLOWED_PAIRS = new Set([
  pairKey(ParameterType.outgoingSsnResetRequest, ParameterType.incomingSsnResetRequest),
  pairKey(ParameterType.addOutgoingStreamsRequest, ParameterType.addIncomingStreamsRequest),
  pairKey(ParameterType.reconfigurationResponse, ParameterType.outgoingSsnResetRequest),
  pairKey(ParameterType.reconfigurationResponse, ParameterType.reconfigurationResponse),
]);

function pairKey(a: number, b: number): number {
  return Math.min(a, b) * 0x10000 + Math.max(a, b);
}

function allowedCombination(parameters: readonly { readonly type: number }[]): boolean {
  const [first, second] = parameters;
  if (first === undefined || parameters.length > 2) return false;
  return second === undefined || ALLOWED_PAIRS.has(pairKey(first.type, second.type));
}

/** RE-CONFIG (RFC 6525 §3.1): one parameter, or one of the allowed pairs. */
export function parseReconfigChunk(packet: Uint8Array, header: ChunkHeader): ReconfigParameter[] {
  checkChunkLength(packet, header, 'RE-CONFIG', CHUNK_HEADER_LENGTH);
  const start = header.offset + CHUNK_HEADER_LENGTH;
  const parameters = parseParameters(chunkValue(packet, header), start).map(parseReconfigParameter);
  if (!allowedCombination(parameters)) {
    const types = parameters.map((parameter) => parameter.type).join(', ');
    throw new SctpParseError(`RE-CONFIG with parameters [${types}] (RFC 6525 §3.1)`, header.offset);
  }
  return parameters;
}

export function encodeReconfigChunk(parameters: readonly ReconfigParameter[]): Uint8Array {
  if (!allowedCombination(parameters)) {
    throw new RangeError(
      'a RE-CONFIG chunk holds one parameter or an allowed pair (RFC 6525 §3.1)',
    );
  }
  const encoded = parameters.map(encodeReconfigParameter);
  return encodeChunk(ChunkType.reconfig, 0, parametersLength(encoded), (writer) =>
    writeParameters(writer, encoded),
  );
}
