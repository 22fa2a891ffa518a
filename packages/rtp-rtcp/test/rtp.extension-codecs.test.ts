import { type ExtensionMap, fromHex, toHex } from '@typertc/common';
import { describe, expect, it } from 'vitest';
import { RtpParseError } from '../src/errors.js';
import {
  extensionId,
  getExtension,
  removeExtension,
  setExtension,
} from '../src/rtp/extension-access.js';
import {
  absCaptureTimeCodec,
  absSendTimeCodec,
  absSendTimeFromSeconds,
  absSendTimeToSeconds,
  audioLevelCodec,
  headerExtensionCodec,
  headerExtensionCodecs,
  midCodec,
  playoutDelayCodec,
  repairedRtpStreamIdCodec,
  rtpStreamIdCodec,
  transmissionOffsetCodec,
  transportWideCcCodec,
  videoOrientationCodec,
} from '../src/rtp/extension-codecs.js';
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
} from '../src/rtp/extension-uris.js';
import { RtpPacket } from '../src/rtp/packet.js';

describe('SDES item codecs (mid, rtp-stream-id, repaired-rtp-stream-id)', () => {
  it('carry the text as UTF-8 without a terminator', () => {
    expect(toHex(midCodec.encode('0'))).toBe('30');
    expect(toHex(rtpStreamIdCodec.encode('hi'))).toBe('6869');
    expect(repairedRtpStreamIdCodec.decode(fromHex('6c6f77'))).toBe('low');
    expect(midCodec.decode(midCodec.encode('vidéo'))).toBe('vidéo');
  });

  it('reject an empty value and text over 255 bytes', () => {
    expect(() => midCodec.decode(new Uint8Array(0))).toThrow(RtpParseError);
    expect(() => midCodec.encode('')).toThrow(RangeError);
    expect(() => midCodec.encode('x'.repeat(256))).toThrow(RangeError);
    expect(midCodec.encode('x'.repeat(255)).length).toBe(255);
  });
});

describe('abs-send-time', () => {
  it('is 24 bits of 6.18 fixed-point seconds', () => {
    expect(toHex(absSendTimeCodec.encode(absSendTimeFromSeconds(1.5)))).toBe('060000');
    expect(absSendTimeCodec.decode(fromHex('ffffff'))).toBe(0xffffff);
    expect(absSendTimeToSeconds(absSendTimeCodec.decode(fromHex('400000')))).toBe(16);
  });

  it('wraps every 64 seconds', () => {
    expect(absSendTimeFromSeconds(65)).toBe(absSendTimeFromSeconds(1));
    expect(absSendTimeFromSeconds(64)).toBe(0);
  });

  it('rejects other lengths and values', () => {
    expect(() => absSendTimeCodec.decode(fromHex('0102'))).toThrow(RtpParseError);
    expect(() => absSendTimeCodec.encode(0x1000000)).toThrow(RangeError);
  });
});

describe('transport-wide-cc', () => {
  it('is a 16-bit sequence number', () => {
    expect(toHex(transportWideCcCodec.encode(0x1234))).toBe('1234');
    expect(transportWideCcCodec.decode(fromHex('fffe'))).toBe(65534);
    expect(() => transportWideCcCodec.decode(fromHex('01'))).toThrow(RtpParseError);
    expect(() => transportWideCcCodec.encode(65536)).toThrow(RangeError);
  });
});

describe('ssrc-audio-level (RFC 6464 §3)', () => {
  it('packs the V bit and a 7-bit level', () => {
    expect(toHex(audioLevelCodec.encode({ voiceActivity: true, level: 42 }))).toBe('aa');
    expect(audioLevelCodec.decode(fromHex('7f'))).toEqual({ voiceActivity: false, level: 127 });
    expect(audioLevelCodec.decode(fromHex('80'))).toEqual({ voiceActivity: true, level: 0 });
    expect(() => audioLevelCodec.encode({ voiceActivity: false, level: 128 })).toThrow(RangeError);
    expect(() => audioLevelCodec.decode(fromHex('0000'))).toThrow(RtpParseError);
  });
});

describe('video-orientation (3GPP TS 26.114 §7.4.5)', () => {
  it('packs C, F and the rotation in the low 4 bits', () => {
    const back270 = { backCamera: true, flip: false, rotation: 270 } as const;
    expect(toHex(videoOrientationCodec.encode(back270))).toBe('0b');
    expect(videoOrientationCodec.decode(fromHex('05'))).toEqual({
      backCamera: false,
      flip: true,
      rotation: 90,
    });
    expect(videoOrientationCodec.decode(fromHex('f2')).rotation).toBe(180);
    expect(() =>
      videoOrientationCodec.encode({ backCamera: false, flip: false, rotation: 45 as 0 }),
    ).toThrow(RangeError);
  });
});

describe('toffset (RFC 5450 §2)', () => {
  it('is a 24-bit signed integer', () => {
    expect(toHex(transmissionOffsetCodec.encode(-1))).toBe('ffffff');
    expect(toHex(transmissionOffsetCodec.encode(0x7fffff))).toBe('7fffff');
    expect(transmissionOffsetCodec.decode(fromHex('800000'))).toBe(-0x800000);
    expect(transmissionOffsetCodec.decode(fromHex('000100'))).toBe(256);
    expect(() => transmissionOffsetCodec.encode(0x800000)).toThrow(RangeError);
  });
});

describe('playout-delay', () => {
  it('is two 12-bit values in 10 ms units', () => {
    expect(toHex(playoutDelayCodec.encode({ minMs: 100, maxMs: 4000 }))).toBe('00a190');
    expect(playoutDelayCodec.decode(fromHex('ffffff'))).toEqual({ minMs: 40950, maxMs: 40950 });
    expect(playoutDelayCodec.decode(fromHex('000000'))).toEqual({ minMs: 0, maxMs: 0 });
    expect(() => playoutDelayCodec.encode({ minMs: 0, maxMs: 40960 })).toThrow(RangeError);
  });
});

describe('abs-capture-time', () => {
  it('carries a UQ32.32 timestamp and an optional signed Q32.32 clock offset', () => {
    const short = absCaptureTimeCodec.encode({ captureTimestamp: 0x0123456789abcdefn });
    expect(toHex(short)).toBe('0123456789abcdef');
    expect(absCaptureTimeCodec.decode(short)).toEqual({ captureTimestamp: 0x0123456789abcdefn });
    const long = absCaptureTimeCodec.encode({
      captureTimestamp: 0xffffffffffffffffn,
      estimatedCaptureClockOffset: -(1n << 32n),
    });
    expect(toHex(long)).toBe('ffffffffffffffffffffffff00000000');
    expect(absCaptureTimeCodec.decode(long)).toEqual({
      captureTimestamp: 0xffffffffffffffffn,
      estimatedCaptureClockOffset: -(1n << 32n),
    });
  });

  it('rejects other lengths and out-of-range values', () => {
    expect(() => absCaptureTimeCodec.decode(new Uint8Array(12))).toThrow(RtpParseError);
    expect(() => absCaptureTimeCodec.encode({ captureTimestamp: 1n << 64n })).toThrow(RangeError);
    expect(() =>
      absCaptureTimeCodec.encode({ captureTimestamp: 0n, estimatedCaptureClockOffset: 1n << 63n }),
    ).toThrow(RangeError);
  });
});

describe('the codec registry', () => {
  it('finds each codec by the URI it names', () => {
    const uris = [
      SDES_MID_URI,
      SDES_RTP_STREAM_ID_URI,
      SDES_REPAIRED_RTP_STREAM_ID_URI,
      ABS_SEND_TIME_URI,
      TRANSPORT_WIDE_CC_URI,
      SSRC_AUDIO_LEVEL_URI,
      VIDEO_ORIENTATION_URI,
      TOFFSET_URI,
      PLAYOUT_DELAY_URI,
      ABS_CAPTURE_TIME_URI,
    ];
    expect(Object.keys(headerExtensionCodecs).sort()).toEqual([...uris].sort());
    for (const uri of uris) expect(headerExtensionCodec(uri)?.uri).toBe(uri);
    expect(headerExtensionCodec('urn:example:unknown')).toBeUndefined();
    expect(headerExtensionCodec('toString')).toBeUndefined();
  });
});

describe('extensions by URI through an ExtensionMap', () => {
  const map: ExtensionMap = new Map([
    [1, SDES_MID_URI],
    [3, ABS_SEND_TIME_URI],
    [16, TRANSPORT_WIDE_CC_URI],
  ]);

  it('resolves ids', () => {
    expect(extensionId(map, ABS_SEND_TIME_URI)).toBe(3);
    expect(extensionId(map, TOFFSET_URI)).toBeUndefined();
  });

  it('sets and reads typed values', () => {
    const packet = new RtpPacket({ payloadType: 96, payload: fromHex('00') });
    expect(setExtension(packet, map, SDES_MID_URI, 'a')).toBe(true);
    expect(setExtension(packet, map, ABS_SEND_TIME_URI, 0x123456)).toBe(true);
    expect(setExtension(packet, map, TOFFSET_URI, 5)).toBe(false);
    const parsed = RtpPacket.parse(packet.serialize());
    expect(toHex(parsed.extensions.get(1) ?? new Uint8Array())).toBe('61');
    expect(getExtension(parsed, map, SDES_MID_URI)).toBe('a');
    expect(getExtension(parsed, map, ABS_SEND_TIME_URI)).toBe(0x123456);
    expect(getExtension(parsed, map, TRANSPORT_WIDE_CC_URI)).toBeUndefined();
    expect(getExtension(parsed, map, TOFFSET_URI)).toBeUndefined();
    expect(removeExtension(parsed, map, SDES_MID_URI)).toBe(true);
    expect(removeExtension(parsed, map, SDES_MID_URI)).toBe(false);
    expect(getExtension(parsed, map, SDES_MID_URI)).toBeUndefined();
  });

  it('uses the two-byte form when a negotiated id is above 14', () => {
    const packet = new RtpPacket();
    setExtension(packet, map, TRANSPORT_WIDE_CC_URI, 7);
    expect(toHex(packet.serialize().subarray(12))).toBe('1000000110020007');
  });

  it('raises RtpParseError for a malformed value', () => {
    const packet = new RtpPacket();
    packet.extensions.set(3, fromHex('01'));
    expect(() => getExtension(packet, map, ABS_SEND_TIME_URI)).toThrow(RtpParseError);
  });
});
