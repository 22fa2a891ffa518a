/**
 * Offers from other stacks (Chromium, Firefox, Safari, Pion, aiortc, Janus, OBS, ex_webrtc...,
 * captured in `@typertc/sdp`'s fixtures) answered by a TypeRTC peer connection, and the same
 * offers mutated line by line: a description is applied and answered, or refused with the
 * W3C's errors (RTCError, DOMException), and never anything else.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { fuzzIterations } from '@typertc/common/testing';
import { RTCError } from '@typertc/sctp';
import { afterAll, describe, expect, it } from 'vitest';
import { RTCPeerConnection } from '../src/index.js';

const FIXTURES = new URL('../../sdp/test/fixtures/', import.meta.url);
const offers = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('-offer.sdp'))
  .map((name) => ({ name, sdp: readFileSync(new URL(name, FIXTURES), 'utf8') }));

const open: RTCPeerConnection[] = [];
afterAll(() => {
  for (const pc of open) pc.close();
});

/** Applies `sdp` as a remote offer and answers it; the error when refused. */
async function answer(sdp: string): Promise<{ answer?: string; error?: unknown }> {
  const pc = new RTCPeerConnection();
  try {
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription();
    return { answer: pc.localDescription?.sdp ?? '' };
  } catch (error) {
    return { error };
  } finally {
    pc.close();
  }
}

function mLines(sdp: string): string[] {
  return sdp.split(/\r?\n/).filter((line) => line.startsWith('m='));
}

describe("other stacks' offers", () => {
  it('has fixtures to answer', () => {
    expect(offers.length).toBeGreaterThan(15);
  });

  for (const { name, sdp } of offers) {
    it(`answers ${name}`, async () => {
      const result = await answer(sdp);
      if (result.error !== undefined) {
        // Only what RFC 8829 §5.8 lets us refuse: a description without a=mid (pre-BUNDLE).
        expect(result.error).toBeInstanceOf(RTCError);
        expect(String(result.error)).toMatch(/a=mid|fingerprint|ice-ufrag/);
        return;
      }
      const ours = result.answer as string;
      const theirs = mLines(sdp);
      const answered = mLines(ours);
      expect(answered.length).toBe(theirs.length);
      answered.forEach((line, i) => {
        expect(line.split(' ')[0]).toBe(theirs[i]?.split(' ')[0]);
      });
      // Every audio/video section with a codec we share is accepted (port 9), not refused.
      const accepted = answered.filter((line) => /^m=(audio|video) 9 /.test(line));
      if (/^m=video [1-9].* (VP8|H264)\/90000/m.test(sdp.replace(/a=rtpmap:\d+ /g, ' '))) {
        expect(accepted.length).toBeGreaterThan(0);
      }
    });
  }
});

/** One random line-level mutation of `sdp`. */
function mutateLines(sdp: string, random: () => number): string {
  const lines = sdp.split('\r\n').filter((line) => line !== '');
  const pick = () => Math.floor(random() * lines.length);
  const edge = ['0', '-1', '65536', '4294967296', '', 'x', '99999999999999999999', '127'];
  switch (Math.floor(random() * 5)) {
    case 0:
      lines.splice(pick(), 1);
      break;
    case 1:
      lines.splice(pick(), 0, lines[pick()] as string);
      break;
    case 2: {
      const at = pick();
      lines[at] = (lines[at] as string).replace(
        /\d+/,
        edge[Math.floor(random() * edge.length)] as string,
      );
      break;
    }
    case 3: {
      const at = pick();
      const line = lines[at] as string;
      lines[at] = line.slice(0, Math.floor(random() * line.length));
      break;
    }
    default: {
      const [i, j] = [pick(), pick()];
      [lines[i], lines[j]] = [lines[j] as string, lines[i] as string];
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

describe('fuzz: mutated remote offers', () => {
  it('fuzz: setRemoteDescription + answer refuse bad offers with W3C errors only', async () => {
    let seed = 0x5eed;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const seeds = offers.filter(({ name }) =>
      /chromium-audio-video|firefox-153-audio|pion|safari/.test(name),
    );
    expect(seeds.length).toBeGreaterThan(2);
    let accepted = 0;
    const iterations = fuzzIterations(400, 20_000);
    for (let i = 0; i < iterations; i++) {
      const seedOffer = seeds[i % seeds.length]?.sdp as string;
      let mutant = seedOffer;
      for (let round = 0; round < 1 + Math.floor(random() * 3); round++) {
        mutant = mutateLines(mutant, random);
      }
      const result = await answer(mutant);
      if (result.error === undefined) {
        accepted++;
        continue;
      }
      const error = result.error;
      if (!(error instanceof RTCError || error instanceof DOMException)) {
        throw new Error(`mutant ${i} raised ${String(error)}\n${mutant}`);
      }
    }
    expect(accepted).toBeGreaterThan(0);
  });
});
