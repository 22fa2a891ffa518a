import { readFileSync } from 'node:fs';
import { type Codec, codecs, type HeaderExtension, headerExtensions, parse } from '@typertc/sdp';
import { describe, expect, it } from 'vitest';
import { localCodecs, localHeaderExtensions } from '../src/media/codec-capabilities.js';
import {
  type NegotiatedCodec,
  negotiateCodecs,
  negotiateHeaderExtensions,
} from '../src/media/codec-negotiation.js';

/** The real-world SDPs of @typertc/sdp's corpus (provenance in its fixtures/SOURCES.md). */
function fixture(name: string): string {
  return readFileSync(new URL(`../../sdp/test/fixtures/${name}.sdp`, import.meta.url), 'utf8');
}

function section(
  text: string,
  kind: 'audio' | 'video',
): { codecs: Codec[]; extensions: HeaderExtension[] } {
  const session = parse(text);
  const media = session.media.find((candidate) => candidate.kind === kind);
  if (media === undefined) throw new Error(`no ${kind} section`);
  return { codecs: codecs(media), extensions: headerExtensions(session, media) };
}

/** `[payload type, mimeType, our fmtp]` per negotiated codec: the shape most checks compare. */
function summary(negotiated: NegotiatedCodec[]): [number, string, string | undefined][] {
  return negotiated.map((codec) => [codec.payloadType, codec.mimeType, codec.sdpFmtpLine]);
}

function byPayloadType(negotiated: NegotiatedCodec[], pt: number): NegotiatedCodec {
  const codec = negotiated.find((candidate) => candidate.payloadType === pt);
  if (codec === undefined) throw new Error(`payload type ${pt} was not negotiated`);
  return codec;
}

const CHROMIUM_OFFER = fixture('chromium-audio-video-offer');
const CB_PM1 = 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f';
const CB_PM0 = 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f';

describe('negotiateCodecs answering a Chromium 156 offer with our defaults', () => {
  it('keeps Opus 111, G.711 and telephone-event by clock rate, in the offer order', () => {
    const audio = negotiateCodecs(
      localCodecs('audio'),
      section(CHROMIUM_OFFER, 'audio').codecs,
      'answerer',
    );
    // RED (63), G722 (9) and CN (13) are offered but not ours.
    expect(summary(audio)).toEqual([
      [111, 'audio/opus', 'minptime=10;useinbandfec=1'],
      [0, 'audio/PCMU', undefined],
      [8, 'audio/PCMA', undefined],
      [110, 'audio/telephone-event', undefined],
      [126, 'audio/telephone-event', undefined],
    ]);
    expect(byPayloadType(audio, 110).clockRate).toBe(48000);
    expect(byPayloadType(audio, 126).clockRate).toBe(8000);
    expect(byPayloadType(audio, 111).rtcpFeedback).toEqual([
      { type: 'transport-cc', parameter: undefined },
    ]);
    expect(byPayloadType(audio, 111).channels).toBe(2);
  });

  it('matches H.264 by profile and packetization-mode, VP9 by profile-id, RTX by apt', () => {
    const video = negotiateCodecs(
      localCodecs('video'),
      section(CHROMIUM_OFFER, 'video').codecs,
      'answerer',
    );
    // Not kept: 102/104 (42001f is Baseline, not Constrained Baseline), 116/39 (4d001f Main),
    // 100 (VP9 profile 2), 118 red, 120 ulpfec, and the RTX of each of those (103, 107, 117,
    // 40, 101, 119).
    expect(summary(video)).toEqual([
      [96, 'video/VP8', undefined],
      [97, 'video/rtx', 'apt=96'],
      [108, 'video/H264', CB_PM1],
      [109, 'video/rtx', 'apt=108'],
      [114, 'video/H264', CB_PM0],
      [115, 'video/rtx', 'apt=114'],
      [45, 'video/AV1', undefined],
      [46, 'video/rtx', 'apt=45'],
      [98, 'video/VP9', 'profile-id=0'],
      [99, 'video/rtx', 'apt=98'],
    ]);
    expect(byPayloadType(video, 97).associatedPayloadType).toBe(96);
    expect(byPayloadType(video, 45).remoteSdpFmtpLine).toBe('level-idx=5;profile=0;tier=0');
  });

  it('lists the rtcp-fb both sides support, in the offer order', () => {
    const video = negotiateCodecs(
      localCodecs('video'),
      section(CHROMIUM_OFFER, 'video').codecs,
      'answerer',
    );
    expect(byPayloadType(video, 96).rtcpFeedback).toEqual([
      { type: 'goog-remb', parameter: undefined },
      { type: 'transport-cc', parameter: undefined },
      { type: 'ccm', parameter: 'fir' },
      { type: 'nack', parameter: undefined },
      { type: 'nack', parameter: 'pli' },
    ]);
    expect(byPayloadType(video, 97).rtcpFeedback).toEqual([]);
  });

  it('keeps the remote payload types and rewrites apt when ours differ', () => {
    const local = localCodecs('video', {
      video: [
        { mimeType: 'video/VP8', payloadType: 120, rtxPayloadType: 121 },
        { mimeType: 'video/VP9', rtx: false },
      ],
    });
    expect(local.map((codec) => [codec.payloadType, codec.sdpFmtpLine])).toEqual([
      [120, undefined],
      [121, 'apt=120'],
      [98, 'profile-id=0'],
    ]);
    const video = negotiateCodecs(local, section(CHROMIUM_OFFER, 'video').codecs, 'answerer');
    // VP9 is kept without RTX: only we lack it, so the offer's 99 is dropped.
    expect(summary(video)).toEqual([
      [96, 'video/VP8', undefined],
      [97, 'video/rtx', 'apt=96'],
      [98, 'video/VP9', 'profile-id=0'],
    ]);
  });

  it('orders by our preference under setCodecPreferences (order: local)', () => {
    const video = negotiateCodecs(
      localCodecs('video'),
      section(CHROMIUM_OFFER, 'video').codecs,
      'answerer',
      { order: 'local' },
    );
    expect(video.map((codec) => codec.payloadType)).toEqual([
      96, 97, 98, 99, 108, 109, 114, 115, 45, 46,
    ]);
  });
});

describe('negotiateCodecs against other real offers', () => {
  it('does not match Safari 26 High 640c1f with our Constrained Baseline', () => {
    const video = negotiateCodecs(
      localCodecs('video'),
      section(fixture('safari-26-audio-video-datachannel-offer'), 'video').codecs,
      'answerer',
    );
    const h264 = video.filter((codec) => codec.mimeType === 'video/H264');
    // 96 and 100 are 640c1f (Constrained High), 35 is H265.
    expect(summary(h264)).toEqual([
      [98, 'video/H264', CB_PM1],
      [103, 'video/H264', CB_PM0],
    ]);
    expect(byPayloadType(video, 99).sdpFmtpLine).toBe('apt=98');
    expect(video.some((codec) => [96, 97, 100, 101, 35, 36].includes(codec.payloadType))).toBe(
      false,
    );
  });

  it('takes Firefox 153 numbering, VP9 without profile-id as profile 0', () => {
    const text = fixture('firefox-153-audio-video-offer');
    const audio = negotiateCodecs(localCodecs('audio'), section(text, 'audio').codecs, 'answerer');
    expect(summary(audio).map(([pt, mime]) => [pt, mime])).toEqual([
      [109, 'audio/opus'],
      [0, 'audio/PCMU'],
      [8, 'audio/PCMA'],
      [101, 'audio/telephone-event'],
    ]);
    expect(byPayloadType(audio, 109).remoteSdpFmtpLine).toBe(
      'maxplaybackrate=48000;stereo=1;useinbandfec=1',
    );
    const video = negotiateCodecs(localCodecs('video'), section(text, 'video').codecs, 'answerer');
    expect(summary(video)).toEqual([
      [120, 'video/VP8', undefined],
      [124, 'video/rtx', 'apt=120'],
      [121, 'video/VP9', 'profile-id=0'],
      [125, 'video/rtx', 'apt=121'],
      [99, 'video/AV1', undefined],
      [100, 'video/rtx', 'apt=99'],
    ]);
  });

  it("intersects Pion's duplicated, space-padded rtcp-fb and skips VP9 profile 1", () => {
    const video = negotiateCodecs(
      localCodecs('video'),
      section(fixture('pion-offer'), 'video').codecs,
      'answerer',
    );
    expect(byPayloadType(video, 96).rtcpFeedback).toEqual([
      { type: 'goog-remb', parameter: undefined },
      { type: 'ccm', parameter: 'fir' },
      { type: 'nack', parameter: undefined },
      { type: 'nack', parameter: 'pli' },
      { type: 'transport-cc', parameter: undefined },
    ]);
    // Pion lists nack, pli and transport-cc on its RTX; we list none there.
    expect(byPayloadType(video, 97).rtcpFeedback).toEqual([]);
    expect(video.some((codec) => codec.payloadType === 100)).toBe(false);
  });

  it('matches channels, an rtpmap without them meaning one (RFC 8866 §6.6)', () => {
    const mono = CHROMIUM_OFFER.replace('a=rtpmap:111 opus/48000/2', 'a=rtpmap:111 opus/48000');
    expect(mono).not.toBe(CHROMIUM_OFFER);
    const audio = negotiateCodecs(localCodecs('audio'), section(mono, 'audio').codecs, 'answerer');
    // RFC 7587 §7 writes Opus as opus/48000/2 whatever it carries; a mono rtpmap is another codec.
    expect(audio.map((codec) => codec.payloadType)).toEqual([0, 8, 110, 126]);
  });

  it('keeps only the rtcp-fb we configured', () => {
    const local = localCodecs('video', {
      video: [{ mimeType: 'video/VP8', rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] }],
    });
    const video = negotiateCodecs(local, section(CHROMIUM_OFFER, 'video').codecs, 'answerer');
    expect(byPayloadType(video, 96).rtcpFeedback).toEqual([{ type: 'nack', parameter: 'pli' }]);
  });
});

describe('H.264 level (RFC 6184 §8.2.2)', () => {
  /** The Chromium offer with its 42e01f pm1 fmtp (PT 108) replaced. */
  function offerWith(fmtp: string): Codec[] {
    const text = CHROMIUM_OFFER.replace(`a=fmtp:108 ${CB_PM1}`, `a=fmtp:108 ${fmtp}`);
    expect(text).not.toBe(CHROMIUM_OFFER);
    return section(text, 'video').codecs;
  }

  function answerFmtp(fmtp: string, role: 'answerer' | 'offerer' = 'answerer') {
    return byPayloadType(negotiateCodecs(localCodecs('video'), offerWith(fmtp), role), 108);
  }

  it('keeps our level when both sides allow level asymmetry', () => {
    const codec = answerFmtp(
      'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e015',
    );
    expect(codec.sdpFmtpLine).toBe(CB_PM1);
    expect(codec.remoteSdpFmtpLine).toBe(
      'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e015',
    );
  });

  it('answers the lower level without asymmetry on the offer', () => {
    expect(answerFmtp('packetization-mode=1;profile-level-id=42e015').sdpFmtpLine).toBe(
      'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e015',
    );
    // Constrained Baseline written 42c0 matches, and our own profile bytes are kept.
    expect(answerFmtp('packetization-mode=1;profile-level-id=42c00d').sdpFmtpLine).toBe(
      'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e00d',
    );
    // Level 1b (constraint_set3 with level_idc 11) is below 1.1.
    expect(answerFmtp('packetization-mode=1;profile-level-id=42f00b').sdpFmtpLine).toBe(
      'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42f00b',
    );
  });

  it('keeps our level when the remote one is higher', () => {
    expect(answerFmtp('packetization-mode=1;profile-level-id=42e028').sdpFmtpLine).toBe(CB_PM1);
  });

  it('leaves our fmtp as offered when applying an answer', () => {
    expect(answerFmtp('packetization-mode=1;profile-level-id=42e015', 'offerer').sdpFmtpLine).toBe(
      CB_PM1,
    );
  });

  it('does not match Main written as 4d001f to our Constrained Baseline, but does 4de01f', () => {
    expect(
      negotiateCodecs(
        localCodecs('video'),
        offerWith('packetization-mode=1;profile-level-id=4d001f'),
        'answerer',
      ).some((codec) => codec.payloadType === 108),
    ).toBe(false);
    expect(answerFmtp('packetization-mode=1;profile-level-id=4de01f').mimeType).toBe('video/H264');
  });
});

describe('negotiateCodecs applying an answer (offerer)', () => {
  it('prefers the local codec offered under the answer payload type', () => {
    const local = localCodecs('audio', {
      audio: [
        { mimeType: 'audio/opus', payloadType: 111 },
        {
          mimeType: 'audio/opus',
          clockRate: 48000,
          channels: 2,
          sdpFmtpLine: 'stereo=1',
          payloadType: 112,
        },
      ],
    });
    const answer = section(
      fixture('chromium-audio-video-answer')
        .replaceAll(':111 ', ':112 ')
        .replace(' 111 63', ' 112 63'),
      'audio',
    ).codecs;
    expect(answer[0]?.payloadType).toBe(112);
    expect(byPayloadType(negotiateCodecs(local, answer, 'offerer'), 112).sdpFmtpLine).toBe(
      'stereo=1',
    );
    // Answering, the first of our matching codecs is used.
    expect(byPayloadType(negotiateCodecs(local, answer, 'answerer'), 112).sdpFmtpLine).toBe(
      'minptime=10;useinbandfec=1',
    );
  });
});

describe('negotiateHeaderExtensions (RFC 8285 §7)', () => {
  const uris = (kind: 'audio' | 'video') => localHeaderExtensions(kind).map(({ uri }) => uri);

  it('keeps the Chromium ids of the extensions we support', () => {
    expect(
      negotiateHeaderExtensions(uris('video'), section(CHROMIUM_OFFER, 'video').extensions),
    ).toEqual([
      { id: 2, uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time' },
      { id: 3, uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01' },
      { id: 4, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' },
      { id: 10, uri: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id' },
      { id: 11, uri: 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id' },
      { id: 13, uri: 'urn:3gpp:video-orientation' },
    ]);
  });

  it('keeps Firefox ids that differ from ours', () => {
    const text = fixture('firefox-153-audio-video-offer');
    expect(negotiateHeaderExtensions(uris('audio'), section(text, 'audio').extensions)).toEqual([
      { id: 1, uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level' },
      { id: 3, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' },
      { id: 7, uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01' },
    ]);
    expect(
      negotiateHeaderExtensions(uris('video'), section(text, 'video').extensions).map(
        ({ id }) => id,
      ),
    ).toEqual([3, 4, 7]);
  });
});
