/**
 * The two Ogg Opus header packets (RFC 7845 §5): the identification header 'OpusHead' (§5.1)
 * and the comment header 'OpusTags' (§5.2). Little-endian fields.
 *
 *     OpusHead: 'OpusHead' | version (u8) | channel count (u8) | pre-skip (u16)
 *               | input sample rate (u32) | output gain (i16, Q7.8 dB) | mapping family (u8)
 *               [| stream count (u8) | coupled count (u8) | channel mapping (u8 x channels)]
 *     OpusTags: 'OpusTags' | vendor length (u32) | vendor (UTF-8)
 *               | comment count (u32) | { length (u32) | 'TAG=value' (UTF-8) } x count
 */

import { readU16LE, readU32LE, writeU16LE, writeU32LE } from '@typertc/common';
import { ContainerError } from '../errors.js';
import { checkUint } from './little-endian.js';

const OPUS_HEAD_MAGIC = [0x4f, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64] as const; // 'OpusHead'
const OPUS_TAGS_MAGIC = [0x4f, 0x70, 0x75, 0x73, 0x54, 0x61, 0x67, 0x73] as const; // 'OpusTags'
const OPUS_HEAD_SIZE = 19;

/** Channel mapping table, present for every mapping family but 0 (RFC 7845 §5.1.1). */
export interface OpusChannelMapping {
  readonly streamCount: number;
  readonly coupledCount: number;
  /** One entry per output channel: the decoded channel it takes, or 255 for silence. */
  readonly mapping: Uint8Array;
}

export interface OpusHead {
  /** 1 for RFC 7845; readers accept 0..15 (same major version, §5.1). */
  readonly version: number;
  readonly channelCount: number;
  /** 48 kHz samples to drop from the start of the decoded output (§4.2). */
  readonly preSkip: number;
  /** The encoder's input rate, informational only; 0 means unspecified. */
  readonly inputSampleRate: number;
  /** Raw Q7.8 dB value: the decoder scales by 10^(outputGain / (20 * 256)). */
  readonly outputGain: number;
  readonly channelMappingFamily: number;
  /** Undefined for family 0 (mono/stereo, one stream). */
  readonly channelMapping: OpusChannelMapping | undefined;
}

export interface OpusTags {
  readonly vendor: string;
  /** User comments, 'TAG=value' each (field names are case-insensitive ASCII, §5.2). */
  readonly comments: readonly string[];
}

const utf8Decoder = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

/** The ID header packet. Throws `RangeError` on a field outside its range (a caller bug). */
export function encodeOpusHead(head: OpusHead): Uint8Array {
  checkUint(head.version, 0xff, 'OpusHead version');
  checkUint(head.channelCount, 0xff, 'OpusHead channel count');
  if (head.channelCount === 0) throw new RangeError('OpusHead channel count must not be zero');
  checkUint(head.preSkip, 0xffff, 'OpusHead pre-skip');
  checkUint(head.inputSampleRate, 0xffff_ffff, 'OpusHead input sample rate');
  if (!Number.isInteger(head.outputGain) || head.outputGain < -0x8000 || head.outputGain > 0x7fff) {
    throw new RangeError(`OpusHead output gain out of range: ${head.outputGain}`);
  }
  checkUint(head.channelMappingFamily, 0xff, 'OpusHead mapping family');
  const mapping = head.channelMapping;
  if (head.channelMappingFamily === 0) {
    if (mapping !== undefined)
      throw new RangeError('mapping family 0 has no channel mapping table');
    if (head.channelCount > 2) throw new RangeError('mapping family 0 allows 1 or 2 channels');
  } else if (mapping === undefined || mapping.mapping.length !== head.channelCount) {
    throw new RangeError('mapping families other than 0 need one mapping entry per channel');
  }
  const out = new Uint8Array(OPUS_HEAD_SIZE + (mapping === undefined ? 0 : 2 + head.channelCount));
  out.set(OPUS_HEAD_MAGIC);
  out[8] = head.version;
  out[9] = head.channelCount;
  writeU16LE(out, 10, head.preSkip);
  writeU32LE(out, 12, head.inputSampleRate);
  writeU16LE(out, 16, head.outputGain & 0xffff);
  out[18] = head.channelMappingFamily;
  if (mapping !== undefined) {
    checkUint(mapping.streamCount, 0xff, 'OpusHead stream count');
    checkUint(mapping.coupledCount, 0xff, 'OpusHead coupled count');
    out[19] = mapping.streamCount;
    out[20] = mapping.coupledCount;
    out.set(mapping.mapping, 21);
  }
  return out;
}

/**
 * Parses an ID header packet; offsets in errors are relative to `baseOffset`. Validates what
 * RFC 7845 §5.1 makes decoding depend on: the magic, a compatible version, a nonzero channel
 * count, 1 or 2 channels for family 0 (§5.1.1.1) and 1..8 for family 1 (§5.1.1.2), and for any
 * family but 0 a mapping table that fits and only names existing decoded channels (§5.1.1).
 */
export function parseOpusHead(packet: Uint8Array, baseOffset = 0): OpusHead {
  if (packet.length < OPUS_HEAD_SIZE || !startsWith(packet, OPUS_HEAD_MAGIC)) {
    throw new ContainerError('first packet is not an OpusHead header', baseOffset);
  }
  const version = packet[8] as number;
  if (version > 15)
    throw new ContainerError(`incompatible OpusHead version ${version}`, baseOffset + 8);
  const channelCount = packet[9] as number;
  if (channelCount === 0)
    throw new ContainerError('OpusHead channel count is zero', baseOffset + 9);
  const channelMappingFamily = packet[18] as number;
  let channelMapping: OpusChannelMapping | undefined;
  if (channelMappingFamily === 0) {
    if (channelCount > 2) {
      throw new ContainerError(`mapping family 0 with ${channelCount} channels`, baseOffset + 9);
    }
  } else {
    if (channelMappingFamily === 1 && channelCount > 8) {
      throw new ContainerError(`mapping family 1 with ${channelCount} channels`, baseOffset + 9);
    }
    if (packet.length < OPUS_HEAD_SIZE + 2 + channelCount) {
      throw new ContainerError('OpusHead channel mapping table truncated', baseOffset + 19);
    }
    const streamCount = packet[19] as number;
    const coupledCount = packet[20] as number;
    if (streamCount === 0 || coupledCount > streamCount || streamCount + coupledCount > 255) {
      throw new ContainerError(
        `invalid OpusHead stream counts: ${streamCount} streams, ${coupledCount} coupled`,
        baseOffset + 19,
      );
    }
    const mapping = packet.subarray(21, 21 + channelCount);
    for (let i = 0; i < mapping.length; i++) {
      const entry = mapping[i] as number;
      if (entry !== 255 && entry >= streamCount + coupledCount) {
        throw new ContainerError(
          `OpusHead channel mapping entry ${entry} out of range`,
          baseOffset + 21 + i,
        );
      }
    }
    channelMapping = { streamCount, coupledCount, mapping };
  }
  return {
    version,
    channelCount,
    preSkip: readU16LE(packet, 10),
    inputSampleRate: readU32LE(packet, 12),
    outputGain: (readU16LE(packet, 16) << 16) >> 16,
    channelMappingFamily,
    channelMapping,
  };
}

/** The comment header packet. Throws `RangeError` on a comment without '=' (a caller bug). */
export function encodeOpusTags(tags: OpusTags): Uint8Array {
  const vendor = utf8Encoder.encode(tags.vendor);
  const comments = tags.comments.map((comment) => {
    if (!comment.includes('=')) throw new RangeError(`comment "${comment}" is not TAG=value`);
    return utf8Encoder.encode(comment);
  });
  let size = 8 + 4 + vendor.length + 4;
  for (const comment of comments) size += 4 + comment.length;
  const out = new Uint8Array(size);
  out.set(OPUS_TAGS_MAGIC);
  writeU32LE(out, 8, vendor.length);
  out.set(vendor, 12);
  let at = 12 + vendor.length;
  writeU32LE(out, at, comments.length);
  at += 4;
  for (const comment of comments) {
    writeU32LE(out, at, comment.length);
    out.set(comment, at + 4);
    at += 4 + comment.length;
  }
  return out;
}

/**
 * Parses a comment header packet; every length is checked against the bytes present. Strings
 * are decoded leniently (invalid UTF-8 becomes U+FFFD): bad metadata is no reason to refuse the
 * audio. Bytes after the last comment are allowed and ignored (§5.2).
 */
export function parseOpusTags(packet: Uint8Array, baseOffset = 0): OpusTags {
  if (packet.length < 8 || !startsWith(packet, OPUS_TAGS_MAGIC)) {
    throw new ContainerError('second packet is not an OpusTags header', baseOffset);
  }
  let at = 8;
  const string = (what: string): string => {
    const length = lengthAt(packet, at, baseOffset, what);
    const text = utf8Decoder.decode(packet.subarray(at + 4, at + 4 + length));
    at += 4 + length;
    return text;
  };
  const vendor = string('vendor string');
  if (packet.length - at < 4)
    throw new ContainerError('OpusTags comment count missing', baseOffset + at);
  const count = readU32LE(packet, at);
  // Each comment takes at least its 4-byte length: a larger count cannot be honest.
  if (count > (packet.length - at - 4) / 4) {
    throw new ContainerError(`OpusTags claims ${count} comments`, baseOffset + at);
  }
  at += 4;
  const comments: string[] = [];
  for (let i = 0; i < count; i++) comments.push(string(`comment ${i}`));
  return { vendor, comments };
}

/** Reads the u32 length at `at` and checks that it and the bytes it announces are present. */
function lengthAt(packet: Uint8Array, at: number, baseOffset: number, what: string): number {
  if (packet.length - at < 4)
    throw new ContainerError(`OpusTags ${what} length missing`, baseOffset + at);
  const length = readU32LE(packet, at);
  if (length > packet.length - at - 4) {
    throw new ContainerError(
      `OpusTags ${what} of ${length} bytes, ${packet.length - at - 4} present`,
      baseOffset + at,
    );
  }
  return length;
}

function startsWith(packet: Uint8Array, magic: readonly number[]): boolean {
  for (let i = 0; i < magic.length; i++) if (packet[i] !== magic[i]) return false;
  return true;
}
