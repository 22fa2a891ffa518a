/**
 * Typed codecs for the values of common RTP header extension elements, and a registry of them by
 * URI. A codec sees only the element's value bytes (the RFC 8285 element header is the
 * packet's business); a value of the wrong length raises `RtpParseError` with the offset in the
 * value. Encoding a value out of its field's range is a caller bug and raises `RangeError`.
 */

import { RtpParseError } from '../errors.js';
import {
  ABS_CAPTURE_TIME_URI,
  ABS_SEND_TIME_URI,
  PLAYOUT_DELAY_URI,
  SDES_MID_URI,
  SDES_REPAIRED_RTP_STREAM_ID_URI,
  SDES_RTP_STREAM_ID_URI,
  SSRC_AUDIO_LEVEL_URI,
  TOFFSET_URI,
  TRANSPORT_WIDE_CC_URI,
  VIDEO_ORIENTATION_URI,
} from './extension-uris.js';

export interface HeaderExtensionCodec<T> {
  readonly uri: string;
  decode(value: Uint8Array): T;
  encode(value: T): Uint8Array;
}

function expectLength(value: Uint8Array, length: number, what: string): void {
  if (value.length !== length) {
    throw new RtpParseError(`${what} is ${length} bytes, not ${value.length}`, 0);
  }
}

function checkInt(value: number, min: number, max: number, what: string): void {
  if (!(Number.isInteger(value) && value >= min && value <= max)) {
    throw new RangeError(`${what} out of range ${min}..${max}: ${value}`);
  }
}

const utf8Decoder = new TextDecoder();
const utf8Encoder = new TextEncoder();

/**
 * An SDES item carried in a header extension (RFC 7941 §4.1): the item's text, UTF-8, with no
 * terminator; at least one byte and at most 255 (the two-byte form's limit).
 */
function sdesCodec(uri: string, what: string): HeaderExtensionCodec<string> {
  return {
    uri,
    decode(value) {
      if (value.length === 0) throw new RtpParseError(`${what} is empty`, 0);
      return utf8Decoder.decode(value);
    },
    encode(text) {
      const bytes = utf8Encoder.encode(text);
      checkInt(bytes.length, 1, 255, `${what} length`);
      return bytes;
    },
  };
}

export const midCodec = sdesCodec(SDES_MID_URI, 'mid');
export const rtpStreamIdCodec = sdesCodec(SDES_RTP_STREAM_ID_URI, 'rtp-stream-id');
export const repairedRtpStreamIdCodec = sdesCodec(
  SDES_REPAIRED_RTP_STREAM_ID_URI,
  'repaired-rtp-stream-id',
);

/**
 * abs-send-time: 24 bits, the sender's clock in seconds as 6.18 fixed point (so it wraps every
 * 64 s). The value is the raw 24-bit integer, in units of 2^-18 s; see `absSendTimeFromSeconds`.
 */
export const absSendTimeCodec: HeaderExtensionCodec<number> = {
  uri: ABS_SEND_TIME_URI,
  decode(value) {
    expectLength(value, 3, 'abs-send-time');
    return ((value[0] as number) << 16) | ((value[1] as number) << 8) | (value[2] as number);
  },
  encode(time) {
    checkInt(time, 0, 0xff_ffff, 'abs-send-time');
    return Uint8Array.of(time >>> 16, (time >>> 8) & 0xff, time & 0xff);
  },
};

/** The abs-send-time value for a time in seconds, modulo its 64 s range, rounded to 2^-18 s. */
export function absSendTimeFromSeconds(seconds: number): number {
  return Math.round(seconds * 2 ** 18) & 0xff_ffff;
}

/** An abs-send-time value in seconds, 0 ≤ s < 64. */
export function absSendTimeToSeconds(time: number): number {
  return time / 2 ** 18;
}

/** transport-wide-cc: a 16-bit transport-wide sequence number (draft-holmer-...-01 §2). */
export const transportWideCcCodec: HeaderExtensionCodec<number> = {
  uri: TRANSPORT_WIDE_CC_URI,
  decode(value) {
    expectLength(value, 2, 'transport-wide sequence number');
    return ((value[0] as number) << 8) | (value[1] as number);
  },
  encode(sequence) {
    checkInt(sequence, 0, 0xffff, 'transport-wide sequence number');
    return Uint8Array.of(sequence >>> 8, sequence & 0xff);
  },
};

/** RFC 6464 §3: the V (voice activity) flag and the level in -dBov, 0 (loudest) to 127. */
export interface AudioLevel {
  readonly voiceActivity: boolean;
  readonly level: number;
}

export const audioLevelCodec: HeaderExtensionCodec<AudioLevel> = {
  uri: SSRC_AUDIO_LEVEL_URI,
  decode(value) {
    expectLength(value, 1, 'ssrc-audio-level');
    const byte = value[0] as number;
    return { voiceActivity: (byte & 0x80) !== 0, level: byte & 0x7f };
  },
  encode({ voiceActivity, level }) {
    checkInt(level, 0, 127, 'audio level');
    return Uint8Array.of((voiceActivity ? 0x80 : 0) | level);
  },
};

/**
 * 3GPP TS 26.114 §7.4.5, one byte `0 0 0 0 C F R1 R0`: C is the camera (false: front-facing,
 * true: back-facing), F a horizontal flip, R the rotation in quarter turns, as degrees.
 */
export interface VideoOrientation {
  readonly backCamera: boolean;
  readonly flip: boolean;
  readonly rotation: 0 | 90 | 180 | 270;
}

const ROTATIONS = [0, 90, 180, 270] as const;

export const videoOrientationCodec: HeaderExtensionCodec<VideoOrientation> = {
  uri: VIDEO_ORIENTATION_URI,
  decode(value) {
    expectLength(value, 1, 'video-orientation');
    const byte = value[0] as number;
    return {
      backCamera: (byte & 0x08) !== 0,
      flip: (byte & 0x04) !== 0,
      rotation: ROTATIONS[byte & 0x03] as VideoOrientation['rotation'],
    };
  },
  encode({ backCamera, flip, rotation }) {
    const quarter = ROTATIONS.indexOf(rotation);
    if (quarter < 0) throw new RangeError(`rotation must be 0, 90, 180 or 270, not ${rotation}`);
    return Uint8Array.of((backCamera ? 0x08 : 0) | (flip ? 0x04 : 0) | quarter);
  },
};

/**
 * RFC 5450 §2: the transmission time offset, a 24-bit signed integer in RTP timestamp units
 * (the packet's send time minus its RTP timestamp).
 */
export const transmissionOffsetCodec: HeaderExtensionCodec<number> = {
  uri: TOFFSET_URI,
  decode(value) {
    expectLength(value, 3, 'toffset');
    const raw = ((value[0] as number) << 16) | ((value[1] as number) << 8) | (value[2] as number);
    return (raw << 8) >> 8;
  },
  encode(offset) {
    checkInt(offset, -0x80_0000, 0x7f_ffff, 'toffset');
    return Uint8Array.of((offset >>> 16) & 0xff, (offset >>> 8) & 0xff, offset & 0xff);
  },
};

/**
 * playout-delay: the minimum and maximum delay the receiver should apply, two 12-bit values in
 * 10 ms units, here in milliseconds (multiples of 10, 0 to 40950; encoding rounds).
 */
export interface PlayoutDelay {
  readonly minMs: number;
  readonly maxMs: number;
}

const PLAYOUT_DELAY_UNIT_MS = 10;

export const playoutDelayCodec: HeaderExtensionCodec<PlayoutDelay> = {
  uri: PLAYOUT_DELAY_URI,
  decode(value) {
    expectLength(value, 3, 'playout-delay');
    const raw = ((value[0] as number) << 16) | ((value[1] as number) << 8) | (value[2] as number);
    return {
      minMs: (raw >>> 12) * PLAYOUT_DELAY_UNIT_MS,
      maxMs: (raw & 0xfff) * PLAYOUT_DELAY_UNIT_MS,
    };
  },
  encode({ minMs, maxMs }) {
    const min = Math.round(minMs / PLAYOUT_DELAY_UNIT_MS);
    const max = Math.round(maxMs / PLAYOUT_DELAY_UNIT_MS);
    checkInt(min, 0, 0xfff, 'playout-delay min (10 ms units)');
    checkInt(max, 0, 0xfff, 'playout-delay max (10 ms units)');
    const raw = (min << 12) | max;
    return Uint8Array.of(raw >>> 16, (raw >>> 8) & 0xff, raw & 0xff);
  },
};

/**
 * abs-capture-time: the capture time as a 64-bit NTP timestamp (UQ32.32 seconds since 1900)
 * and, optionally, the estimated offset of the capturer's clock from the sender's, signed
 * Q32.32 seconds. 8 bytes without the offset, 16 with it.
 */
export interface AbsCaptureTime {
  readonly captureTimestamp: bigint;
  readonly estimatedCaptureClockOffset?: bigint;
}

function readU64(value: Uint8Array, at: number): bigint {
  let out = 0n;
  for (let i = 0; i < 8; i++) out = (out << 8n) | BigInt(value[at + i] as number);
  return out;
}

function writeU64(out: Uint8Array, at: number, value: bigint): void {
  for (let i = 7; i >= 0; i--) {
    out[at + i] = Number(value & 0xffn);
    value >>= 8n;
  }
}

export const absCaptureTimeCodec: HeaderExtensionCodec<AbsCaptureTime> = {
  uri: ABS_CAPTURE_TIME_URI,
  decode(value) {
    if (value.length !== 8 && value.length !== 16) {
      throw new RtpParseError(`abs-capture-time is 8 or 16 bytes, not ${value.length}`, 0);
    }
    const captureTimestamp = readU64(value, 0);
    if (value.length === 8) return { captureTimestamp };
    return {
      captureTimestamp,
      estimatedCaptureClockOffset: BigInt.asIntN(64, readU64(value, 8)),
    };
  },
  encode({ captureTimestamp, estimatedCaptureClockOffset }) {
    if (BigInt.asUintN(64, captureTimestamp) !== captureTimestamp) {
      throw new RangeError(`abs-capture-time timestamp out of range: ${captureTimestamp}`);
    }
    if (estimatedCaptureClockOffset === undefined) {
      const out = new Uint8Array(8);
      writeU64(out, 0, captureTimestamp);
      return out;
    }
    if (BigInt.asIntN(64, estimatedCaptureClockOffset) !== estimatedCaptureClockOffset) {
      throw new RangeError(`abs-capture-time offset out of range: ${estimatedCaptureClockOffset}`);
    }
    const out = new Uint8Array(16);
    writeU64(out, 0, captureTimestamp);
    writeU64(out, 8, BigInt.asUintN(64, estimatedCaptureClockOffset));
    return out;
  },
};

/** Every typed codec, by the URI `a=extmap` names it with. */
export const headerExtensionCodecs = {
  [SDES_MID_URI]: midCodec,
  [SDES_RTP_STREAM_ID_URI]: rtpStreamIdCodec,
  [SDES_REPAIRED_RTP_STREAM_ID_URI]: repairedRtpStreamIdCodec,
  [ABS_SEND_TIME_URI]: absSendTimeCodec,
  [TRANSPORT_WIDE_CC_URI]: transportWideCcCodec,
  [SSRC_AUDIO_LEVEL_URI]: audioLevelCodec,
  [VIDEO_ORIENTATION_URI]: videoOrientationCodec,
  [TOFFSET_URI]: transmissionOffsetCodec,
  [PLAYOUT_DELAY_URI]: playoutDelayCodec,
  [ABS_CAPTURE_TIME_URI]: absCaptureTimeCodec,
} as const;

/** A URI with a typed codec. */
export type KnownExtensionUri = keyof typeof headerExtensionCodecs;

/** The decoded value type of the extension named `U`. */
export type HeaderExtensionValue<U extends KnownExtensionUri> =
  (typeof headerExtensionCodecs)[U] extends HeaderExtensionCodec<infer T> ? T : never;

/** The codec for `uri`, or undefined when there is no typed codec for it. */
export function headerExtensionCodec(uri: string): HeaderExtensionCodec<unknown> | undefined {
  return Object.hasOwn(headerExtensionCodecs, uri)
    ? (headerExtensionCodecs[uri as KnownExtensionUri] as HeaderExtensionCodec<unknown>)
    : undefined;
}
