/**
 * The three peers of rtp-forward.bench.ts, each run alone (F in a worker thread,
 * rtp-forward-worker.ts; S and K each in a child process, rtp-forward-child.ts) and driven by
 * requests (rtp-forward-protocol.ts):
 *
 * - source S: a TypeRTC `RTCPeerConnection` sending `streams` video tracks (one sendonly
 *   transceiver each); it writes RTP with a 1200-byte payload into them at a paced rate;
 * - forwarder F: two peer connections of one stack, `in` (answers S) and `out` (offers to K,
 *   one sendonly transceiver per stream). Each packet of remote track i is written to local track
 *   i at once: TypeRTC `track.on('rtp') → MediaStreamTrack.writeRtp`, werift
 *   `track.onReceiveRtp → MediaStreamTrack.writeRtp` (werift's own forwarding idiom). Either way
 *   a packet is received, SRTP-unprotected, routed to its track, rewritten by the sender,
 *   SRTP-protected and sent;
 * - sink K: a TypeRTC `RTCPeerConnection` answering F, marking each packet's index (payload
 *   bytes 0–3) in a bitmap, so that duplicates and retransmissions count once.
 *
 * Every connection negotiates the same thing whichever stack F is: VP8 only, with NACK, PLI, REMB
 * and transport-cc feedback, and the MID and transport-wide-cc header extensions (TypeRTC's
 * defaults narrowed to VP8; werift configured to match, as its defaults have no header
 * extension). TypeRTC adds RTX for VP8 and werift, by default, does not: it matters only for
 * retransmissions.
 */

import {
  MediaStreamTrack,
  RTCPeerConnection,
  type RTCPeerConnectionIceEvent,
  type RTCTrackEvent,
} from '@typertc/peerconnection';
import { RtpPacket } from '@typertc/rtp-rtcp';
import {
  useNACK,
  usePLI,
  useREMB,
  useSdesMid,
  useTransportWideCC,
  useTWCC,
  useVP8,
  RTCPeerConnection as WeriftPeerConnection,
  MediaStreamTrack as WeriftTrack,
} from 'werift';
import {
  type CandidateInit,
  cpuSnapshot,
  type Leg,
  type PeerMessage,
  type PeerSetup,
  type Request,
  type RequestMessage,
  type SendResult,
} from './rtp-forward-protocol.js';

/** TypeRTC's defaults narrowed to VP8 (payload type 96, RTX 97). */
const TYPERTC_CONFIG = { codecs: { video: [{ mimeType: 'video/VP8' }] } };

/**
 * werift as close to what TypeRTC negotiates as it goes: host candidates only, IPv4, UDP (its
 * defaults ask stun.l.google.com and gather TCP), one transport for all sections, VP8 with the
 * same feedback, MID and transport-wide-cc.
 */
function weriftConfig() {
  return {
    iceServers: [],
    iceUseTcp: false,
    iceUseIpv6: false,
    bundlePolicy: 'max-bundle' as const,
    codecs: {
      video: [useVP8({ rtcpFeedback: [useNACK(), usePLI(), useREMB(), useTWCC()] })],
    },
    headerExtensions: { video: [useSdesMid(), useTransportWideCC()] },
  };
}

/** VP8 as TypeRTC numbers it: what S writes (its sender maps it to the negotiated type). */
const VP8_PAYLOAD_TYPE = 96;
/** How far behind the source may fall and still catch up. */
const CATCH_UP_MS = 20;
/** Most packets sent in one turn of the source's event loop (≈ 80 kB of datagrams). */
const BURST_PACKETS = 64;
const FRAME_MS = 1000 / 30;
/** Packet indices the sink can mark: 2^25, far more than one run sends. */
const INDEX_CAPACITY = 1 << 25;

// ---------------------------------------------------------------------------------------------
// One peer connection, either stack

/** The `transport` stats' `srtpCipher` (both stacks report it). */
function transportSrtpCipher(stats: Iterable<unknown>): string {
  for (const entry of stats) {
    const { type, srtpCipher } = entry as { type: string; srtpCipher?: string };
    if (type === 'transport' && srtpCipher !== undefined) return srtpCipher;
  }
  return 'unknown';
}

type CandidateSink = (candidate: CandidateInit) => void;

/**
 * One peer connection behind a common surface. Remote candidates that arrive before the remote
 * description (the other worker trickles them as they surface) wait until it is set.
 */
abstract class PeerLeg {
  #held: CandidateInit[] | undefined = [];

  protected abstract setRemote(type: 'offer' | 'answer', sdp: string): Promise<void>;
  protected abstract setLocal(): Promise<string>;
  protected abstract add(candidate: CandidateInit): Promise<void>;
  abstract readonly connected: boolean;
  abstract readonly state: string;
  abstract srtpProfile(): Promise<string>;
  abstract close(): Promise<void>;

  offer(): Promise<string> {
    return this.setLocal();
  }

  async answer(sdp: string): Promise<string> {
    await this.#remote('offer', sdp);
    return this.setLocal();
  }

  accept(sdp: string): Promise<void> {
    return this.#remote('answer', sdp);
  }

  async candidate(candidate: CandidateInit): Promise<void> {
    if (this.#held !== undefined) this.#held.push(candidate);
    else await this.add(candidate);
  }

  async #remote(type: 'offer' | 'answer', sdp: string): Promise<void> {
    await this.setRemote(type, sdp);
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const candidate of held) await this.add(candidate);
  }
}

class TypertcLeg extends PeerLeg {
  readonly pc = new RTCPeerConnection(TYPERTC_CONFIG);

  constructor(onCandidate: CandidateSink) {
    super();
    this.pc.addEventListener('icecandidate', (event) => {
      const { candidate } = event as RTCPeerConnectionIceEvent;
      if (candidate === null) return;
      onCandidate({
        candidate: candidate.candidate,
        sdpMid: candidate.sdpMid,
        sdpMLineIndex: candidate.sdpMLineIndex,
      });
    });
  }

  protected setRemote(type: 'offer' | 'answer', sdp: string): Promise<void> {
    return this.pc.setRemoteDescription({ type, sdp });
  }

  protected async setLocal(): Promise<string> {
    await this.pc.setLocalDescription();
    const sdp = this.pc.localDescription?.sdp;
    if (sdp === undefined) throw new Error('TypeRTC: no local description');
    return sdp;
  }

  protected add(candidate: CandidateInit): Promise<void> {
    return this.pc.addIceCandidate(candidate);
  }

  get connected(): boolean {
    return this.pc.connectionState === 'connected';
  }

  get state(): string {
    return `TypeRTC ${this.pc.signalingState}/${this.pc.iceConnectionState}/${this.pc.connectionState}`;
  }

  async srtpProfile(): Promise<string> {
    return transportSrtpCipher((await this.pc.getStats()).values());
  }

  async close(): Promise<void> {
    this.pc.close();
  }
}

class WeriftLeg extends PeerLeg {
  readonly pc = new WeriftPeerConnection(weriftConfig());

  constructor(onCandidate: CandidateSink) {
    super();
    this.pc.onIceCandidate.subscribe((candidate) => {
      if (candidate === undefined) return;
      onCandidate({
        candidate: candidate.candidate,
        sdpMid: candidate.sdpMid ?? null,
        sdpMLineIndex: candidate.sdpMLineIndex ?? null,
      });
    });
  }

  protected setRemote(type: 'offer' | 'answer', sdp: string): Promise<void> {
    return this.pc.setRemoteDescription({ type, sdp });
  }

  protected async setLocal(): Promise<string> {
    // What setLocalDescription resolves with is werift's parsed description; the text is here.
    await this.pc.setLocalDescription();
    const sdp = this.pc.localDescription?.sdp;
    if (sdp === undefined) throw new Error('werift: no local description');
    return sdp;
  }

  protected add(candidate: CandidateInit): Promise<void> {
    return this.pc.addIceCandidate(candidate);
  }

  get connected(): boolean {
    return this.pc.connectionState === 'connected';
  }

  get state(): string {
    return `werift ${this.pc.signalingState}/${this.pc.iceConnectionState}/${this.pc.connectionState}`;
  }

  async srtpProfile(): Promise<string> {
    return transportSrtpCipher((await this.pc.getStats()).values());
  }

  async close(): Promise<void> {
    await this.pc.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The peers

export abstract class BenchPeer {
  protected readonly legs = new Map<Leg, PeerLeg>();

  leg(name: Leg): PeerLeg {
    const leg = this.legs.get(name);
    if (leg === undefined) throw new Error(`${this.constructor.name} has no ${name} connection`);
    return leg;
  }

  send(_request: Extract<Request, { op: 'send' }>): Promise<SendResult> {
    throw new Error(`${this.constructor.name} does not send`);
  }

  delivered(_from: number, _to: number): number {
    throw new Error(`${this.constructor.name} does not count`);
  }

  async waitConnected(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    const legs = [...this.legs.values()];
    while (!legs.every((leg) => leg.connected)) {
      if (performance.now() > deadline) {
        const states = legs.map((leg) => leg.state).join(', ');
        throw new Error(`${this.constructor.name} not connected within ${timeoutMs} ms: ${states}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async srtpProfiles(): Promise<Partial<Record<Leg, string>>> {
    const profiles: Partial<Record<Leg, string>> = {};
    for (const [name, leg] of this.legs) profiles[name] = await leg.srtpProfile();
    return profiles;
  }

  async close(): Promise<void> {
    for (const leg of this.legs.values()) await leg.close();
  }
}

class Source extends BenchPeer {
  readonly #tracks: MediaStreamTrack[] = [];
  readonly #packets: RtpPacket[] = [];

  constructor(streams: number, onCandidate: (leg: Leg, candidate: CandidateInit) => void) {
    super();
    const leg = new TypertcLeg((candidate) => onCandidate('out', candidate));
    this.legs.set('out', leg);
    for (let i = 0; i < streams; i++) {
      const track = new MediaStreamTrack({ kind: 'video' });
      leg.pc.addTransceiver(track, { direction: 'sendonly' });
      this.#tracks.push(track);
      this.#packets.push(
        new RtpPacket({
          payloadType: VP8_PAYLOAD_TYPE,
          sequenceNumber: Math.floor(Math.random() * 0x10000),
          ssrc: (Math.random() * 0x1_0000_0000) >>> 0,
        }),
      );
    }
  }

  /**
   * Paced: every millisecond or so, as many packets as the elapsed time has made due,
   * round-robin over the first `streams` tracks, at most `BURST_PACKETS` at a time (a backlog
   * goes out in such bursts, one per turn of the event loop). A thread kept off the CPU longer
   * than `CATCH_UP_MS` (three busy peers share two cores) makes up only that much; the rest
   * is not sent, and the rate sent is reported, as a paced sender would do: sending the whole
   * backlog at once would measure socket buffers, not forwarding.
   */
  override send(request: Extract<Request, { op: 'send' }>): Promise<SendResult> {
    const { packetsPerSecond, streams, durationMs, firstIndex, payloadBytes } = request;
    if (streams > this.#tracks.length) throw new Error(`only ${this.#tracks.length} streams`);
    const payload = new Uint8Array(payloadBytes).fill(0x5a);
    const view = new DataView(payload.buffer);
    const perMs = packetsPerSecond / 1000;
    const maxCredit = Math.max(2, perMs * CATCH_UP_MS);
    const start = performance.now();
    let last = start;
    let credit = 1;
    let sent = 0;
    return new Promise((resolve) => {
      const tick = (): void => {
        const now = performance.now();
        const end = Math.min(now, start + durationMs);
        credit = Math.min(maxCredit, credit + (end - last) * perMs);
        last = end;
        // A 30 frames/s clock; one frame in 7 packets (≈ 2 Mbit/s of VP8) ends with a marker.
        const timestamp = (Math.floor((now - start) / FRAME_MS) * 3000) >>> 0;
        for (let burst = 0; credit >= 1 && burst < BURST_PACKETS; burst++) {
          credit--;
          const stream = sent % streams;
          const packet = this.#packets[stream] as RtpPacket;
          view.setUint32(0, firstIndex + sent);
          packet.payload = payload;
          packet.marker = sent % 7 === 6;
          packet.timestamp = timestamp;
          (this.#tracks[stream] as MediaStreamTrack).writeRtp(packet);
          packet.sequenceNumber = (packet.sequenceNumber + 1) & 0xffff;
          sent++;
        }
        if (credit >= 1) setImmediate(tick);
        else if (now - start < durationMs) setTimeout(tick, 1);
        else resolve({ sent, elapsedMs: now - start });
      };
      tick();
    });
  }
}

class Sink extends BenchPeer {
  /** One bit per packet index. */
  readonly #seen = new Uint8Array(INDEX_CAPACITY >> 3);

  constructor(onCandidate: (leg: Leg, candidate: CandidateInit) => void) {
    super();
    const leg = new TypertcLeg((candidate) => onCandidate('in', candidate));
    this.legs.set('in', leg);
    const seen = this.#seen;
    leg.pc.addEventListener('track', (event) => {
      (event as RTCTrackEvent).track.on('rtp', (packet) => {
        const p = packet.payload;
        if (p.length < 4) return;
        const index =
          (((p[0] as number) << 24) |
            ((p[1] as number) << 16) |
            ((p[2] as number) << 8) |
            (p[3] as number)) >>>
          0;
        if (index >= INDEX_CAPACITY) return;
        seen[index >> 3] = (seen[index >> 3] as number) | (1 << (index & 7));
      });
    });
  }

  override delivered(from: number, to: number): number {
    let count = 0;
    for (let index = from; index < to && index < INDEX_CAPACITY; index++) {
      if (((this.#seen[index >> 3] as number) >> (index & 7)) & 1) count++;
    }
    return count;
  }
}

class TypertcForwarder extends BenchPeer {
  constructor(streams: number, onCandidate: (leg: Leg, candidate: CandidateInit) => void) {
    super();
    const inLeg = new TypertcLeg((candidate) => onCandidate('in', candidate));
    const outLeg = new TypertcLeg((candidate) => onCandidate('out', candidate));
    this.legs.set('in', inLeg);
    this.legs.set('out', outLeg);
    const outTracks: MediaStreamTrack[] = [];
    for (let i = 0; i < streams; i++) {
      const track = new MediaStreamTrack({ kind: 'video' });
      outLeg.pc.addTransceiver(track, { direction: 'sendonly' });
      outTracks.push(track);
    }
    inLeg.pc.addEventListener('track', (event) => {
      const { track, transceiver } = event as RTCTrackEvent;
      // S's sections in order: the i-th remote track goes out on the i-th local one.
      const out = outTracks[inLeg.pc.getTransceivers().indexOf(transceiver)];
      if (out === undefined) throw new Error('TypeRTC forwarder: a track of no known section');
      track.on('rtp', (packet) => out.writeRtp(packet));
    });
  }
}

class WeriftForwarder extends BenchPeer {
  constructor(streams: number, onCandidate: (leg: Leg, candidate: CandidateInit) => void) {
    super();
    const inLeg = new WeriftLeg((candidate) => onCandidate('in', candidate));
    const outLeg = new WeriftLeg((candidate) => onCandidate('out', candidate));
    this.legs.set('in', inLeg);
    this.legs.set('out', outLeg);
    const outTracks: WeriftTrack[] = [];
    for (let i = 0; i < streams; i++) {
      const track = new WeriftTrack({ kind: 'video' });
      outLeg.pc.addTransceiver(track, { direction: 'sendonly' });
      outTracks.push(track);
    }
    inLeg.pc.ontrack = ({ track, transceiver }) => {
      const out = outTracks[inLeg.pc.getTransceivers().indexOf(transceiver)];
      if (out === undefined) throw new Error('werift forwarder: a track of no known section');
      track.onReceiveRtp.subscribe((rtp) => out.writeRtp(rtp));
    };
  }
}

function createPeer(
  setup: PeerSetup,
  onCandidate: (leg: Leg, candidate: CandidateInit) => void,
): BenchPeer {
  switch (setup.role) {
    case 'source':
      return new Source(setup.streams, onCandidate);
    case 'sink':
      return new Sink(onCandidate);
    case 'forwarder':
      return setup.stack === 'typertc'
        ? new TypertcForwarder(setup.streams, onCandidate)
        : new WeriftForwarder(setup.streams, onCandidate);
  }
}

async function handle(peer: BenchPeer, request: Request): Promise<unknown> {
  switch (request.op) {
    case 'offer':
      return peer.leg(request.leg).offer();
    case 'answer':
      return peer.leg(request.leg).answer(request.sdp);
    case 'accept':
      return peer.leg(request.leg).accept(request.sdp);
    case 'candidate':
      return peer.leg(request.leg).candidate(request.candidate);
    case 'connected':
      return peer.waitConnected(request.timeoutMs);
    case 'send':
      return peer.send(request);
    case 'delivered':
      return peer.delivered(request.from, request.to);
    case 'cpu':
      return cpuSnapshot();
    case 'srtp':
      return peer.srtpProfiles();
    case 'close':
      return peer.close();
  }
}

/**
 * Runs the peer `setup` names where this is called (a worker thread, a child process): returns
 * what to do with each request; `post` carries answers and candidates back, and `end` lets the
 * thread or process finish once the peer is closed.
 */
export function servePeer(
  setup: PeerSetup,
  post: (message: PeerMessage) => void,
  end: () => void,
): (message: RequestMessage) => void {
  const peer = createPeer(setup, (leg, candidate) => post({ event: 'candidate', leg, candidate }));
  return ({ id, request }) => {
    handle(peer, request).then(
      (result) => {
        post({ id, result: result ?? null });
        if (request.op === 'close') end();
      },
      (error: unknown) =>
        post({
          id,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        }),
    );
  };
}
