/**
 * What the configuration changes on a live peer connection (W3C WebRTC 1.0 §4.2, §4.4.1.6):
 * the candidate pool, the certificate it reports, a UdpMux shared between connections, and the
 * provisional answer (pranswer) path of the signaling state machine (§4.3.1).
 */

import { createSocket } from 'node:dgram';
import { UdpMux } from '@typertc/ice';
import { ERROR_CODE, StunMessage } from '@typertc/stun';
import { afterEach, describe, expect, it } from 'vitest';
import { takeDefaultCertificate } from '../src/certificate-pool.js';
import {
  type RTCCertificate,
  RTCPeerConnection,
  type RTCPeerConnectionIceErrorEvent,
} from '../src/index.js';
import { messages, nextChannel, opened, type Pair, pair, until } from './pair-helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});
function track(p: Pair): Pair {
  cleanups.push(() => p.close());
  return p;
}

function candidateLines(sdp: string | undefined): string[] {
  return (sdp ?? '').split('\r\n').filter((line) => line.startsWith('a=candidate:'));
}

describe('iceCandidatePoolSize (W3C §4.4.1.1)', () => {
  it('gathers before any description: the first offer carries its candidates', async () => {
    const pooled = new RTCPeerConnection({ iceCandidatePoolSize: 1 });
    const plain = new RTCPeerConnection();
    cleanups.push(
      () => pooled.close(),
      () => plain.close(),
    );
    // Time for host candidates to be found: only the pooled connection looks for them yet.
    await new Promise((resolve) => setTimeout(resolve, 100));
    pooled.createDataChannel('x');
    plain.createDataChannel('x');
    await Promise.all([pooled.setLocalDescription(), plain.setLocalDescription()]);
    expect(candidateLines(pooled.localDescription?.sdp).length).toBeGreaterThan(0);
    expect(candidateLines(plain.localDescription?.sdp)).toEqual([]);
    // The pooled candidates are still trickled, as the spec's surfacing steps have it.
    const trickled: string[] = [];
    pooled.addEventListener('icecandidate', (event) => {
      const { candidate } = event as unknown as { candidate: { candidate: string } | null };
      if (candidate !== null && candidate.candidate !== '') trickled.push(candidate.candidate);
    });
    await until(pooled, 'icegatheringstatechange', () => pooled.iceGatheringState === 'complete');
    await new Promise((resolve) => setImmediate(resolve));
    expect(trickled.length).toBeGreaterThan(0);
  });

  it('a pooled connection still connects, and the pool empties on close', async () => {
    const a = new RTCPeerConnection({ iceCandidatePoolSize: 4 });
    const b = new RTCPeerConnection({ iceCandidatePoolSize: 1 });
    const p = track({
      a,
      b,
      close() {
        a.close();
        b.close();
      },
    });
    const channel = p.a.createDataChannel('pooled');
    await p.a.setLocalDescription();
    await p.b.setRemoteDescription(p.a.localDescription as never);
    await p.b.setLocalDescription();
    await p.a.setRemoteDescription(p.b.localDescription as never);
    const remote = nextChannel(p.b);
    await opened(channel);
    const received = messages(await remote, 1);
    channel.send('through pooled candidates');
    expect(await received).toEqual(['through pooled candidates']);
  });
});

describe('icecandidateerror (W3C §4.8.3)', () => {
  it("carries the STUN server's error code and reason, and gathering still completes", async () => {
    // A STUN server that refuses every Binding request with 403 (RFC 8489 §14.8).
    const server = createSocket('udp4');
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    cleanups.push(() => server.close());
    server.on('message', (data, from) => {
      const request = StunMessage.decode(new Uint8Array(data));
      const reply = StunMessage.responseTo(request, 'error')
        .add(ERROR_CODE, { code: 403, reason: 'Forbidden here' })
        .encode({ fingerprint: true });
      server.send(reply, from.port, from.address);
    });
    const url = `stun:127.0.0.1:${server.address().port}`;
    const pc = new RTCPeerConnection({ iceServers: [{ urls: url }] });
    cleanups.push(() => pc.close());
    const errors: RTCPeerConnectionIceErrorEvent[] = [];
    pc.onicecandidateerror = (event) => errors.push(event);
    pc.createDataChannel('x');
    await pc.setLocalDescription();
    await until(pc, 'icegatheringstatechange', () => pc.iceGatheringState === 'complete');
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(error).toMatchObject({ url, errorCode: 403, errorText: 'Forbidden here' });
    }
  });
});

describe('certificates (W3C §4.4.1.6, §4.10)', () => {
  it('getConfiguration reports the certificate made for the connection, and it stays fixed', async () => {
    const pc = new RTCPeerConnection();
    cleanups.push(() => pc.close());
    pc.createDataChannel('x');
    const offer = await pc.createOffer();
    const [certificate] = pc.getConfiguration().certificates ?? [];
    expect(certificate).toBeDefined();
    const fingerprint = certificate?.getFingerprints()[0]?.value.toUpperCase();
    expect(offer.sdp).toContain(`a=fingerprint:sha-256 ${fingerprint}`);
    // Absent certificates keep the current ones; different ones are refused.
    pc.setConfiguration({});
    expect(pc.getConfiguration().certificates).toEqual([certificate]);
    const other = await RTCPeerConnection.generateCertificate({
      name: 'ECDSA',
      namedCurve: 'P-256',
    });
    expect(() => pc.setConfiguration({ certificates: [other] })).toThrow(
      expect.objectContaining({ name: 'InvalidModificationError' }),
    );
  });
});

describe('the default certificate (W3C §4.4.1.1 step 4)', () => {
  it('is ready ahead for the next connection, and each connection has its own', async () => {
    const first = await takeDefaultCertificate();
    // The next one has been made meanwhile: it is there by the next turn of the event loop.
    await new Promise((resolve) => setTimeout(resolve, 50));
    let ready: RTCCertificate | undefined;
    void takeDefaultCertificate().then((certificate) => {
      ready = certificate;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(ready).toBeDefined();
    expect(ready?.getFingerprints()).not.toEqual(first.getFingerprints());
    expect(ready?.expires).toBeGreaterThan(Date.now() + 29 * 24 * 60 * 60 * 1000);
  });
});

describe('udpMux in the configuration (single-port server)', () => {
  it('two server connections share one port, and each reaches its own client', async () => {
    const mux = await UdpMux.open({ address: '127.0.0.1' });
    cleanups.push(() => mux.close());
    const ports = new Set<string>();
    for (const label of ['first', 'second']) {
      const server = new RTCPeerConnection({ udpMux: mux });
      const client = new RTCPeerConnection();
      track({
        a: server,
        b: client,
        close() {
          server.close();
          client.close();
        },
      });
      const channel = client.createDataChannel(label);
      await client.setLocalDescription();
      await server.setRemoteDescription(client.localDescription as never);
      await server.setLocalDescription();
      await until(server, 'icegatheringstatechange', () => server.iceGatheringState === 'complete');
      for (const line of candidateLines(server.localDescription?.sdp)) {
        ports.add(line.split(' ')[5] as string);
      }
      await client.setRemoteDescription(server.localDescription as never);
      const incoming = nextChannel(server);
      await opened(channel);
      const serverChannel = await incoming;
      const received = messages(serverChannel, 1);
      channel.send(`hello ${label}`);
      expect(await received).toEqual([`hello ${label}`]);
    }
    expect([...ports]).toEqual([String(mux.localAddress.port)]);
  });
});

describe('provisional answers (W3C §4.3.1, RFC 8829 §4.1.10.1)', () => {
  it('offer, pranswer, then the final answer: states in order, and the channel opens', async () => {
    const { a, b } = track(pair());
    const states = { a: [] as string[], b: [] as string[] };
    a.addEventListener('signalingstatechange', () => states.a.push(a.signalingState));
    b.addEventListener('signalingstatechange', () => states.b.push(b.signalingState));
    const channel = a.createDataChannel('provisional');
    await a.setLocalDescription();
    await b.setRemoteDescription(a.localDescription as never);
    const answer = await b.createAnswer();
    await b.setLocalDescription({ type: 'pranswer', sdp: answer.sdp ?? '' });
    await a.setRemoteDescription({ type: 'pranswer', sdp: answer.sdp ?? '' });
    expect([a.signalingState, b.signalingState]).toEqual([
      'have-remote-pranswer',
      'have-local-pranswer',
    ]);
    expect(a.currentRemoteDescription).toBeNull();
    expect(a.pendingRemoteDescription?.type).toBe('pranswer');
    await b.setLocalDescription({ type: 'answer', sdp: answer.sdp ?? '' });
    await a.setRemoteDescription({ type: 'answer', sdp: answer.sdp ?? '' });
    expect(states.a).toEqual(['have-local-offer', 'have-remote-pranswer', 'stable']);
    expect(states.b).toEqual(['have-remote-offer', 'have-local-pranswer', 'stable']);
    expect(a.currentRemoteDescription?.type).toBe('answer');
    await opened(channel);
  });
});
