/**
 * The WHIP/WHEP example: (a) the HTTP exchange of RFC 9725 against the server with fetch, a
 * TypeRTC peer connection making the offers; (b) Chromium publishing its fake camera over WHIP
 * from publish.html and a second page playing it over WHEP from play.html, with trickle ICE, an
 * ICE restart, the publisher's DELETE stopping the player's media and a new publisher resuming.
 */

import { RTCPeerConnection } from '@typertc/peerconnection';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboundStats, launchBrowser, texts, waitFor } from '../shared/testing.js';
import { firstSection } from './sdp-fragment.js';
import { startWhipWhepServer, type WhipWhepServer } from './server.js';

let browser: Browser;
let server: WhipWhepServer;

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startWhipWhepServer(0)]);
});

afterAll(async () => {
  await server?.close();
  await browser?.close();
});

const FRAGMENT = 'application/trickle-ice-sdpfrag';

/** A TypeRTC peer connection's offer: a publisher's (sendonly) or a player's (recvonly). */
async function offer(direction: 'sendonly' | 'recvonly'): Promise<RTCPeerConnection> {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('audio', { direction });
  pc.addTransceiver('video', { direction });
  await pc.setLocalDescription();
  return pc;
}

function post(path: string, body: string, type = 'application/sdp', token?: string) {
  const headers: Record<string, string> = { 'content-type': type };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return fetch(new URL(path, server.url), { method: 'POST', headers, body });
}

function patch(resource: string, body: string, ifMatch?: string, type = FRAGMENT) {
  const headers: Record<string, string> = { 'content-type': type };
  if (ifMatch !== undefined) headers['if-match'] = ifMatch;
  return fetch(resource, { method: 'PATCH', headers, body });
}

describe('examples/whip-whep: HTTP (RFC 9725)', () => {
  it('creates, patches and deletes WHIP and WHEP sessions', { timeout: 20_000 }, async () => {
    const client = await offer('sendonly');
    const sdp = client.localDescription?.sdp ?? '';
    // §4.2: only application/sdp is taken; the endpoint takes POST alone.
    expect((await post('/whip', sdp, 'text/plain')).status).toBe(415);
    const get = await fetch(new URL('/whip', server.url));
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toContain('POST');
    const preflight = await fetch(new URL('/whip', server.url), { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');

    const created = await post('/whip', sdp);
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toBe('application/sdp');
    const location = created.headers.get('location') ?? '';
    expect(location).toMatch(/^\/whip\/[\w-]+$/);
    const etag = created.headers.get('etag') ?? '';
    expect(etag).toMatch(/^".+"$/);
    const answer = await created.text();
    // The full answer: gathering completed before it was sent, so it has our candidates.
    expect(answer).toMatch(/^v=0/);
    expect(answer).toContain('a=candidate:');
    expect(answer).toContain('a=recvonly');
    await client.setRemoteDescription({ type: 'answer', sdp: answer });
    expect(server.publishers).toBe(1);

    // §4.3.2: trickled candidates, with the ETag of the ICE session.
    const resource = new URL(location, server.url).href;
    const { mLine, mid, fragment } = firstSection(sdp);
    const trickle = [
      `a=ice-ufrag:${fragment.ufrag}`,
      `a=ice-pwd:${fragment.pwd}`,
      mLine,
      `a=mid:${mid}`,
      'a=candidate:1 1 udp 2122260223 127.0.0.1 9 typ host',
      'a=end-of-candidates',
      '',
    ].join('\r\n');
    expect((await patch(resource, trickle, etag, 'application/sdp')).status).toBe(415);
    expect((await patch(resource, trickle, etag)).status).toBe(204);
    expect((await patch(resource, trickle, '"stale"')).status).toBe(412);

    // §4.3.3: an ICE restart, If-Match: *, new credentials; ours come back with a new ETag.
    const restart = trickle
      .replace(/a=ice-ufrag:.*/, 'a=ice-ufrag:rstr')
      .replace(/a=ice-pwd:.*/, 'a=ice-pwd:restartedpasswordof24chars');
    const restarted = await patch(resource, restart, '*');
    expect(restarted.status).toBe(200);
    expect(restarted.headers.get('content-type')).toBe(FRAGMENT);
    const newEtag = restarted.headers.get('etag') ?? '';
    expect(newEtag).not.toBe(etag);
    const ours = await restarted.text();
    const before = firstSection(answer).fragment.ufrag;
    expect(ours).toMatch(/^a=ice-ufrag:/);
    expect(ours).not.toContain(`a=ice-ufrag:${before}\r\n`);
    expect(ours).toContain(`a=mid:${mid}`);
    expect(ours).toContain('a=candidate:');
    expect((await patch(resource, trickle, etag)).status).toBe(412);

    // §4.2: DELETE ends the session; its URL is then gone.
    expect((await fetch(resource, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(resource, { method: 'DELETE' })).status).toBe(404);
    expect((await patch(resource, trickle, newEtag)).status).toBe(404);
    expect(server.publishers).toBe(0);
    client.close();

    // WHEP: the same exchange for a player, whose recvonly offer we answer sendonly.
    const player = await offer('recvonly');
    const played = await post('/whep?stream=other', player.localDescription?.sdp ?? '');
    expect(played.status).toBe(201);
    expect(played.headers.get('location')).toMatch(/^\/whep\/[\w-]+$/);
    expect(await played.text()).toContain('a=sendonly');
    expect(server.players).toBe(1);
    const whep = new URL(played.headers.get('location') ?? '', server.url);
    expect((await fetch(whep, { method: 'DELETE' })).status).toBe(200);
    expect(server.players).toBe(0);
    player.close();
  });

  it('asks for the bearer token when one is set (§4.7.1)', async () => {
    const guarded = await startWhipWhepServer(0, { token: 'secret' });
    try {
      const response = await fetch(new URL('/whip', guarded.url), {
        method: 'POST',
        headers: { 'content-type': 'application/sdp' },
        body: 'v=0\r\n',
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    } finally {
      await guarded.close();
    }
  });
});

/** All packets the page has received, audio and video. */
async function packets(page: Page): Promise<number> {
  return (await inboundStats(page)).reduce((sum, s) => sum + s.packetsReceived, 0);
}

async function framesDecoded(page: Page): Promise<number> {
  return (await inboundStats(page)).find((s) => s.kind === 'video')?.framesDecoded ?? 0;
}

function evaluate<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate(expression) as Promise<T>;
}

/** The page's video codec, sent or received: its MIME type and payload type. */
function videoCodec(page: Page, type: 'inbound-rtp' | 'outbound-rtp') {
  return evaluate<{ mimeType: string; payloadType: number } | undefined>(
    page,
    `pc.getStats().then((report) => {
      const rtp = [...report.values()].find((s) => s.type === '${type}' && s.kind === 'video');
      const codec = rtp && report.get(rtp.codecId);
      return codec && { mimeType: codec.mimeType, payloadType: codec.payloadType };
    })`,
  );
}

/** The server's address and port the page's ICE uses now (its selected pair's remote end). */
function selectedRemote(page: Page) {
  return evaluate<string | undefined>(
    page,
    `pc.getStats().then((report) => {
      const transport = [...report.values()].find((s) => s.type === 'transport');
      const pair = transport && report.get(transport.selectedCandidatePairId);
      const remote = pair && report.get(pair.remoteCandidateId);
      return remote && remote.address + ':' + remote.port;
    })`,
  );
}

/**
 * Makes the publish page number VP8 with a payload type Chromium never gives it, as OBS numbers
 * H.264 its own way: the server must renumber the packets for each player (RFC 3264 §6.1).
 */
const RENUMBER_VP8 = String.raw`{
  const setLocal = RTCPeerConnection.prototype.setLocalDescription;
  RTCPeerConnection.prototype.setLocalDescription = async function (description) {
    if (description !== undefined || this.signalingState !== 'stable') {
      return setLocal.call(this, description);
    }
    let { sdp } = await this.createOffer();
    const vp8 = /a=rtpmap:(\d+) VP8\/90000/.exec(sdp)[1];
    let free = 35;
    while (new RegExp('[ :=]' + free + '[ \r]').test(sdp)) free++;
    sdp = sdp
      .replace(new RegExp('(m=video [^\r]*) ' + vp8 + '( |\r)'), '$1 ' + free + '$2')
      .replace(new RegExp('(a=(?:rtpmap|rtcp-fb|fmtp):)' + vp8 + ' ', 'g'), '$1' + free + ' ')
      .replace(new RegExp('apt=' + vp8 + '\r', 'g'), 'apt=' + free + '\r');
    return setLocal.call(this, { type: 'offer', sdp });
  };
}`;

describe('examples/whip-whep: Chromium publishing over WHIP, playing over WHEP', () => {
  it('plays what the publisher sends, until it stops', { timeout: 40_000 }, async () => {
    const publisher = await browser.newPage();
    await publisher.goto(`${server.url}publish.html`, { waitUntil: 'domcontentloaded' });
    await publisher.click('#start');
    await waitFor(
      () => texts(publisher, ['status']),
      ([status]) => status === 'connection: connected',
      'the publisher to connect',
    );
    expect(server.publishers).toBe(1);

    const player = await browser.newPage();
    await player.goto(`${server.url}play.html`, { waitUntil: 'domcontentloaded' });
    const stats = await waitFor(
      () => inboundStats(player),
      (list) =>
        (list.find((s) => s.kind === 'video')?.framesDecoded ?? 0) > 10 &&
        (list.find((s) => s.kind === 'audio')?.packetsReceived ?? 0) > 20,
      'the player to decode the stream',
    );
    expect(stats.length).toBe(2);
    expect(server.players).toBe(1);
    // Both pages trickled their candidates by PATCH (204) after the POST.
    expect(await evaluate<number>(publisher, 'window.client.patches')).toBeGreaterThan(0);
    expect(await evaluate<number>(player, 'window.client.patches')).toBeGreaterThan(0);

    // An ICE restart from the player (§4.3.3): a new ETag, the server's new candidates in use
    // (new sockets, so new ports), and the pictures keep coming.
    const etag = await evaluate<string>(player, 'window.client.etag');
    const path = await selectedRemote(player);
    expect(path).toMatch(/:\d+$/);
    await player.click('#restart');
    await waitFor(
      () => evaluate<string>(player, 'window.client.etag'),
      (now) => now !== etag,
      'the restart to be answered',
    );
    await waitFor(
      () => selectedRemote(player),
      (now) => now !== undefined && now !== path,
      "the player to move to the server's new candidates",
    );
    const atRestart = await framesDecoded(player);
    await waitFor(
      () => framesDecoded(player),
      (frames) => frames > atRestart + 20,
      'frames after the ICE restart',
    );

    // The publisher's session is deleted: the player stays, and its media stops.
    const resource = await evaluate<string>(publisher, 'window.client.resource');
    expect((await fetch(resource, { method: 'DELETE' })).status).toBe(200);
    expect(server.publishers).toBe(0);
    await waitFor(
      () => texts(player, ['media']),
      ([media]) => (media ?? '').startsWith('no media'),
      'the player to see the media stop',
    );
    const stopped = await packets(player);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await packets(player)).toBe(stopped);

    // A new publisher on the same stream, numbering VP8 its own way: the waiting player plays
    // it, from a keyframe, with the payload type the player's answer gave VP8.
    await publisher.addInitScript({ content: RENUMBER_VP8 });
    await publisher.goto(`${server.url}publish.html`, { waitUntil: 'domcontentloaded' });
    await publisher.click('#start');
    const resumedAt = await framesDecoded(player);
    await waitFor(
      () => framesDecoded(player),
      (frames) => frames > resumedAt + 10,
      'the player to play the new publisher',
    );
    const sent = await videoCodec(publisher, 'outbound-rtp');
    const received = await videoCodec(player, 'inbound-rtp');
    expect(sent?.mimeType).toBe('video/VP8');
    expect(received?.mimeType).toBe('video/VP8');
    expect(sent?.payloadType).not.toBe(received?.payloadType);
    // Pages that go away DELETE their sessions (pagehide, keepalive fetch).
    await publisher.goto('about:blank');
    await player.goto('about:blank');
    await waitFor(
      () => server.publishers + server.players,
      (open) => open === 0,
      'the sessions to end with their pages',
    );
    await Promise.all([publisher.close(), player.close()]);
  });
});
