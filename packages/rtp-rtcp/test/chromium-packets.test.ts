/**
 * Real RTP and RTCP packets from Chromium 156 (see `capture-chromium-packets.ts`): every fixture
 * must parse and re-serialize byte for byte, and what we decode must agree with tshark's
 * independent decode, written into each fixture's description at capture time.
 */

import { readFileSync } from 'node:fs';
import type { ExtensionMap } from '@typertc/common';
import { describe, expect, it } from 'vitest';
import { parseRtcp, type RtcpPacket, serializeRtcp } from '../src/rtcp/compound.js';
import { TransportWideCc, TwccStatus } from '../src/rtcp/transport-wide-cc.js';
import { getExtension } from '../src/rtp/extension-access.js';
import {
  ABS_SEND_TIME_URI,
  SDES_MID_URI,
  SSRC_AUDIO_LEVEL_URI,
  TRANSPORT_WIDE_CC_URI,
} from '../src/rtp/extension-uris.js';
import { RtpPacket } from '../src/rtp/packet.js';

interface Fixture {
  description: string;
  session: 'twcc' | 'remb';
  frame: number;
  hex: string;
}

interface FixtureFile {
  origin: string;
  packets: Fixture[];
}

interface Session {
  extmap: ExtensionMap;
  payloadTypes: Map<number, string>;
  mids: Set<string>;
  offererSsrcs: Set<number>;
  answererSsrcs: Set<number>;
}

const read = (name: string): string =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const rtpFile = JSON.parse(read('chromium-rtp.json')) as FixtureFile;
const rtcpFile = JSON.parse(read('chromium-rtcp.json')) as FixtureFile;

function session(offerName: string, answerName: string): Session {
  const offer = read(offerName);
  const ssrcs = (sdp: string) =>
    new Set([...sdp.matchAll(/^a=ssrc:(\d+) /gm)].map((m) => Number(m[1])));
  return {
    extmap: new Map(
      [...offer.matchAll(/^a=extmap:(\d+) (\S+)\r$/gm)].map((m) => [Number(m[1]), m[2] ?? '']),
    ),
    payloadTypes: new Map(
      [...offer.matchAll(/^a=rtpmap:(\d+) ([^/]+)\//gm)].map((m) => [Number(m[1]), m[2] ?? '']),
    ),
    mids: new Set([...offer.matchAll(/^a=mid:(\S+)\r$/gm)].map((m) => m[1] ?? '')),
    offererSsrcs: ssrcs(offer),
    answererSsrcs: ssrcs(read(answerName)),
  };
}

const sessions = {
  twcc: session('chromium-rtp-session.sdp', 'chromium-rtp-session-answer.sdp'),
  remb: session('chromium-remb-session.sdp', 'chromium-remb-session-answer.sdp'),
};

const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));
const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** A number the capture script wrote into a description after `label`, e.g. "seq 123". */
function numberAfter(text: string, label: string): number | undefined {
  const match = new RegExp(`${label} (\\d+)`).exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function transportSeq(packet: RtpPacket, s: Session): number | undefined {
  return getExtension(packet, s.extmap, TRANSPORT_WIDE_CC_URI);
}

describe('Chromium fixtures', () => {
  it('come from the stated capture and cover both sessions', () => {
    for (const file of [rtpFile, rtcpFile]) {
      expect(file.origin).toMatch(/^Chromium 156\.\d+\.\d+\.\d+, captured with tcpdump/);
      expect(file.origin).toContain('--disable-webrtc-encryption');
      expect(new Set(file.packets.map((p) => p.session))).toEqual(new Set(['twcc', 'remb']));
    }
    expect(rtpFile.packets.length).toBeGreaterThanOrEqual(20);
    expect(rtcpFile.packets.length).toBeGreaterThanOrEqual(15);
    // transport-cc is negotiated in one session only; the other falls back to REMB.
    expect([...sessions.twcc.extmap.values()]).toContain(TRANSPORT_WIDE_CC_URI);
    expect([...sessions.remb.extmap.values()]).not.toContain(TRANSPORT_WIDE_CC_URI);
  });
});

describe('Chromium RTP packets', () => {
  for (const fixture of rtpFile.packets) {
    it(`frame ${fixture.frame}: ${fixture.description}`, () => {
      const s = sessions[fixture.session];
      const wire = bytes(fixture.hex);
      const packet = RtpPacket.parse(wire);
      expect(hexOf(packet.serialize())).toBe(fixture.hex);

      // The fields tshark decoded at capture time.
      const text = fixture.description;
      expect(packet.payloadType).toBe(numberAfter(text, ', PT')); // not RTX's "of PT n"
      expect(packet.sequenceNumber).toBe(numberAfter(text, 'seq'));
      expect(packet.timestamp).toBe(numberAfter(text, 'timestamp'));
      expect(packet.ssrc).toBe(numberAfter(text, 'ssrc'));
      expect(packet.marker).toBe(text.includes(', marker;'));
      expect(s.payloadTypes.has(packet.payloadType)).toBe(true);
      if (text.includes('padding-only')) {
        expect(packet.payload.length).toBe(0);
        expect(packet.paddingLength).toBeGreaterThan(0);
      }

      // Extensions: one-byte form, ids in wire order as tshark listed them, each id negotiated.
      const listed = [...text.matchAll(/\((\d+)\)/g)].map((m) => Number(m[1]));
      const ids = Array.from({ length: packet.extensions.count }, (_, i) =>
        packet.extensions.idAt(i),
      );
      expect(ids).toEqual(listed);
      expect(packet.extensions.usesTwoByteForm).toBe(false);
      for (const id of ids) expect(s.extmap.has(id)).toBe(true);

      // Typed values through the SDP's extmap.
      const tcc = /transport-cc\(\d+\) = (\d+)/.exec(text)?.[1];
      expect(transportSeq(packet, s)).toBe(tcc === undefined ? undefined : Number(tcc));
      const sendTime = getExtension(packet, s.extmap, ABS_SEND_TIME_URI);
      if (ids.length > 0) expect(sendTime).toBeLessThan(2 ** 24);
      const mid = getExtension(packet, s.extmap, SDES_MID_URI);
      if (mid !== undefined) expect(s.mids.has(mid)).toBe(true);
      if (s.payloadTypes.get(packet.payloadType) === 'opus') {
        const level = getExtension(packet, s.extmap, SSRC_AUDIO_LEVEL_URI);
        expect(level?.level).toBeGreaterThanOrEqual(0);
        expect(level?.level).toBeLessThanOrEqual(127);
      }
    });
  }

  it('carries transport-wide sequence numbers that grow per sender, with a +1 run', () => {
    const s = sessions.twcc;
    for (const sender of ['offerer', 'answerer']) {
      const seqs = rtpFile.packets
        .filter((f) => f.session === 'twcc' && f.description.startsWith(`${sender} ->`))
        .map((f) => transportSeq(RtpPacket.parse(bytes(f.hex)), s))
        .filter((x) => x !== undefined);
      expect(seqs.length).toBeGreaterThan(2);
      for (let i = 1; i < seqs.length; i++) {
        expect(seqs[i]).toBeGreaterThan(seqs[i - 1] as number);
      }
    }
    // The capture script adds six consecutive offerer packets (audio and video interleaved).
    const offerer = rtpFile.packets
      .filter((f) => f.session === 'twcc' && f.description.startsWith('offerer ->'))
      .map((f) => transportSeq(RtpPacket.parse(bytes(f.hex)), s) ?? -1);
    const longestRun = offerer.reduce(
      (acc, seq, i) => {
        const run = i > 0 && seq === (offerer[i - 1] as number) + 1 ? acc.run + 1 : 1;
        return { run, best: Math.max(acc.best, run) };
      },
      { run: 0, best: 0 },
    ).best;
    expect(longestRun).toBeGreaterThanOrEqual(6);
  });

  it('has RTP sequence numbers that increase per SSRC in capture order', () => {
    const last = new Map<number, number>();
    for (const f of rtpFile.packets) {
      const packet = RtpPacket.parse(bytes(f.hex));
      const previous = last.get(packet.ssrc);
      if (previous !== undefined) {
        const forward = (packet.sequenceNumber - previous) & 0xffff;
        expect(forward).toBeGreaterThan(0);
        expect(forward).toBeLessThan(0x8000);
      }
      last.set(packet.ssrc, packet.sequenceNumber);
    }
  });
});

/** The description segment of each RTCP packet in a compound, in order. */
const segments = (f: Fixture): string[] => f.description.split(' | ');

function expectMatchesDescription(packet: RtcpPacket, text: string): void {
  if (text.startsWith('SR from')) {
    if (packet.kind !== 'sr') throw new Error(`expected SR, got ${packet.kind}`);
    expect(packet.ssrc).toBe(numberAfter(text, 'SR from'));
    const [, packets, octets, blocks] =
      /\((\d+) packets, (\d+) octets\), (\d+) report/.exec(text) ?? [];
    expect([packet.packetCount, packet.octetCount, packet.reports.length]).toEqual(
      [packets, octets, blocks].map(Number),
    );
  } else if (text.startsWith('RR from')) {
    if (packet.kind !== 'rr') throw new Error(`expected RR, got ${packet.kind}`);
    expect(packet.ssrc).toBe(numberAfter(text, 'RR from'));
    const about = /about ([\d, ]+)$/.exec(text)?.[1]?.split(', ').map(Number) ?? [];
    expect(packet.reports.map((r) => r.ssrc)).toEqual(about);
  } else if (text.startsWith('SDES')) {
    if (packet.kind !== 'sdes') throw new Error(`expected SDES, got ${packet.kind}`);
    const cname = /CNAME "([^"]+)"/.exec(text)?.[1];
    expect(packet.chunks.map((c) => c.items.map((item) => [item.type, item.text]))).toEqual([
      [[1, cname]],
    ]);
  } else if (text.startsWith('XR from')) {
    if (packet.kind !== 'xr') throw new Error(`expected XR, got ${packet.kind}`);
    const listed = (/: (.*)$/.exec(text)?.[1] ?? '').split(', ').map((k) => k.toLowerCase());
    expect(packet.blocks.map((b) => b.kind)).toEqual(listed);
  } else if (text.startsWith('RTPFB NACK')) {
    if (packet.kind !== 'nack') throw new Error(`expected NACK, got ${packet.kind}`);
    expect(packet.senderSsrc).toBe(numberAfter(text, 'from'));
    expect(packet.mediaSsrc).toBe(numberAfter(text, 'for'));
    expect(packet.entries.length).toBe(numberAfter(text, ':'));
    const lost = (/lost seq ([\d, ]+)/.exec(text)?.[1] ?? '').trim().split(', ').map(Number);
    expect([...packet.lostSequenceNumbers()].sort((a, b) => a - b)).toEqual(
      lost.sort((a, b) => a - b),
    );
  } else if (text.startsWith('RTPFB TWCC')) {
    if (!(packet instanceof TransportWideCc)) throw new Error(`expected TWCC, got ${packet.kind}`);
    expect(packet.senderSsrc).toBe(numberAfter(text, 'from'));
    expect(packet.mediaSsrc).toBe(numberAfter(text, 'for'));
    expect(packet.baseSequence).toBe(numberAfter(text, 'base seq'));
    expect(packet.packets.length).toBe(numberAfter(text, 'status count'));
    expect(packet.referenceTime).toBe(numberAfter(text, 'reference time'));
    expect(packet.feedbackCount).toBe(numberAfter(text, 'fb pkt count'));
    const received = packet.packets.filter((p) => p.status !== TwccStatus.NotReceived);
    expect(received.length).toBe(Number(/(\d+) recv deltas/.exec(text)?.[1]));
    packet.packets.forEach((p, i) => {
      expect(p.sequence).toBe((packet.baseSequence + i) & 0xffff);
    });
  } else if (text.startsWith('PSFB PLI')) {
    if (packet.kind !== 'pli') throw new Error(`expected PLI, got ${packet.kind}`);
    expect(packet.senderSsrc).toBe(numberAfter(text, 'from'));
    expect(packet.mediaSsrc).toBe(numberAfter(text, 'for'));
  } else if (text.startsWith('PSFB REMB')) {
    if (packet.kind !== 'remb') throw new Error(`expected REMB, got ${packet.kind}`);
    expect(packet.senderSsrc).toBe(numberAfter(text, 'from'));
    expect(packet.bitrate).toBe(numberAfter(text, ':'));
    expect(packet.ssrcs).toEqual(
      (/bps for ([\d, ]+)$/.exec(text)?.[1] ?? '').split(', ').map(Number),
    );
  } else {
    throw new Error(`no check for "${text}"`);
  }
}

describe('Chromium RTCP packets', () => {
  for (const fixture of rtcpFile.packets) {
    it(`frame ${fixture.frame}: ${fixture.description.slice(0, 160)}`, () => {
      const result = parseRtcp(bytes(fixture.hex));
      expect(result.errors).toEqual([]);
      const texts = segments(fixture);
      expect(result.packets.length).toBe(texts.length);
      result.packets.forEach((packet, i) => {
        expectMatchesDescription(packet, texts[i] ?? '');
      });
      const again = serializeRtcp(result.packets, { padding: result.padding });
      expect(hexOf(again)).toBe(fixture.hex);
    });
  }

  it('includes TWCC feedback of several chunk shapes, from both directions', () => {
    const twcc = rtcpFile.packets.filter((f) => f.description.includes('RTPFB TWCC'));
    expect(twcc.length).toBeGreaterThanOrEqual(5);
    const shapes = new Set(
      twcc
        .flatMap((f) => [...f.description.matchAll(/(run-length|vector)\(([^)]*)\)/g)])
        .map((m) =>
          m[1] === 'vector' ? `vector ${m[2]}` : `run-length ${m[2]?.replace(/ x\d+/, '')}`,
        ),
    );
    expect(shapes).toContain('run-length small delta');
    expect(shapes).toContain('run-length not received');
    expect(shapes).toContain('vector 14 x 1-bit');
    expect(shapes).toContain('vector 7 x 2-bit');
  });

  it('reports, in TWCC feedback, transport-wide sequence numbers seen in the RTP capture', () => {
    const s = sessions.twcc;
    const sent = new Map<string, Map<number, RtpPacket>>();
    for (const f of rtpFile.packets.filter((x) => x.session === 'twcc')) {
      const packet = RtpPacket.parse(bytes(f.hex));
      const seq = transportSeq(packet, s);
      const sender = s.offererSsrcs.has(packet.ssrc) ? 'offerer' : 'answerer';
      if (seq !== undefined) {
        const bySeq = sent.get(sender) ?? new Map<number, RtpPacket>();
        bySeq.set(seq, packet);
        sent.set(sender, bySeq);
      }
    }
    let matched = 0;
    for (const f of rtcpFile.packets.filter((x) => x.description.includes('RTPFB TWCC'))) {
      for (const packet of parseRtcp(bytes(f.hex)).packets) {
        if (!(packet instanceof TransportWideCc)) continue;
        // Feedback goes back to the peer that sent the media SSRC it names.
        const sender = s.offererSsrcs.has(packet.mediaSsrc) ? 'offerer' : 'answerer';
        expect(s.offererSsrcs.has(packet.senderSsrc)).toBe(sender === 'answerer');
        const rtp = sent.get(sender)?.get(packet.baseSequence);
        if (rtp === undefined) continue;
        matched++;
        // The reported packet came from the same peer as the SSRC the feedback names.
        const owner = s.offererSsrcs.has(rtp.ssrc) ? 'offerer' : 'answerer';
        expect(owner).toBe(sender);
        expect(packet.packets[0]?.sequence).toBe(transportSeq(rtp, s));
      }
    }
    expect(matched).toBeGreaterThanOrEqual(5);
  });
});
