/** RTP media sections as JSEP writes and reads them (RFC 8829 §5.2.1, §5.8). */

import { readFileSync } from 'node:fs';
import { type MediaDescription, parse, type SessionDescription, serialize } from '@typertc/sdp';
import { describe, expect, it } from 'vitest';
import {
  answerDirection,
  type MediaSectionParameters,
  mediaSectionAttributes,
  RTP_PROTOCOL,
  readMediaSection,
} from '../src/jsep/media-section.js';

function fixture(name: string): SessionDescription {
  const url = new URL(`../../sdp/test/fixtures/${name}`, import.meta.url);
  return parse(readFileSync(url, 'utf8'));
}

const video: MediaSectionParameters = {
  kind: 'video',
  mid: '1',
  direction: 'sendrecv',
  codecs: [
    {
      payloadType: 96,
      encodingName: 'VP8',
      clockRate: 90000,
      rtcpFeedback: [
        { type: 'nack' },
        { type: 'nack', parameter: 'pli' },
        { type: 'transport-cc' },
      ],
    },
    { payloadType: 97, encodingName: 'rtx', clockRate: 90000, fmtp: 'apt=96', rtcpFeedback: [] },
  ],
  headerExtensions: [
    { id: 3, uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01' },
    { id: 4, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' },
  ],
  msid: { streamIds: ['stream-a'], trackId: 'track-1' },
  source: { ssrc: 1111, rtxSsrc: 2222, cname: 'cname-x' },
  rtcpRsize: true,
};

/** A session holding one media section built from `section`, through text and back. */
function roundTrip(section: MediaSectionParameters): SessionDescription {
  const { formats, attributes } = mediaSectionAttributes(section);
  const media: MediaDescription = {
    kind: section.kind,
    port: 9,
    portCount: undefined,
    protocol: RTP_PROTOCOL,
    formats,
    information: undefined,
    connections: [{ netType: 'IN', addrType: 'IP4', address: '0.0.0.0' }],
    bandwidths: [],
    encryptionKey: undefined,
    attributes,
  };
  const session = fixture('chromium-datachannel-offer.sdp');
  return parse(serialize({ ...session, media: [media] }));
}

describe('media sections', () => {
  it('writes what reads back the same: codecs, feedback, extensions, msid, sources', () => {
    const session = roundTrip(video);
    const media = session.media[0] as MediaDescription;
    expect(media.formats).toEqual(['96', '97']);
    const read = readMediaSection(session, media);
    expect(read?.kind).toBe('video');
    expect(read?.direction).toBe('sendrecv');
    expect(read?.rtcpMux).toBe(true);
    expect(read?.rtcpRsize).toBe(true);
    expect(read?.codecs.map((c) => [c.payloadType, c.name, c.clockRate])).toEqual([
      [96, 'VP8', 90000],
      [97, 'rtx', 90000],
    ]);
    expect(read?.codecs[0]?.feedback).toEqual([
      { type: 'nack', parameter: undefined },
      { type: 'nack', parameter: 'pli' },
      { type: 'transport-cc', parameter: undefined },
    ]);
    expect(read?.codecs[1]?.associatedPayloadType).toBe(96);
    expect(read?.codecs[0]?.rtxPayloadType).toBe(97);
    expect(read?.headerExtensions.map(({ id, uri }) => [id, uri])).toEqual([
      [3, 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01'],
      [4, 'urn:ietf:params:rtp-hdrext:sdes:mid'],
    ]);
    expect(read?.msid).toEqual({ streamIds: ['stream-a'], trackId: 'track-1' });
    expect(read?.sources).toEqual([{ ssrc: 1111, rtxSsrc: 2222, cname: 'cname-x' }]);
  });

  it('writes msid "-" for a track in no stream, and no source for a receive-only section', () => {
    const session = roundTrip({
      ...video,
      direction: 'recvonly',
      msid: { streamIds: [], trackId: 't' },
      source: undefined,
    });
    const read = readMediaSection(session, session.media[0] as MediaDescription);
    expect(read?.direction).toBe('recvonly');
    expect(read?.msid).toEqual({ streamIds: [], trackId: 't' });
    expect(read?.sources).toEqual([]);
  });

  it('reads a Chromium offer: its SSRCs with their RTX partners, and its simulcast RIDs', () => {
    const offer = fixture('chromium-audio-video-offer.sdp');
    const [audio, videoSection] = offer.media.map((m) => readMediaSection(offer, m));
    expect(audio?.sources).toEqual([
      { ssrc: 3803694190, rtxSsrc: undefined, cname: 'I9rjzKYTknvl4kl0' },
    ]);
    expect(videoSection?.sources).toEqual([
      { ssrc: 1161466763, rtxSsrc: 3075861065, cname: 'I9rjzKYTknvl4kl0' },
    ]);
    expect(videoSection?.msid?.trackId).toBe('34ae9129-4119-4bdd-a9ad-b0822e430967');
    const simulcast = fixture('chromium-simulcast-offer.sdp');
    const section = readMediaSection(simulcast, simulcast.media[0] as MediaDescription);
    expect(section?.rids).toEqual([
      { id: 'q', direction: 'send' },
      { id: 'h', direction: 'send' },
      { id: 'f', direction: 'send' },
    ]);
    // A data section is not a media section.
    const data = fixture('chromium-datachannel-offer.sdp');
    expect(readMediaSection(data, data.media[0] as MediaDescription)).toBeUndefined();
  });

  it('answers a direction as RFC 3264 §6.1 has it', () => {
    expect(answerDirection('sendrecv', 'sendrecv')).toBe('sendrecv');
    expect(answerDirection('sendonly', 'sendrecv')).toBe('recvonly');
    expect(answerDirection('recvonly', 'sendrecv')).toBe('sendonly');
    expect(answerDirection('sendrecv', 'recvonly')).toBe('recvonly');
    expect(answerDirection('recvonly', 'recvonly')).toBe('inactive');
    expect(answerDirection('inactive', 'sendrecv')).toBe('inactive');
  });
});
