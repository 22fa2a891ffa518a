/**
 * Two TypeRTC peer connections in one process over UDP loopback: offer/answer, trickle ICE,
 * DTLS with fingerprints from the SDP, SCTP and data channels (W3C WebRTC 1.0 §4, §6).
 */

import { createHook } from 'node:async_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { type RTCIceCandidate, RTCPeerConnection } from '../src/index.js';
import {
  messages,
  negotiate,
  nextChannel,
  opened,
  type Pair,
  pair,
  until,
} from './pair-helpers.js';

const pairs: Pair[] = [];
function track(p: Pair): Pair {
  pairs.push(p);
  return p;
}
afterEach(() => {
  for (const p of pairs.splice(0)) p.close();
});

describe('RTCPeerConnection over UDP loopback', () => {
  it('negotiates, connects and fires the state events in order', async () => {
    const { a, b } = track(pair());
    const events: string[] = [];
    for (const type of [
      'signalingstatechange',
      'icegatheringstatechange',
      'iceconnectionstatechange',
      'connectionstatechange',
    ]) {
      a.addEventListener(type, () => {
        const state =
          type === 'signalingstatechange'
            ? a.signalingState
            : type === 'icegatheringstatechange'
              ? a.iceGatheringState
              : type === 'iceconnectionstatechange'
                ? a.iceConnectionState
                : a.connectionState;
        events.push(`${type}:${state}`);
      });
    }
    const candidates: (string | null)[] = [];
    a.addEventListener('icecandidate', (event) => {
      const { candidate } = event as unknown as { candidate: { candidate: string } | null };
      candidates.push(candidate === null ? null : candidate.candidate);
    });
    const channel = a.createDataChannel('chat');
    const negotiationNeeded = new Promise<void>(
      (resolve) => (a.onnegotiationneeded = () => resolve()),
    );
    await negotiationNeeded;
    await negotiate(a, b);
    await opened(channel);
    await until(a, 'connectionstatechange', () => a.connectionState === 'connected');
    await until(a, 'icegatheringstatechange', () => a.iceGatheringState === 'complete');

    expect(events.filter((e) => e.startsWith('signaling'))).toEqual([
      'signalingstatechange:have-local-offer',
      'signalingstatechange:stable',
    ]);
    const connection = events.filter(
      (e) => !e.startsWith('signaling') && !e.startsWith('icegathering'),
    );
    expect(connection.indexOf('iceconnectionstatechange:checking')).toBeLessThan(
      connection.indexOf('connectionstatechange:connecting'),
    );
    // W3C §4.3.3: connected once ICE is connected and DTLS too, so after ICE's connected.
    expect(connection.indexOf('iceconnectionstatechange:connected')).toBeLessThan(
      connection.indexOf('connectionstatechange:connected'),
    );
    expect(connection.filter((e) => e.startsWith('connectionstatechange'))).toEqual([
      'connectionstatechange:connecting',
      'connectionstatechange:connected',
    ]);
    // Trickle: host candidates, the transport's empty end-of-candidates, then null.
    expect(candidates.filter((c) => c !== null && c !== '').length).toBeGreaterThan(0);
    expect(candidates.slice(-2)).toEqual(['', null]);
    expect(a.localDescription?.sdp).toContain('a=end-of-candidates');
    expect(a.sctp?.state).toBe('connected');
    expect(a.sctp?.maxMessageSize).toBe(262_144);
    expect(a.sctp?.transport.state).toBe('connected');
    expect(a.sctp?.transport.iceTransport.getSelectedCandidatePair()).not.toBeNull();
    expect(a.currentLocalDescription?.type).toBe('offer');
    expect(b.currentLocalDescription?.type).toBe('answer');
    expect(a.pendingLocalDescription).toBeNull();
  });

  it('carries strings, binary, empty and 256 KiB messages both ways', async () => {
    const { a, b } = track(pair());
    const channel = a.createDataChannel('data');
    const remote = nextChannel(b);
    await negotiate(a, b);
    const theirs = await remote;
    await opened(channel);
    expect(theirs.label).toBe('data');

    const big = new Uint8Array(262_144).map((_, i) => (i * 31) & 0xff);
    const atB = messages(theirs, 5);
    channel.send('hello');
    channel.send(new Uint8Array([1, 2, 3]));
    channel.send('');
    channel.send(new Uint8Array(0));
    channel.send(big);
    const [text, binary, emptyText, emptyBinary, large] = await atB;
    expect(text).toBe('hello');
    expect(new Uint8Array(binary as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]));
    expect(emptyText).toBe('');
    expect((emptyBinary as ArrayBuffer).byteLength).toBe(0);
    expect(new Uint8Array(large as ArrayBuffer)).toEqual(big);

    const atA = messages(channel, 1);
    theirs.send('back');
    expect(await atA).toEqual(['back']);
  });

  it('opens unordered, partially reliable and negotiated channels', async () => {
    const { a, b } = track(pair());
    const unordered = a.createDataChannel('u', { ordered: false });
    const partial = a.createDataChannel('p', { maxRetransmits: 0 });
    const timed = a.createDataChannel('t', { maxPacketLifeTime: 500 });
    const negotiatedA = a.createDataChannel('n', { negotiated: true, id: 42 });
    const negotiatedB = b.createDataChannel('n', { negotiated: true, id: 42 });
    const remote: string[] = [];
    b.ondatachannel = (event) => {
      remote.push(
        `${event.channel.label}:${event.channel.ordered}:${event.channel.maxRetransmits}:${event.channel.maxPacketLifeTime}`,
      );
    };
    await negotiate(a, b);
    await Promise.all([unordered, partial, timed, negotiatedA, negotiatedB].map(opened));
    await until(b, 'datachannel', () => remote.length === 3);
    expect(remote.sort()).toEqual(['p:true:0:null', 't:true:null:500', 'u:false:null:null']);
    const atB = messages(negotiatedB, 1);
    negotiatedA.send('pre-agreed');
    expect(await atB).toEqual(['pre-agreed']);
  });

  it('adds channels after the first negotiation without renegotiating', async () => {
    const { a, b } = track(pair());
    const first = a.createDataChannel('first');
    await negotiate(a, b);
    await opened(first);
    let needed = 0;
    a.onnegotiationneeded = () => needed++;
    const remote = nextChannel(b);
    const second = b.createDataChannel('from-b');
    const theirs = await nextChannel(a);
    void remote;
    await opened(second);
    expect(theirs.label).toBe('from-b');
    // Data channels after the first ride on the negotiated SCTP association (W3C §4.7.3).
    await new Promise((resolve) => setImmediate(resolve));
    expect(needed).toBe(0);
  });

  it('closes a channel from either side; the other sees close', async () => {
    const { a, b } = track(pair());
    const channel = a.createDataChannel('bye');
    const remote = nextChannel(b);
    await negotiate(a, b);
    const theirs = await remote;
    await opened(channel);
    const closed = new Promise<void>((resolve) => (channel.onclose = () => resolve()));
    theirs.close();
    await closed;
    expect(channel.readyState).toBe('closed');
  });

  it("sees the peer's close(): its ABORT closes the channels and the SCTP transport at once", async () => {
    const { a, b } = track(pair());
    const channel = a.createDataChannel('until-the-end');
    await negotiate(a, b);
    await opened(channel);
    const closed = new Promise<void>((resolve) => (channel.onclose = () => resolve()));
    const started = Date.now();
    b.close();
    await closed;
    // Not the 30 s of consent expiry (RFC 7675): the ABORT (RFC 9260 §9.1) and close_notify
    // left before b's socket closed.
    expect(Date.now() - started).toBeLessThan(2000);
    expect(a.sctp?.state).toBe('closed');
    // W3C §4.3.3: a closed DTLS transport beside a connected ICE transport is still connected.
    expect(a.connectionState).toBe('connected');
  });

  it('renegotiates after the peer restarts ICE, and data still flows', async () => {
    const { a, b } = track(pair());
    const channel = a.createDataChannel('restart');
    const remote = nextChannel(b);
    await negotiate(a, b);
    const theirs = await remote;
    await opened(channel);
    const ufragBefore = a.sctp?.transport.iceTransport.getLocalParameters()?.usernameFragment;
    a.restartIce();
    await negotiate(a, b);
    const ufragAfter = a.sctp?.transport.iceTransport.getLocalParameters()?.usernameFragment;
    expect(ufragAfter).not.toBe(ufragBefore);
    const atB = messages(theirs, 100);
    for (let i = 0; i < 100; i++) channel.send(`m${i}`);
    expect(await atB).toEqual(Array.from({ length: 100 }, (_, i) => `m${i}`));
  });

  it('rolling back an offer that restarts ICE restores the old credentials, pair and candidates', async () => {
    const { a, b } = track(pair());
    const channel = a.createDataChannel('undo');
    const remote = nextChannel(b);
    await negotiate(a, b);
    const theirs = await remote;
    await opened(channel);
    const ice = a.sctp?.transport.iceTransport;
    const before = a.localDescription?.sdp ?? '';
    const ufragOf = (sdp: string) => /a=ice-ufrag:(\S+)/.exec(sdp)?.[1];
    a.restartIce();
    await a.setLocalDescription();
    expect(ufragOf(a.localDescription?.sdp ?? '')).not.toBe(ufragOf(before));
    expect(ice?.getLocalParameters()?.usernameFragment).not.toBe(ufragOf(before));

    const renegotiate = new Promise<void>((resolve) => (a.onnegotiationneeded = () => resolve()));
    await a.setLocalDescription({ type: 'rollback' });
    expect(a.signalingState).toBe('stable');
    // The old generation again: credentials, candidates, and the pair carrying data.
    expect(ice?.getLocalParameters()?.usernameFragment).toBe(ufragOf(before));
    expect(a.localDescription?.sdp).toBe(before);
    const atB = messages(theirs, 50);
    for (let i = 0; i < 50; i++) channel.send(`after rollback ${i}`);
    expect(await atB).toEqual(Array.from({ length: 50 }, (_, i) => `after rollback ${i}`));
    // restartIce() asked for a restart, which the rollback did not carry out: asked again.
    await renegotiate;
    await negotiate(a, b);
    expect(ufragOf(a.localDescription?.sdp ?? '')).not.toBe(ufragOf(before));
    const again = messages(theirs, 1);
    channel.send('after the real restart');
    expect(await again).toEqual(['after the real restart']);
  });

  it('perfect negotiation: glare resolved by the polite peer rolling back', async () => {
    const a = new RTCPeerConnection();
    const b = new RTCPeerConnection();
    track({
      a,
      b,
      close() {
        a.close();
        b.close();
      },
    });
    // The W3C perfect negotiation pattern, b polite.
    const peers = [
      { pc: a, other: b, polite: false, makingOffer: false },
      { pc: b, other: a, polite: true, makingOffer: false },
    ];
    const signal = async (
      to: RTCPeerConnection,
      message: { description?: unknown; candidate?: unknown },
    ) => {
      const peer = peers.find((p) => p.pc === to) as (typeof peers)[number];
      if (message.description !== undefined) {
        const description = message.description as { type: 'offer' | 'answer'; sdp: string };
        const collision =
          description.type === 'offer' && (peer.makingOffer || peer.pc.signalingState !== 'stable');
        if (collision && !peer.polite) return;
        await peer.pc.setRemoteDescription(description);
        if (description.type === 'offer') {
          await peer.pc.setLocalDescription();
          await signal(peer.other, { description: peer.pc.localDescription?.toJSON() });
        }
      } else if (message.candidate !== undefined) {
        await peer.pc.addIceCandidate(message.candidate as never).catch(() => {});
      }
    };
    for (const peer of peers) {
      peer.pc.onicecandidate = (event) => void signal(peer.other, { candidate: event.candidate });
      peer.pc.onnegotiationneeded = async () => {
        peer.makingOffer = true;
        await peer.pc.setLocalDescription();
        peer.makingOffer = false;
        await signal(peer.other, { description: peer.pc.localDescription?.toJSON() });
      };
    }
    // Both create a channel at once: both want to offer.
    const fromA = a.createDataChannel('a');
    const fromB = b.createDataChannel('b');
    await Promise.all([opened(fromA), opened(fromB)]);
    expect([a.signalingState, b.signalingState]).toEqual(['stable', 'stable']);
  });

  it('refuses to connect when the SDP fingerprint is not the peer certificate', async () => {
    const { a, b } = track(pair());
    a.createDataChannel('x');
    await a.setLocalDescription();
    await b.setRemoteDescription(a.localDescription as never);
    await b.setLocalDescription();
    const answer = b.localDescription as { type: 'answer'; sdp: string };
    const forged = answer.sdp.replace(
      /(a=fingerprint:sha-256 )([0-9A-F]{2})/,
      (_, head, byte) => `${head}${byte === '00' ? '01' : '00'}`,
    );
    expect(forged).not.toBe(answer.sdp);
    const dtlsErrors: string[] = [];
    await a.setRemoteDescription({ type: 'answer', sdp: forged });
    a.sctp?.transport.addEventListener('error', (event) => {
      dtlsErrors.push((event as unknown as { error: { errorDetail: string } }).error.errorDetail);
    });
    await until(a, 'connectionstatechange', () => a.connectionState === 'failed');
    expect(a.sctp?.transport.state).toBe('failed');
    expect(dtlsErrors).toEqual(['fingerprint-failure']);
  });
});

describe('RTCPeerConnection API rules', () => {
  it('rejects descriptions in the wrong state and invalid SDP', async () => {
    const pc = new RTCPeerConnection();
    try {
      await expect(pc.createAnswer()).rejects.toMatchObject({ name: 'InvalidStateError' });
      await expect(
        pc.setRemoteDescription({ type: 'answer', sdp: 'v=0\r\n' }),
      ).rejects.toMatchObject({ name: 'OperationError' });
      await expect(
        pc.addIceCandidate({ candidate: 'candidate:1 1 udp 1 1.2.3.4 5 typ host', sdpMid: '0' }),
      ).rejects.toMatchObject({
        name: 'InvalidStateError',
      });
      await expect(pc.setLocalDescription({ type: 'offer', sdp: 'v=0\r\n' })).rejects.toMatchObject(
        {
          name: 'InvalidModificationError',
        },
      );
    } finally {
      pc.close();
    }
  });

  it("an answerer's candidates and gathering states wait for its answer, in order", async () => {
    const a = new RTCPeerConnection();
    const b = new RTCPeerConnection();
    try {
      const log: string[] = [];
      b.onicecandidate = ({ candidate }) =>
        log.push(candidate === null ? 'null' : candidate.candidate === '' ? 'end' : 'candidate');
      b.onicegatheringstatechange = () => log.push(b.iceGatheringState);
      a.createDataChannel('x');
      await a.setLocalDescription();
      await b.setRemoteDescription(a.localDescription as never);
      // b gathers from the offer on (to connect sooner), but says nothing before its answer.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(log).toEqual([]);
      expect(b.iceGatheringState).toBe('new');
      await b.setLocalDescription();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const candidates = log.filter((entry) => entry === 'candidate').length;
      expect(candidates).toBeGreaterThan(0);
      expect(log).toEqual([
        'gathering',
        ...new Array(candidates).fill('candidate'),
        'end',
        'complete',
        'null',
      ]);
    } finally {
      a.close();
      b.close();
    }
  });

  it('connects to a peer whose candidates are all mDNS names, through peer-reflexive checks', async () => {
    const a = new RTCPeerConnection();
    const b = new RTCPeerConnection();
    try {
      // a hears b's candidates only as .local names (a browser without camera permission sends
      // those), which TypeRTC does not resolve; b's own checks must reach a all the same.
      // a's candidates reach b only after b's end-of-candidates reached a: b's checks (the
      // only way in) then come after a has been told there is nothing else to try.
      let held: RTCIceCandidate[] | undefined = [];
      b.onicecandidate = ({ candidate }) => {
        if (candidate === null) return;
        const hidden = candidate.candidate.replace(
          /^(candidate:\S+ \d+ \S+ \d+ )(\S+)/,
          '$1b7f0a1e2-5c3d-4e4f-9a8b-7c6d5e4f3a2b.local',
        );
        void a.addIceCandidate({ ...candidate.toJSON(), candidate: hidden }).then(
          () => undefined,
          () => undefined,
        );
        if (candidate.candidate === '') {
          for (const mine of held ?? []) void b.addIceCandidate(mine).catch(() => undefined);
          held = undefined;
        }
      };
      a.onicecandidate = ({ candidate }) => {
        if (candidate === null) return;
        if (held !== undefined) held.push(candidate);
        else void b.addIceCandidate(candidate).catch(() => undefined);
      };
      const channel = a.createDataChannel('through-prflx');
      await negotiate(a, b);
      await opened(channel);
      expect(a.connectionState).toBe('connected');
    } finally {
      a.close();
      b.close();
    }
  });

  it('rolls back a local offer', async () => {
    const pc = new RTCPeerConnection();
    try {
      pc.createDataChannel('x');
      await pc.setLocalDescription();
      expect(pc.signalingState).toBe('have-local-offer');
      await pc.setLocalDescription({ type: 'rollback' });
      expect(pc.signalingState).toBe('stable');
      expect(pc.localDescription).toBeNull();
      await expect(pc.setLocalDescription({ type: 'rollback' })).rejects.toMatchObject({
        name: 'InvalidStateError',
      });
    } finally {
      pc.close();
    }
  });

  it('close() is idempotent, fires nothing, and refuses what follows', async () => {
    const pc = new RTCPeerConnection();
    const fired: string[] = [];
    pc.onsignalingstatechange = () => fired.push('signaling');
    pc.onconnectionstatechange = () => fired.push('connection');
    pc.close();
    pc.close();
    expect(pc.signalingState).toBe('closed');
    expect(pc.connectionState).toBe('closed');
    expect(pc.iceConnectionState).toBe('closed');
    expect(() => pc.createDataChannel('x')).toThrow(
      expect.objectContaining({ name: 'InvalidStateError' }),
    );
    await expect(pc.createOffer()).rejects.toMatchObject({ name: 'InvalidStateError' });
    expect(fired).toEqual([]);
  });

  it('close() of connected peers leaves no socket and no timer behind', async () => {
    // Every UDP socket and timer made from here on, until Node destroys it (the sockets are
    // unref'd, so the event loop's own list would not show them).
    const live = new Map<number, string>();
    const hook = createHook({
      init(id, type) {
        if (type === 'UDPWRAP' || type === 'Timeout') live.set(id, type);
      },
      destroy(id) {
        live.delete(id);
      },
    }).enable();
    try {
      const { a, b } = pair();
      const channel = a.createDataChannel('short-lived');
      const remote = nextChannel(b);
      await negotiate(a, b);
      await Promise.all([opened(channel), remote]);
      expect([...live.values()]).toContain('UDPWRAP');
      a.close();
      b.close();
      // Socket handles go once their close callbacks have run, and Node reports destroyed
      // resources a turn later: wait without a timer of our own.
      for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
      expect([...live.values()]).toEqual([]);
    } finally {
      hook.disable();
    }
  });

  it('getConfiguration reflects the configuration; setConfiguration keeps its rules', () => {
    const pc = new RTCPeerConnection({ iceServers: [{ urls: 'stun:127.0.0.1:3478' }] });
    try {
      expect(pc.getConfiguration().iceServers).toEqual([{ urls: 'stun:127.0.0.1:3478' }]);
      expect(() => pc.setConfiguration({ bundlePolicy: 'max-compat' })).toThrow(
        expect.objectContaining({ name: 'InvalidModificationError' }),
      );
    } finally {
      pc.close();
    }
  });
});
