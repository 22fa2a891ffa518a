/**
 * The peer connection interop suite (issue 10): a TypeRTC RTCPeerConnection against a remote
 * peer (Chromium or werift), with signaling through the test process. Every connection checks
 * the remote fingerprint; one test proves a wrong one stops it.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { type RTCDataChannel, RTCPeerConnection } from '../../packages/peerconnection/src/index.js';
import { nextChannel, opened, until } from '../../packages/peerconnection/test/pair-helpers.js';
import {
  patternByte,
  type RemoteChannelInfo,
  type RemotePeer,
  waitForRemote,
} from './remote-peer.js';
import { collect, corruptFingerprint, Session } from './session.js';

/** A 256 KiB message: the largest Chromium and TypeRTC announce (a=max-message-size). */
const LARGE_MESSAGE = 256 * 1024;

function pattern(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = patternByte(i, seed);
  return bytes;
}

function bytesOf(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (data instanceof Uint8Array) return data;
  throw new Error(`expected binary data, got ${typeof data}`);
}

function remoteChannelOpen(remote: RemotePeer, label: string): Promise<unknown> {
  return waitForRemote(
    remote,
    (event) => event.type === 'channel-open' && event.label === label,
    `${label} to open`,
  );
}

function connected(session: Session): Promise<unknown> {
  return Promise.all([
    until(session.typertc, 'connectionstatechange', () => {
      return session.typertc.connectionState === 'connected';
    }),
    waitForRemote(
      session.remote,
      (event) => event.type === 'connectionstatechange' && event.state === 'connected',
      'connectionState connected',
    ),
  ]);
}

/** The remote side's a=max-message-size, or 65536 when absent (RFC 8841 §6). */
function maxMessageSizeOf(sdp: string): number {
  const match = /a=max-message-size:(\d+)/.exec(sdp);
  return match === null ? 65536 : Number(match[1]);
}

function ufragOf(sdp: string | undefined): string {
  return /a=ice-ufrag:(\S+)/.exec(sdp ?? '')?.[1] ?? '';
}

/**
 * Data both ways on a connected session: an echo channel from TypeRTC (string, empty string,
 * empty and patterned binary, 256 KiB, 1,000 messages in order) and a channel from the remote
 * peer (1,000 strings in order and 256 KiB of binary to TypeRTC).
 */
async function exchangeData(
  session: Session,
  echo: RTCDataChannel,
  options: InteropOptions,
): Promise<void> {
  const { typertc, remote } = session;
  echo.binaryType = 'arraybuffer';
  // The remote peer's a=max-message-size bounds what TypeRTC may send (werift takes 64 KiB).
  const large = Math.min(LARGE_MESSAGE, typertc.sctp?.maxMessageSize ?? 0);
  if (options.remoteSendsEmptyMessages) {
    const empties = collect(echo, 2);
    echo.send('');
    echo.send(new Uint8Array(0));
    const [empty, emptyBinary] = await empties;
    expect(empty).toBe('');
    expect(bytesOf(emptyBinary).byteLength).toBe(0);
  }
  const singles = collect(echo, 3);
  echo.send('hello from TypeRTC');
  echo.send(pattern(1000, 1));
  echo.send(pattern(large, 2));
  const [text, small, largeEcho] = await singles;
  expect(text).toBe('hello from TypeRTC');
  expect(bytesOf(small)).toEqual(pattern(1000, 1));
  expect(bytesOf(largeEcho)).toEqual(pattern(large, 2));

  const ordered = collect(echo, 1000);
  for (let i = 0; i < 1000; i++) echo.send(`m${i}`);
  expect(await ordered).toEqual(Array.from({ length: 1000 }, (_, i) => `m${i}`));

  const announced = nextChannel(typertc);
  await remote.createDataChannel('from-remote');
  const fromRemote = await announced;
  fromRemote.binaryType = 'arraybuffer';
  // Open here once our DATA_CHANNEL_ACK is sent; there, once it has arrived (RFC 8832 §6).
  await Promise.all([opened(fromRemote), remoteChannelOpen(remote, 'from-remote')]);
  expect(fromRemote.label).toBe('from-remote');
  const sequence = collect(fromRemote, 1001);
  await remote.sendSequence('from-remote', 'r', 1000);
  await remote.sendPattern('from-remote', LARGE_MESSAGE, 3);
  const received = await sequence;
  expect(received.slice(0, 1000)).toEqual(Array.from({ length: 1000 }, (_, i) => `r${i}`));
  expect(bytesOf(received[1000])).toEqual(pattern(LARGE_MESSAGE, 3));
}

/** What differs between remote peers: checks that only apply to some. */
export interface InteropOptions {
  /** The remote's `sctp.maxMessageSize` follows our a=max-message-size (W3C §6.1.1). */
  readonly remoteReadsMaxMessageSize: boolean;
  /**
   * The remote sends an empty message as RFC 8831 §6.6 says (PPID 56/57 with one zero byte).
   * werift sends a DATA chunk with no user data, which RFC 9260 §6.2 makes the receiver abort.
   */
  readonly remoteSendsEmptyMessages: boolean;
  /**
   * The remote, polite in a glare, picks its data channel ids from its DTLS role after rolling
   * its offer back (RFC 8832 §6). werift picks them from its ICE role instead, which a role
   * conflict after the rollback may leave controlling: its channel then takes an id of ours.
   */
  readonly remoteSurvivesPoliteRollback: boolean;
}

export function peerConnectionInterop(
  name: string,
  openRemote: () => Promise<RemotePeer>,
  options: InteropOptions,
): void {
  const sessions: Session[] = [];
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((session) => session.close()));
  });

  async function session(): Promise<Session> {
    const s = new Session(new RTCPeerConnection(), await openRemote());
    sessions.push(s);
    return s;
  }

  describe(`RTCPeerConnection with ${name}`, () => {
    it(`TypeRTC offers, ${name} answers: trickle both ways, data both ways`, async () => {
      const s = await session();
      const echo = s.typertc.createDataChannel('echo');
      await s.negotiate('typertc');
      await Promise.all([connected(s), opened(echo), remoteChannelOpen(s.remote, 'echo')]);
      expect(s.trickled.toRemote).toBeGreaterThan(0);
      expect(s.trickled.toTypertc).toBeGreaterThan(0);
      const remoteSdp = s.typertc.remoteDescription?.sdp ?? '';
      expect(s.typertc.sctp?.maxMessageSize).toBe(maxMessageSizeOf(remoteSdp));
      if (options.remoteReadsMaxMessageSize) {
        expect((await s.remote.state()).maxMessageSize).toBe(LARGE_MESSAGE);
      }
      await exchangeData(s, echo, options);
      expect(s.candidateErrors).toEqual([]);

      // Both sides' getStats() tell the same handshake: cipher suite and SRTP profile.
      const ours = [...(await s.typertc.getStats()).values()];
      const theirs = await s.remote.stats();
      const transport = ours.find((entry) => entry.type === 'transport') as
        | Record<string, unknown>
        | undefined;
      const remoteTransport = theirs.find((entry) => entry.type === 'transport');
      expect(transport?.dtlsState).toBe('connected');
      if (remoteTransport?.dtlsCipher !== undefined) {
        expect(transport?.dtlsCipher).toBe(remoteTransport.dtlsCipher);
      }
      if (remoteTransport?.srtpCipher !== undefined) {
        // libwebrtc names profiles as libsrtp does (AEAD_AES_128_GCM), we as IANA does.
        expect(String(transport?.srtpCipher)).toContain(String(remoteTransport.srtpCipher));
      }
      const channelStats = ours.find(
        (entry) => entry.type === 'data-channel' && entry.label === 'echo',
      );
      expect(channelStats).toMatchObject({ state: 'open' });
      expect((channelStats as { messagesSent: number }).messagesSent).toBeGreaterThanOrEqual(1003);
    });

    it(`${name} offers, TypeRTC answers: trickle both ways, data both ways`, async () => {
      const s = await session();
      await s.remote.createDataChannel('echo');
      const announced = nextChannel(s.typertc);
      await s.negotiate('remote');
      const echo = await announced;
      await Promise.all([connected(s), opened(echo)]);
      expect(s.typertc.localDescription?.sdp).toContain('a=setup:active');
      expect(s.trickled.toRemote).toBeGreaterThan(0);
      expect(s.trickled.toTypertc).toBeGreaterThan(0);
      await exchangeData(s, echo, options);
      expect(s.candidateErrors).toEqual([]);
    });

    it('unordered, partially reliable and negotiated channels, from either side', async () => {
      const s = await session();
      const channels = [
        s.typertc.createDataChannel('echo-unordered', { ordered: false }),
        s.typertc.createDataChannel('echo-rtx', { maxRetransmits: 0, protocol: 'chat' }),
        s.typertc.createDataChannel('echo-lifetime', { ordered: false, maxPacketLifeTime: 500 }),
      ];
      const negotiated = s.typertc.createDataChannel('ours', { negotiated: true, id: 9 });
      await s.remote.createDataChannel('echo-negotiated', { negotiated: true, id: 9 });
      await s.negotiate('typertc');
      await Promise.all([connected(s), ...channels.map(opened), opened(negotiated)]);

      // DCEP (RFC 8832 §5.1) as the remote peer read it.
      const info = (label: string): Promise<RemoteChannelInfo> =>
        waitForRemote(
          s.remote,
          (event) => event.type === 'datachannel' && event.label === label,
          `datachannel ${label}`,
        ) as Promise<RemoteChannelInfo>;
      expect(await info('echo-unordered')).toMatchObject({ ordered: false });
      expect(await info('echo-rtx')).toMatchObject({ maxRetransmits: 0, protocol: 'chat' });
      expect(await info('echo-lifetime')).toMatchObject({ ordered: false, maxPacketLifeTime: 500 });

      for (const channel of [...channels, negotiated]) {
        const echoes = collect(channel, 100);
        for (let i = 0; i < 100; i++) channel.send(`${channel.label}-${i}`);
        // Loopback loses nothing, so every message comes back; unordered ones in any order.
        const expected = Array.from({ length: 100 }, (_, i) => `${channel.label}-${i}`);
        expect([...(await echoes)].sort()).toEqual([...expected].sort());
      }

      // From the remote side: one partially reliable, one unordered (werift cannot encode both
      // in one DATA_CHANNEL_OPEN: it drops the unordered bit).
      const announced = nextChannel(s.typertc);
      await s.remote.createDataChannel('remote-partial', { maxRetransmits: 2, protocol: 'p' });
      const partial = await announced;
      const announcedUnordered = nextChannel(s.typertc);
      await s.remote.createDataChannel('remote-unordered', { ordered: false });
      const unordered = await announcedUnordered;
      expect(unordered.ordered).toBe(false);
      expect(unordered.maxRetransmits).toBe(null);
      expect(partial.ordered).toBe(true);
      expect(partial.maxRetransmits).toBe(2);
      expect(partial.maxPacketLifeTime).toBe(null);
      expect(partial.protocol).toBe('p');
    });

    it(`close from either side: ${name} sees TypeRTC's, TypeRTC sees ${name}'s (stream reset)`, async () => {
      const s = await session();
      const ours = s.typertc.createDataChannel('ours');
      await s.remote.createDataChannel('theirs', { negotiated: true, id: 20 });
      const theirs = s.typertc.createDataChannel('theirs', { negotiated: true, id: 20 });
      await s.negotiate('typertc');
      await Promise.all([opened(ours), opened(theirs), remoteChannelOpen(s.remote, 'ours')]);

      const closedHere = new Promise((resolve) => theirs.addEventListener('close', resolve));
      await s.remote.closeChannel('theirs');
      await closedHere;
      expect(theirs.readyState).toBe('closed');

      ours.close();
      await waitForRemote(
        s.remote,
        (event) => event.type === 'channel-close' && event.label === 'ours',
        'ours to close',
      );
      expect(s.typertc.connectionState).toBe('connected');
    });

    for (const restarter of ['typertc', 'remote'] as const) {
      const who = restarter === 'typertc' ? 'TypeRTC' : name;
      it(`ICE restart from ${who} during a transfer loses nothing`, async () => {
        const s = await session();
        const echo = s.typertc.createDataChannel('echo');
        await s.negotiate('typertc');
        await Promise.all([connected(s), opened(echo)]);
        const ufragBefore = ufragOf(s.typertc.localDescription?.sdp);
        const remoteUfragBefore = ufragOf(s.typertc.remoteDescription?.sdp);

        const total = 600;
        const echoes = collect(echo, total, 12_000);
        let sent = 0;
        const sending = (async () => {
          while (sent < total) {
            for (let i = 0; i < 20; i++) echo.send(`x${sent++}`);
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        })();
        if (restarter === 'typertc') s.typertc.restartIce();
        else await s.remote.restartIce();
        await s.negotiate(restarter);
        await sending;
        expect(await echoes).toEqual(Array.from({ length: total }, (_, i) => `x${i}`));
        expect(ufragOf(s.typertc.localDescription?.sdp)).not.toBe(ufragBefore);
        expect(ufragOf(s.typertc.remoteDescription?.sdp)).not.toBe(remoteUfragBefore);
        expect(s.typertc.connectionState).toBe('connected');
      });
    }

    for (const typertcPolite of [true, false]) {
      const skip = !typertcPolite && !options.remoteSurvivesPoliteRollback;
      it.skipIf(skip)(
        `perfect negotiation with glare, TypeRTC ${typertcPolite ? 'polite' : 'impolite'}`,
        async () => {
          const s = await session();
          const errors: string[] = [];
          await s.perfectNegotiation(typertcPolite, errors);
          // Both sides want the data m-line at once: both offer before either offer arrives.
          s.holdSignals();
          const ours = s.typertc.createDataChannel('echo-typertc');
          await s.remote.createDataChannel('echo-remote');
          const announced = nextChannel(s.typertc);
          await until(s.typertc, 'signalingstatechange', () => {
            return s.typertc.signalingState === 'have-local-offer';
          });
          await waitForRemote(
            s.remote,
            (event) => event.type === 'description' && event.description.type === 'offer',
            'its offer',
          );
          s.releaseSignals();
          const theirs = await announced;
          await Promise.all([connected(s), opened(ours), opened(theirs)]);
          expect(theirs.label).toBe('echo-remote');
          // Glare: both offered while the signals were held (werift, polite, offers again once
          // stable: it still counts its channel as unnegotiated after the rollback).
          expect(s.offersSent.typertc).toBe(1);
          expect(s.offersSent.remote).toBeGreaterThanOrEqual(1);
          const echoed = collect(ours, 1);
          ours.send('after glare');
          expect(await echoed).toEqual(['after glare']);
          expect(s.typertc.signalingState).toBe('stable');
          expect((await s.remote.state()).signalingState).toBe('stable');
          expect(errors).toEqual([]);
        },
      );
    }

    it(`a wrong fingerprint in ${name}'s SDP: TypeRTC refuses to connect`, async () => {
      const s = await session();
      const dtlsErrors: string[] = [];
      s.typertc.createDataChannel('never');
      await s.negotiate('typertc', { toTypertc: corruptFingerprint });
      s.typertc.sctp?.transport.addEventListener('error', (event) => {
        dtlsErrors.push((event as unknown as { error: { errorDetail: string } }).error.errorDetail);
      });
      await until(s.typertc, 'connectionstatechange', () => s.typertc.connectionState === 'failed');
      expect(dtlsErrors).toEqual(['fingerprint-failure']);
    });

    it(`a wrong fingerprint in TypeRTC's SDP: ${name} refuses to connect`, async () => {
      const s = await session();
      await s.remote.createDataChannel('never');
      await s.negotiate('remote', { toRemote: corruptFingerprint });
      await waitForRemote(
        s.remote,
        (event) => event.type === 'connectionstatechange' && event.state === 'failed',
        'connectionState failed',
      );
      expect(s.typertc.connectionState).not.toBe('connected');
    });
  });
}
