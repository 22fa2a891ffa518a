import { describe, expect, it } from 'vitest';
import {
  type CodecSpec,
  getCapabilities,
  type LocalCodec,
  localCodecs,
  localHeaderExtensions,
} from '../src/media/codec-capabilities.js';
import { applyCodecPreferences, validateCodecPreferences } from '../src/media/codec-preferences.js';
import {
  minH264Level,
  parseH264ProfileLevelId,
  withH264Level,
} from '../src/media/h264-profile-level-id.js';

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

const numbering = (list: LocalCodec[]) =>
  list.map((codec) => [codec.payloadType, codec.mimeType, codec.sdpFmtpLine]);

const CB_PM1 = 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f';
const CB_PM0 = 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f';

describe('getCapabilities', () => {
  it('lists the audio codecs as browsers do, with channels', () => {
    expect(getCapabilities('audio')).toEqual({
      codecs: [
        {
          mimeType: 'audio/opus',
          clockRate: 48000,
          channels: 2,
          sdpFmtpLine: 'minptime=10;useinbandfec=1',
        },
        { mimeType: 'audio/PCMU', clockRate: 8000, channels: 1 },
        { mimeType: 'audio/PCMA', clockRate: 8000, channels: 1 },
        { mimeType: 'audio/telephone-event', clockRate: 48000, channels: 1 },
        { mimeType: 'audio/telephone-event', clockRate: 8000, channels: 1 },
      ],
      headerExtensions: [
        { uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level' },
        { uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time' },
        { uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01' },
        { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' },
        { uri: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id' },
        { uri: 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id' },
      ],
    });
  });

  it('lists RTX once, without apt, and no audio-only extension for video', () => {
    const video = getCapabilities('video');
    expect(video.codecs).toEqual([
      { mimeType: 'video/VP8', clockRate: 90000 },
      { mimeType: 'video/rtx', clockRate: 90000 },
      { mimeType: 'video/VP9', clockRate: 90000, sdpFmtpLine: 'profile-id=0' },
      { mimeType: 'video/H264', clockRate: 90000, sdpFmtpLine: CB_PM1 },
      { mimeType: 'video/H264', clockRate: 90000, sdpFmtpLine: CB_PM0 },
      { mimeType: 'video/AV1', clockRate: 90000 },
    ]);
    const uris = video.headerExtensions.map(({ uri }) => uri);
    expect(uris).toContain('urn:3gpp:video-orientation');
    expect(uris).not.toContain('urn:ietf:params:rtp-hdrext:ssrc-audio-level');
  });

  it('follows the configuration', () => {
    expect(
      getCapabilities('video', { video: [{ mimeType: 'video/AV1', rtx: false }] }).codecs,
    ).toEqual([{ mimeType: 'video/AV1', clockRate: 90000 }]);
  });
});

describe('localHeaderExtensions', () => {
  it('numbers them as Chromium does', () => {
    expect(localHeaderExtensions('video').map(({ id }) => id)).toEqual([2, 3, 4, 10, 11, 13]);
    expect(localHeaderExtensions('audio').map(({ id }) => id)).toEqual([1, 2, 3, 4, 10, 11]);
  });
});

describe('localCodecs', () => {
  it('gives the defaults their preferred payload types, RTX after each video codec', () => {
    expect(numbering(localCodecs('audio'))).toEqual([
      [111, 'audio/opus', 'minptime=10;useinbandfec=1'],
      [0, 'audio/PCMU', undefined],
      [8, 'audio/PCMA', undefined],
      [110, 'audio/telephone-event', undefined],
      [126, 'audio/telephone-event', undefined],
    ]);
    expect(numbering(localCodecs('video'))).toEqual([
      [96, 'video/VP8', undefined],
      [97, 'video/rtx', 'apt=96'],
      [98, 'video/VP9', 'profile-id=0'],
      [99, 'video/rtx', 'apt=98'],
      [100, 'video/H264', CB_PM1],
      [101, 'video/rtx', 'apt=100'],
      [102, 'video/H264', CB_PM0],
      [103, 'video/rtx', 'apt=102'],
      [104, 'video/AV1', undefined],
      [105, 'video/rtx', 'apt=104'],
    ]);
    expect(localCodecs('video')[0]?.rtcpFeedback).toEqual([
      { type: 'nack', parameter: undefined },
      { type: 'nack', parameter: 'pli' },
      { type: 'ccm', parameter: 'fir' },
      { type: 'goog-remb', parameter: undefined },
      { type: 'transport-cc', parameter: undefined },
    ]);
  });

  it('fills a spec from the first matching default and keeps its order', () => {
    const list = localCodecs('video', {
      video: [{ mimeType: 'video/h264', sdpFmtpLine: CB_PM0 }, { mimeType: 'video/VP8' }],
    });
    expect(numbering(list)).toEqual([
      [102, 'video/h264', CB_PM0],
      [103, 'video/rtx', 'apt=102'],
      [96, 'video/VP8', undefined],
      [97, 'video/rtx', 'apt=96'],
    ]);
    expect(
      numbering(
        localCodecs('audio', { audio: [{ mimeType: 'audio/PCMA' }, { mimeType: 'audio/PCMU' }] }),
      ),
    ).toEqual([
      [8, 'audio/PCMA', undefined],
      [0, 'audio/PCMU', undefined],
    ]);
  });

  it('assigns free dynamic payload types without taking a later codec’s preference', () => {
    const list = localCodecs('video', {
      video: [{ mimeType: 'video/H265', clockRate: 90000 }, { mimeType: 'video/VP8' }],
    });
    expect(numbering(list)).toEqual([
      [98, 'video/H265', undefined],
      [99, 'video/rtx', 'apt=98'],
      [96, 'video/VP8', undefined],
      [97, 'video/rtx', 'apt=96'],
    ]);
  });

  it('moves the later of two codecs asking for one payload type', () => {
    const list = localCodecs('video', {
      video: [{ mimeType: 'video/VP8', payloadType: 100 }, { mimeType: 'video/H264' }],
    });
    expect(numbering(list)).toEqual([
      [100, 'video/VP8', undefined],
      [97, 'video/rtx', 'apt=100'],
      [96, 'video/H264', CB_PM1],
      [101, 'video/rtx', 'apt=96'],
    ]);
  });

  it('rejects malformed specs with TypeError', () => {
    const bad: CodecSpec[][] = [
      [{ mimeType: 'video/H265' }], // no clockRate
      [{ mimeType: 'video/rtx', clockRate: 90000 }],
      [{ mimeType: 'audio/opus' }], // wrong kind
      [{ mimeType: 'video/VP8', payloadType: 72 }], // RFC 5761 §4
      [{ mimeType: 'video/VP8', payloadType: 128 }],
    ];
    for (const video of bad)
      expect(thrown(() => localCodecs('video', { video }))).toBeInstanceOf(TypeError);
    expect(
      thrown(() => localCodecs('audio', { audio: [{ mimeType: 'audio/opus', rtx: true }] })),
    ).toBeInstanceOf(TypeError);
  });

  it('throws InvalidAccessError when the dynamic payload types run out', () => {
    const video = Array.from({ length: 17 }, (_, index) => ({
      mimeType: `video/X${index}`,
      clockRate: 90000,
    }));
    expect(localCodecs('video', { video: video.slice(0, 16) })).toHaveLength(32);
    expect((thrown(() => localCodecs('video', { video })) as DOMException).name).toBe(
      'InvalidAccessError',
    );
  });
});

describe('setCodecPreferences helpers (W3C §5.4)', () => {
  const capabilities = getCapabilities('video').codecs;

  it('returns an empty list to reset, and a deduplicated copy otherwise', () => {
    expect(validateCodecPreferences([], capabilities)).toEqual([]);
    const vp8 = { mimeType: 'video/vp8', clockRate: 90000 };
    expect(
      validateCodecPreferences([vp8, { ...vp8, mimeType: 'video/VP8' }], capabilities),
    ).toEqual([vp8]);
  });

  it('throws InvalidModificationError for a codec not among the capabilities', () => {
    for (const codec of [
      { mimeType: 'video/H264', clockRate: 90000, sdpFmtpLine: 'profile-level-id=640c1f' },
      { mimeType: 'video/VP8', clockRate: 48000 },
      { mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
    ]) {
      expect(
        (thrown(() => validateCodecPreferences([codec], capabilities)) as DOMException).name,
      ).toBe('InvalidModificationError');
    }
  });

  it('throws InvalidModificationError when only RTX is left', () => {
    const rtx = { mimeType: 'video/rtx', clockRate: 90000 };
    expect((thrown(() => validateCodecPreferences([rtx], capabilities)) as DOMException).name).toBe(
      'InvalidModificationError',
    );
  });

  it('orders the local list by the preferences, with RTX only if preferred', () => {
    const local = localCodecs('video');
    const h264 = { mimeType: 'video/H264', clockRate: 90000, sdpFmtpLine: CB_PM1 };
    const vp8 = { mimeType: 'video/VP8', clockRate: 90000 };
    expect(applyCodecPreferences(local, [h264, vp8]).map((codec) => codec.payloadType)).toEqual([
      100, 96,
    ]);
    expect(
      applyCodecPreferences(local, [h264, { mimeType: 'video/rtx', clockRate: 90000 }, vp8]).map(
        (codec) => codec.payloadType,
      ),
    ).toEqual([100, 101, 96, 97]);
    expect(applyCodecPreferences(local, [])).toEqual(local);
  });
});

describe('H.264 profile-level-id (RFC 6184 §8.1)', () => {
  it('tells the profiles apart by profile_idc and constraint flags', () => {
    const profile = (text: string) => parseH264ProfileLevelId(text)?.profile;
    expect(profile('42e01f')).toBe('constrained-baseline');
    expect(profile('42c01f')).toBe('constrained-baseline');
    expect(profile('4de01f')).toBe('constrained-baseline');
    expect(profile('58c01f')).toBe('constrained-baseline');
    expect(profile('42001f')).toBe('baseline');
    expect(profile('58801f')).toBe('baseline');
    expect(profile('4d001f')).toBe('main');
    expect(profile('64001f')).toBe('high');
    expect(profile('640c1f')).toBe('constrained-high');
    expect(profile('f4001f')).toBe('predictive-high-444');
    expect(profile('6e001f')).toBeUndefined(); // High 10: not negotiated
    expect(profile('42e0')).toBeUndefined();
    expect(profile('42e0zz')).toBeUndefined();
  });

  it('reads levels, 1b both ways, and defaults an absent value as libwebrtc does', () => {
    expect(parseH264ProfileLevelId('42e01f')?.level).toBe(31);
    expect(parseH264ProfileLevelId('42f00b')?.level).toBe('1b');
    expect(parseH264ProfileLevelId('42e00b')?.level).toBe(11);
    expect(parseH264ProfileLevelId('640009')?.level).toBe('1b');
    expect(parseH264ProfileLevelId('42e0ff')).toBeUndefined();
    expect(parseH264ProfileLevelId(undefined)).toEqual({
      profile: 'constrained-baseline',
      level: 31,
    });
  });

  it('orders 1b between 1.0 and 1.1 and rewrites levels keeping the profile bytes', () => {
    expect(minH264Level('1b', 11)).toBe('1b');
    expect(minH264Level(10, '1b')).toBe(10);
    expect(withH264Level('42e01f', 21)).toBe('42e015');
    expect(withH264Level('42e01f', '1b')).toBe('42f00b');
    expect(withH264Level('42f01f', 11)).toBe('42e00b');
    expect(withH264Level('640c1f', '1b')).toBe('640c09');
  });
});
