/** RTP demultiplexing within a BUNDLE group (RFC 8843 §9.2; RFC 8852 for RIDs). */

import {
  RtpPacket,
  SDES_MID_URI,
  SDES_REPAIRED_RTP_STREAM_ID_URI,
  SDES_RTP_STREAM_ID_URI,
} from '@typertc/rtp-rtcp';
import { describe, expect, it } from 'vitest';
import { type DemuxSection, RtpDemuxer } from '../src/media/rtp-demuxer.js';

const EXTENSIONS = new Map([
  [1, SDES_MID_URI],
  [2, SDES_RTP_STREAM_ID_URI],
  [3, SDES_REPAIRED_RTP_STREAM_ID_URI],
]);

const audio: DemuxSection<string> = { mid: '0', target: 'audio', payloadTypes: [111, 0] };
const video: DemuxSection<string> = {
  mid: '1',
  target: 'video',
  payloadTypes: [96, 97, 98],
  rtxPayloadTypes: [97],
};
const screen: DemuxSection<string> = {
  mid: '2',
  target: 'screen',
  payloadTypes: [96, 97],
  rtxPayloadTypes: [97],
  ssrcs: [5555],
};

function packet(
  ssrc: number,
  payloadType: number,
  extensions: { mid?: string; rid?: string; rrid?: string } = {},
): RtpPacket {
  const p = new RtpPacket({ ssrc, payloadType, sequenceNumber: 1 });
  const text = new TextEncoder();
  if (extensions.mid !== undefined) p.extensions.set(1, text.encode(extensions.mid));
  if (extensions.rid !== undefined) p.extensions.set(2, text.encode(extensions.rid));
  if (extensions.rrid !== undefined) p.extensions.set(3, text.encode(extensions.rrid));
  return p;
}

function demuxer(sections = [audio, video, screen]): RtpDemuxer<string> {
  const d = new RtpDemuxer<string>();
  d.configure(sections, EXTENSIONS);
  return d;
}

describe('RtpDemuxer', () => {
  it('routes by MID and binds the SSRC for the packets that come without it', () => {
    const d = demuxer();
    expect(d.route(packet(1000, 96, { mid: '1' })).target).toBe('video');
    expect(d.route(packet(1000, 96)).target).toBe('video');
    // PT 96 alone is ambiguous (video and screen both have it): no binding, no route.
    expect(d.route(packet(2000, 96)).target).toBeUndefined();
  });

  it('routes an SSRC the remote description announced, and a payload type only one section has', () => {
    const d = demuxer();
    expect(d.route(packet(5555, 96)).target).toBe('screen');
    expect(d.route(packet(3000, 111)).target).toBe('audio');
    expect(d.route(packet(3000, 0)).target).toBe('audio'); // bound by the first packet
    expect(d.route(packet(4000, 120)).target).toBeUndefined(); // nobody's payload type
  });

  it('drops an unknown MID, and the latest MID rebinds an SSRC', () => {
    const d = demuxer();
    expect(d.route(packet(1000, 96, { mid: '9' })).target).toBeUndefined();
    expect(d.route(packet(1000, 96, { mid: '1' })).target).toBe('video');
    expect(d.route(packet(1000, 96, { mid: '2' })).target).toBe('screen');
    expect(d.route(packet(1000, 96)).target).toBe('screen');
  });

  it('names simulcast streams by RID, remembered per SSRC, and tells repairs apart', () => {
    const d = demuxer();
    const high = d.route(packet(10, 96, { mid: '1', rid: 'h' }));
    expect([high.target, high.rid, high.repair]).toEqual(['video', 'h', false]);
    expect(d.route(packet(10, 96)).rid).toBe('h');
    const low = d.route(packet(11, 96, { mid: '1', rid: 'l' }));
    expect(low.rid).toBe('l');
    // RTX for the high stream: repaired-rtp-stream-id and the RTX payload type.
    const repair = d.route(packet(20, 97, { mid: '1', rrid: 'h' }));
    expect([repair.target, repair.rid, repair.repair]).toEqual(['video', 'h', true]);
    const later = d.route(packet(20, 97));
    expect([later.rid, later.repair]).toEqual(['h', true]);
    // An RTX payload type alone is a repair too.
    expect(d.route(packet(21, 97, { mid: '1' })).repair).toBe(true);
  });

  it('forgets the SSRCs of a section a renegotiation removed, and keeps the others', () => {
    const d = demuxer();
    d.route(packet(1000, 96, { mid: '1' }));
    d.route(packet(3000, 111, { mid: '0' }));
    d.configure([audio], EXTENSIONS);
    expect(d.route(packet(1000, 96)).target).toBeUndefined();
    expect(d.route(packet(3000, 111)).target).toBe('audio');
  });

  it('hands back one result object, reused for every packet', () => {
    const d = demuxer();
    const first = d.route(packet(3000, 111));
    const second = d.route(packet(1000, 96, { mid: '1' }));
    expect(second).toBe(first);
  });
});
