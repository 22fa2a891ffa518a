/**
 * Captures the Chromium RTP/RTCP fixtures in `fixtures/` (`chromium-rtp.json`,
 * `chromium-rtcp.json` and the session descriptions the peers used).
 *
 * Not a test: vitest only runs `*.test.ts`. It must run as root (tcpdump on `lo`).
 * It drives Debian's `chromium` through `playwright-core` with `--disable-webrtc-encryption` (a
 * libwebrtc testing switch: both peer connections then negotiate `RTP/AVPF` without DTLS-SRTP,
 * so the wire carries plain RTP and RTCP) and `--allow-loopback-in-peer-connection`. Two pairs
 * of RTCPeerConnections run in one page, exchanging only 127.0.0.1 candidates:
 *
 * - `twcc`: fake-camera VP8 (mid 1) and H.264 (mid 2) plus fake-microphone Opus (mid 0) from
 *   the offerer, Opus + VP8 back from the answerer; transport-cc negotiated (Chromium's default).
 * - `remb`: one-way VP8 (RED-wrapped, with ULPFEC) with the transport-cc extmap and `a=rtcp-fb:* transport-cc` removed from
 *   both descriptions, so the receiver falls back to REMB (receive-side estimation).
 *
 * Both pairs talk through a UDP relay in this script (each peer is handed the relay's port in
 * place of the other peer's 127.0.0.1 host candidate), because this sandbox's kernel has neither
 * `tc netem` nor iptables. The relay forwards everything, except for a few seconds in the middle
 * where it drops a share of the datagrams, which provokes NACKs, RTX retransmissions and PLIs.
 * tcpdump records UDP on `lo`, so every datagram appears twice (peer -> relay, relay -> peer);
 * the selection keeps each distinct payload once. tshark then decodes the capture (RTP/RTCP
 * heuristics, VP8/H.264/Opus by payload type) and a representative selection is written as hex
 * with a description built from tshark's decode.
 *
 * Node 20 cannot run TypeScript itself, so compile it to a scratch directory first. From the
 * repository root, as root, with `tcpdump` and `tshark` installed:
 *
 *   mkdir -p /tmp/rtp-capture && echo '{"type":"module"}' > /tmp/rtp-capture/package.json
 *   ln -sfn "$PWD/node_modules" /tmp/rtp-capture/node_modules
 *   npx tsc --outDir /tmp/rtp-capture --target ES2022 --module NodeNext \
 *     --moduleResolution NodeNext --types node --skipLibCheck \
 *     packages/rtp-rtcp/test/capture-chromium-packets.ts
 *   node /tmp/rtp-capture/capture-chromium-packets.js packages/rtp-rtcp/test/fixtures
 *
 * `node ... <outDir> <existing.pcap>` skips the browser and only redoes the selection. Every run
 * captures different (equally real) packets: new SSRCs, sequence numbers and timestamps.
 */

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CHROMIUM_FAKE_MEDIA_FLAGS,
  CHROMIUM_PATH,
  HEADLESS_CHROMIUM_FLAGS,
} from '@typertc/common/testing';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? CHROMIUM_PATH;
const PCAP = '/tmp/chromium-rtp-capture.pcap';

/**
 * Runs in the page (a string: the project compiles without the DOM library). Sets up both
 * pairs, keeps them on `window` so later evaluations can read stats, and returns the exact
 * descriptions each peer applied.
 */
const setupScript = (relayPorts: number[]): string => `(async () => {
  const relayPorts = ${JSON.stringify(relayPorts)};
  // Hands 'to' the relay port that stands for 'from' instead of from's own UDP host candidate.
  const viaRelay = (from, to, relayPort) => from.addEventListener('icecandidate', (e) => {
    const c = e.candidate;
    if (!c || c.address !== '127.0.0.1' || c.protocol !== 'udp') return;
    const candidate = c.candidate.replace(' ' + c.port + ' typ ', ' ' + relayPort + ' typ ');
    to.addIceCandidate({ candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex });
  });
  const stripTwcc = (sdp) => sdp
    .replace(/a=extmap:\\d+ [^\\r]*transport-wide-cc[^\\r]*\\r\\n/g, '')
    .replace(/a=rtcp-fb:\\d+ transport-cc\\r\\n/g, '');
  const connect = async (offerer, answerer, munge, ports) => {
    viaRelay(offerer, answerer, ports[1]);
    viaRelay(answerer, offerer, ports[0]);
    const offer = await offerer.createOffer();
    offer.sdp = munge(offer.sdp);
    await offerer.setLocalDescription(offer);
    await answerer.setRemoteDescription(offer);
    return offer.sdp;
  };
  const answer = async (offerer, answerer, munge) => {
    const desc = await answerer.createAnswer();
    desc.sdp = munge(desc.sdp);
    await answerer.setLocalDescription(desc);
    await offerer.setRemoteDescription(desc);
    return desc.sdp;
  };
  const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  const [audio] = media.getAudioTracks();
  const [video] = media.getVideoTracks();

  // twcc pair: Opus (mid 0), VP8 (mid 1), H.264 (mid 2) from a; Opus + VP8 back from b.
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  a.addTransceiver(audio, { direction: 'sendrecv', streams: [media] });
  const vp8 = a.addTransceiver(video, { direction: 'sendrecv', streams: [media] });
  const h264 = a.addTransceiver(video.clone(), { direction: 'sendonly', streams: [media] });
  const videoCodecs = RTCRtpReceiver.getCapabilities('video').codecs;
  const wanted = videoCodecs.filter((c) => c.mimeType === 'video/H264' &&
    /packetization-mode=1/.test(c.sdpFmtpLine || '') && /42e01f/.test(c.sdpFmtpLine || ''));
  const only = (...types) => videoCodecs.filter((x) => types.includes(x.mimeType));
  h264.setCodecPreferences([...wanted, ...only('video/rtx')]);
  // Plain VP8 here (Chromium would otherwise wrap it in RED for ULPFEC); RED on the remb pair.
  vp8.setCodecPreferences(only('video/VP8', 'video/rtx'));
  const same = (sdp) => sdp;
  const twccOffer = await connect(a, b, same, relayPorts.slice(0, 2));
  const back = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  const bt = b.getTransceivers();
  bt[0].direction = 'sendrecv';
  await bt[0].sender.replaceTrack(back.getAudioTracks()[0]);
  bt[0].sender.setStreams(back);
  bt[1].direction = 'sendrecv';
  await bt[1].sender.replaceTrack(back.getVideoTracks()[0]);
  bt[1].sender.setStreams(back);
  const twccAnswer = await answer(a, b, same);

  // remb pair: one-way VP8 (in RED, with ULPFEC) without transport-cc.
  const c = new RTCPeerConnection();
  const d = new RTCPeerConnection();
  const red = c.addTransceiver(video.clone(), { direction: 'sendonly', streams: [media] });
  red.setCodecPreferences(only('video/VP8', 'video/rtx', 'video/red', 'video/ulpfec'));
  const rembOffer = await connect(c, d, stripTwcc, relayPorts.slice(2, 4));
  const rembAnswer = await answer(c, d, stripTwcc);

  window.pcs = { a, b, c, d };
  return { twccOffer, twccAnswer, rembOffer, rembAnswer, userAgent: navigator.userAgent };
})()`;

/** Summarises what actually flowed, to check the setup did what it claims. */
const STATS_SCRIPT = `(async () => {
  const out = {};
  for (const [name, pc] of Object.entries(window.pcs)) {
    const lines = [];
    const stats = await pc.getStats();
    stats.forEach((r) => {
      if (r.type === 'outbound-rtp') {
        const codec = stats.get(r.codecId);
        lines.push('out ' + r.kind + ' ssrc=' + r.ssrc + ' rtx=' + (r.rtxSsrc ?? '-') + ' ' +
          (codec ? codec.mimeType + '/' + codec.payloadType : '?') + ' packets=' + r.packetsSent +
          ' retransmitted=' + r.retransmittedPacketsSent + ' nack=' + r.nackCount + ' pli=' +
          (r.pliCount ?? '-') + ' enc=' + (r.encoderImplementation ?? '-'));
      }
      if (r.type === 'inbound-rtp') {
        lines.push('in ' + r.kind + ' ssrc=' + r.ssrc + ' packets=' + r.packetsReceived +
          ' lost=' + r.packetsLost + ' nack=' + r.nackCount + ' pli=' + (r.pliCount ?? '-'));
      }
    });
    out[name] = lines;
    pc.close();
  }
  return out;
})()`;

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  }
  return result.stdout;
}

/**
 * A two-socket UDP relay: whatever the first peer sends to socket 0 leaves socket 1 towards the
 * second peer and vice versa, so each peer sees the other at the relay port it was given. Peer
 * addresses are learnt from the datagrams each socket receives (ICE checks retry until both
 * are known). `loss` is the share of datagrams dropped; `rtpLoss` applies to RTP only (first
 * byte 128-191, second byte outside RTCP's 192-223, RFC 5761 §4), so STUN and RTCP still pass.
 */
class Relay {
  loss = 0;
  rtpLoss = 0;
  private readonly sockets = [createSocket('udp4'), createSocket('udp4')];
  private readonly peers: (AddressInfo | undefined)[] = [undefined, undefined];

  async start(): Promise<number[]> {
    const ports: number[] = [];
    for (const [index, socket] of this.sockets.entries()) {
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      ports.push(socket.address().port);
      socket.on('message', (message, from) => {
        // The latest sender wins: once ICE has nominated a pair, that is the pair's socket.
        this.peers[index] = from;
        const other = this.peers[1 - index];
        const out = this.sockets[1 - index];
        if (other === undefined || out === undefined || Math.random() < this.loss) return;
        const [b0 = 0, b1 = 0] = message;
        const rtp = b0 >> 6 === 2 && (b1 < 192 || b1 > 223);
        if (rtp && Math.random() < this.rtpLoss) return;
        out.send(message, other.port, other.address);
      });
    }
    return ports;
  }

  close(): void {
    for (const socket of this.sockets) socket.close();
  }
}

async function capture(outDir: string): Promise<{ version: string }> {
  const tcpdump: ChildProcess = spawn('tcpdump', ['-i', 'lo', '-U', '-w', PCAP, 'udp'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<!doctype html><title>rtp capture</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await sleep(1000);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      ...HEADLESS_CHROMIUM_FLAGS,
      ...CHROMIUM_FAKE_MEDIA_FLAGS,
      '--disable-webrtc-encryption',
      '--allow-loopback-in-peer-connection',
    ],
  });
  const twccRelay = new Relay();
  const rembRelay = new Relay();
  const relays = [twccRelay, rembRelay];
  const relayPorts = [...(await twccRelay.start()), ...(await rembRelay.start())];
  const setLoss = (loss: number, rtpLoss = 0) => {
    console.log(`relay loss ${loss}, RTP loss ${rtpLoss}`);
    for (const relay of relays) {
      relay.loss = loss;
      relay.rtpLoss = rtpLoss;
    }
  };
  try {
    const page = await browser.newPage();
    await page.goto(`http://localhost:${port}/`);
    const sdp = (await page.evaluate(setupScript(relayPorts))) as Record<string, string>;
    writeFileSync(join(outDir, 'chromium-rtp-session.sdp'), sdp.twccOffer ?? '');
    writeFileSync(join(outDir, 'chromium-rtp-session-answer.sdp'), sdp.twccAnswer ?? '');
    writeFileSync(join(outDir, 'chromium-remb-session.sdp'), sdp.rembOffer ?? '');
    writeFileSync(join(outDir, 'chromium-remb-session-answer.sdp'), sdp.rembAnswer ?? '');
    console.log(`browser ${browser.version()}\nuserAgent ${sdp.userAgent}`);
    // Clean start (keyframes, bandwidth probes), then light loss (NACK + RTX), a heavy burst,
    // a blackout, and a clean tail.
    await sleep(3000);
    setLoss(0.05);
    await sleep(4000);
    setLoss(0.4);
    await sleep(1500);
    setLoss(0);
    await sleep(1500);
    // An RTP blackout longer than libwebrtc's 3 s wait for a decodable frame, so the receivers
    // ask for keyframes (PLI) while STUN and RTCP keep flowing.
    setLoss(0, 1);
    await sleep(4000);
    setLoss(0);
    await sleep(3000);
    console.log(JSON.stringify(await page.evaluate(STATS_SCRIPT), null, 1));
    return { version: browser.version() };
  } finally {
    await browser.close();
    for (const relay of relays) relay.close();
    server.close();
    tcpdump.kill('SIGINT');
    await new Promise((resolve) => tcpdump.once('exit', resolve));
  }
}

interface Datagram {
  frame: number;
  srcPort: number;
  dstPort: number;
  bytes: Uint8Array;
}

/** UDP datagrams by 1-based frame number, from a pcap of `lo` (DLT_EN10MB, IPv4 only). */
function datagrams(pcap: Uint8Array): Datagram[] {
  const view = new DataView(pcap.buffer, pcap.byteOffset, pcap.byteLength);
  if (view.getUint32(0, true) !== 0xa1b2c3d4) throw new Error('expected a little-endian pcap');
  const out: Datagram[] = [];
  let offset = 24;
  for (let frame = 1; offset + 16 <= pcap.length; frame++) {
    const captured = view.getUint32(offset + 8, true);
    const start = offset + 16;
    offset = start + captured;
    // Ethernet header (14 bytes, zero MACs on lo), IPv4 with its IHL, then the UDP header.
    if (view.getUint16(start + 12) !== 0x0800 || view.getUint8(start + 23) !== 17) continue;
    const udp = start + 14 + (view.getUint8(start + 14) & 0x0f) * 4;
    out.push({
      frame,
      srcPort: view.getUint16(udp),
      dstPort: view.getUint16(udp + 2),
      bytes: pcap.subarray(udp + 8, udp + view.getUint16(udp + 4)),
    });
  }
  return out;
}

type Fields = Record<string, string[]>;

/**
 * Decodes the capture with tshark; returns frame number -> fields. For RTP, one entry holding
 * every layer above UDP (the RTP header, then RED blocks and the codec payload); for RTCP, one
 * entry per packet of the compound.
 */
function tshark(pcap: string, layer: 'rtp' | 'rtcp', options: string[]): Map<number, Fields[]> {
  const args = ['-r', pcap, ...options, '-T', 'json', '--no-duplicate-keys', '-Y', layer];
  const frames = JSON.parse(run('tshark', args)) as {
    _source: { layers: Record<string, unknown> };
  }[];
  const out = new Map<number, Fields[]>();
  for (const { _source } of frames) {
    const { frame, eth: _eth, ip: _ip, udp: _udp, ...above } = _source.layers;
    const number = Number((frame as Record<string, string>)['frame.number']);
    const value = _source.layers[layer];
    const elements =
      layer === 'rtcp' && Array.isArray(value) ? value : [layer === 'rtcp' ? value : above];
    out.set(
      number,
      elements.map((element) => {
        const fields: Fields = {};
        flatten(element, fields);
        return fields;
      }),
    );
  }
  return out;
}

function flatten(node: unknown, into: Fields): void {
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v !== 'string') flatten(v, into);
      else if (into[key]) into[key].push(v);
      else into[key] = [v];
    }
  }
}

interface SessionInfo {
  name: 'twcc' | 'remb';
  payloadTypes: Map<number, string>;
  extmap: Map<number, string>;
  rtxApt: Map<number, number>;
  /** SSRCs announced in the offer (sent by the offerer) and in the answer. */
  offererSsrcs: Set<number>;
  answererSsrcs: Set<number>;
}

function ssrcsOf(sdp: string): Set<number> {
  return new Set([...sdp.matchAll(/^a=ssrc:(\d+) /gm)].map((m) => Number(m[1])));
}

function sessionInfo(name: SessionInfo['name'], offer: string, answer: string): SessionInfo {
  const payloadTypes = new Map<number, string>();
  const extmap = new Map<number, string>();
  const rtxApt = new Map<number, number>();
  for (const line of offer.split('\r\n')) {
    const rtpmap = /^a=rtpmap:(\d+) ([^/]+)\//.exec(line);
    if (rtpmap?.[1] && rtpmap[2]) payloadTypes.set(Number(rtpmap[1]), rtpmap[2]);
    const ext = /^a=extmap:(\d+) (\S+)/.exec(line);
    if (ext?.[1] && ext[2]) extmap.set(Number(ext[1]), ext[2]);
    const apt = /^a=fmtp:(\d+) apt=(\d+)/.exec(line);
    if (apt?.[1] && apt[2]) rtxApt.set(Number(apt[1]), Number(apt[2]));
  }
  return {
    name,
    payloadTypes,
    extmap,
    rtxApt,
    offererSsrcs: ssrcsOf(offer),
    answererSsrcs: ssrcsOf(answer),
  };
}

const TRANSPORT_CC = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const EXTENSION_NAMES: Record<string, string> = {
  'urn:ietf:params:rtp-hdrext:ssrc-audio-level': 'audio-level',
  'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time': 'abs-send-time',
  [TRANSPORT_CC]: 'transport-cc',
  'urn:ietf:params:rtp-hdrext:sdes:mid': 'mid',
  'urn:ietf:params:rtp-hdrext:toffset': 'toffset',
  'urn:3gpp:video-orientation': 'video-orientation',
  'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay': 'playout-delay',
  'http://www.webrtc.org/experiments/rtp-hdrext/video-content-type': 'video-content-type',
  'http://www.webrtc.org/experiments/rtp-hdrext/video-timing': 'video-timing',
  'http://www.webrtc.org/experiments/rtp-hdrext/color-space': 'color-space',
  'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id': 'rid',
  'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id': 'repaired-rid',
};

interface Candidate {
  frame: number;
  session: SessionInfo['name'];
  /** Groups packets of the same shape; the selection spreads its picks over the groups. */
  kind: string;
  description: string;
  hex: string;
  ssrc?: number;
  transportSeq?: number;
  sender?: 'offerer' | 'answerer';
  twccBase?: number;
  twccMedia?: number;
}

const hexNumber = (value: string | undefined): number => Number(value);
const first = (f: Fields, key: string): string | undefined => f[key]?.[0];

/** TWCC packet chunk shape (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.2-3.1.4). */
function chunkShape(chunk: number): string {
  if ((chunk & 0x8000) === 0) {
    const symbol = ['not received', 'small delta', 'large delta', 'reserved'][(chunk >> 13) & 3];
    return `run-length(${symbol} x${chunk & 0x1fff})`;
  }
  return (chunk & 0x4000) === 0 ? 'vector(14 x 1-bit)' : 'vector(7 x 2-bit)';
}

const XR_BLOCKS: Record<string, string> = { '4': 'RRTR', '5': 'DLRR' };

function describeRtcpPacket(f: Fields, c: Candidate): { kind: string; text: string } {
  const pt = first(f, 'rtcp.pt');
  const sender = hexNumber(first(f, 'rtcp.senderssrc'));
  const media = hexNumber(first(f, 'rtcp.mediassrc'));
  const blocks = (f['rtcp.ssrc.identifier'] ?? []).map(hexNumber);
  const reports = `${blocks.length} report block(s)${blocks.length ? ` about ${blocks.join(', ')}` : ''}`;
  switch (pt) {
    case '200':
      return {
        kind: `SR${blocks.length}`,
        text: `SR from ${sender} (${first(f, 'rtcp.sender.packetcount')} packets, ${first(f, 'rtcp.sender.octetcount')} octets), ${reports}`,
      };
    case '201':
      return { kind: `RR${blocks.length}`, text: `RR from ${sender}, ${reports}` };
    case '202':
      return { kind: 'SDES', text: `SDES CNAME "${(f['rtcp.sdes.text'] ?? []).join('", "')}"` };
    case '203':
      return { kind: 'BYE', text: `BYE ${sender}` };
    case '207': {
      const types = (f['rtcp.xr.bt'] ?? []).map((t) => XR_BLOCKS[t] ?? `BT ${t}`);
      return { kind: `XR(${types.join(',')})`, text: `XR from ${sender}: ${types.join(', ')}` };
    }
    case '205': {
      const fmt = first(f, 'rtcp.rtpfb.fmt');
      if (fmt === '1') {
        // tshark lists each FCI's PID followed by the sequence numbers its BLP marks lost.
        const lost = f['rtcp.rtpfb.nack_pid'] ?? [];
        const blps = f['rtcp.rtpfb.nack_blp'] ?? [];
        return {
          kind: `NACK${blps.length > 1 ? 'n' : '1'}`,
          text: `RTPFB NACK from ${sender} for ${media}: ${blps.length} FCI entr${blps.length > 1 ? 'ies' : 'y'} (BLP ${blps.join(', ')}), lost seq ${lost.join(', ')}`,
        };
      }
      if (fmt === '15') {
        const base = Number(first(f, 'rtcp.rtpfb.transportcc.baseseq'));
        const chunks = (f['rtcp.rtpfb.transportcc.pktchunk'] ?? []).map((x) =>
          chunkShape(Number(x)),
        );
        c.twccBase = base;
        c.twccMedia = media;
        const shapes = [...new Set(chunks.map((x) => x.replace(/ x\d+/, '')))].join(',');
        return {
          kind: `TWCC[${shapes}]${chunks.length > 2 ? 'many' : chunks.length}`,
          text: `RTPFB TWCC from ${sender} for ${media}: base seq ${base}, status count ${first(f, 'rtcp.rtpfb.transportcc.statuscount')}, reference time ${first(f, 'rtcp.rtpfb.transportcc.reftime')}, fb pkt count ${first(f, 'rtcp.rtpfb.transportcc.pktcount')}, chunks ${chunks.join(' ')}, ${f['rtcp.rtpfb.transportcc.recv_delta']?.length ?? 0} recv deltas${first(f, 'rtcp.padding') === '1' ? ', padded' : ''}`,
        };
      }
      return { kind: `RTPFB${fmt}`, text: `RTPFB FMT ${fmt}` };
    }
    case '206': {
      const fmt = first(f, 'rtcp.psfb.fmt');
      if (fmt === '1') return { kind: 'PLI', text: `PSFB PLI from ${sender} for ${media}` };
      if (fmt === '4') return { kind: 'FIR', text: `PSFB FIR from ${sender}` };
      if (fmt === '15') {
        const bitrate =
          Number(first(f, 'rtcp.psfb.remb.fci.br_mantissa')) *
          2 ** Number(first(f, 'rtcp.psfb.remb.fci.br_exp'));
        const ssrcs = (f['rtcp.psfb.remb.fci.ssrc'] ?? []).map(hexNumber);
        return {
          kind: 'REMB',
          text: `PSFB REMB from ${sender}: ${bitrate} bps for ${ssrcs.join(', ')}`,
        };
      }
      return { kind: `PSFB${fmt}`, text: `PSFB FMT ${fmt}` };
    }
    default:
      return { kind: `PT${pt}`, text: `PT ${pt}` };
  }
}

function describeRtp(
  layers: Fields[],
  session: SessionInfo,
  c: Candidate,
): { kind: string; text: string } {
  const [f = {}] = layers;
  const pt = Number(first(f, 'rtp.p_type'));
  const codec = session.payloadTypes.get(pt) ?? `PT ${pt}`;
  const marker = first(f, 'rtp.marker') === '1';
  const padding = first(f, 'rtp.padding') === '1';
  const ids = (f['rtp.ext.rfc5285.id'] ?? []).map(Number);
  const data = f['rtp.ext.rfc5285.data'] ?? [];
  const extNames = ids.map(
    (id) => `${EXTENSION_NAMES[session.extmap.get(id) ?? ''] ?? '?'}(${id})`,
  );
  const transportIndex = ids.findIndex((id) => session.extmap.get(id) === TRANSPORT_CC);
  if (transportIndex >= 0) {
    c.transportSeq = Number.parseInt((data[transportIndex] ?? '').replaceAll(':', ''), 16);
    extNames[transportIndex] += ` = ${c.transportSeq}`;
  }
  const profile = first(f, 'rtp.ext.profile');
  const form =
    profile === '0xbede' ? 'one-byte' : profile === undefined ? 'no' : `profile ${profile}`;
  const payloadBytes = (first(f, 'rtp.payload') ?? '').split(':').filter(Boolean).length;
  let what: string = codec;
  let kind: string = codec;
  if (codec === 'rtx') {
    const apt = session.rtxApt.get(pt) ?? -1;
    what = `RTX of PT ${apt} (${session.payloadTypes.get(apt)})`;
    if (padding && payloadBytes === 0) {
      what += ', padding-only bandwidth probe';
      kind = 'rtx-padding';
    } else {
      kind = 'rtx';
    }
  } else if (codec === 'VP8') {
    what = `VP8 ${vp8Frame(f)}`;
    kind = what;
  } else if (codec === 'H264') {
    what = h264Packet(f);
    kind = what.replace(/ \(.*\)$/, '');
  } else if (codec === 'red') {
    // The first rtp.p_type is the RTP header's; the others are RED's block headers.
    const blocks = (f['rtp.p_type'] ?? []).slice(1);
    const primary = blocks.at(-1);
    what = `RED (RFC 2198), block PT(s) ${blocks.join(', ')}`;
    kind = `red-${primary}`;
  } else if (codec === 'opus') {
    what = 'Opus';
  }
  if (padding && kind !== 'rtx-padding')
    what += `, ${first(f, 'rtp.padding.count')} padding byte(s)`;
  return {
    kind: `${kind}-${marker}-${ids.length > 3 ? 'more' : 'usual'}`,
    text: `${what}, PT ${pt}, seq ${first(f, 'rtp.seq')}, timestamp ${first(f, 'rtp.timestamp')}, ssrc ${c.ssrc}${marker ? ', marker' : ''}; ${form} header extensions: ${extNames.join(' + ') || 'none'}`,
  };
}

/** RFC 6184 packetization: single NAL unit, STAP-A (24) or FU-A (28). */
function h264Packet(f: Fields): string {
  const headers = f['h264.nal_unit_hdr'] ?? [];
  const [outer, ...contained] = headers;
  if (outer === '24') return `H.264 STAP-A of NAL unit types ${contained.join(', ')}`;
  if (outer === '28') {
    const type = first(f, 'h264.nal_unit_type');
    const part =
      first(f, 'h264.start.bit') === '1'
        ? 'start'
        : first(f, 'h264.end.bit') === '1'
          ? 'end'
          : 'middle';
    return `H.264 FU-A ${part} of NAL unit type ${type}`;
  }
  return `H.264 single NAL unit type ${outer}`;
}

function vp8Frame(f: Fields): string {
  const start = first(f, 'vp8.pld.s') === '1' && first(f, 'vp8.pld.partid') === '0';
  if (!start) return 'continuation packet';
  const type = first(f, 'vp8.hdr.frametype') === '0' ? 'keyframe' : 'interframe';
  const size = f['vp8.keyframe.width']
    ? ` ${first(f, 'vp8.keyframe.width')}x${first(f, 'vp8.keyframe.height')}`
    : '';
  return `${type}${size} first packet`;
}

/** Round-robin over kinds, each kind's picks spread evenly over the capture. */
function pickSelection(cands: Candidate[], perKind: number, total: number): Candidate[] {
  const byKind = new Map<string, Candidate[]>();
  for (const c of cands)
    byKind.set(`${c.session}:${c.kind}`, [...(byKind.get(`${c.session}:${c.kind}`) ?? []), c]);
  const chosen = new Set<Candidate>();
  for (let round = 0; round < perKind; round++) {
    for (const list of byKind.values()) {
      const c = list[Math.floor((round * list.length) / perKind)];
      if (c && chosen.size < total) chosen.add(c);
    }
  }
  return [...chosen];
}

function select(outDir: string, pcap: string, origin: string): void {
  const read = (name: string) => readFileSync(join(outDir, name), 'utf8');
  const twcc = sessionInfo(
    'twcc',
    read('chromium-rtp-session.sdp'),
    read('chromium-rtp-session-answer.sdp'),
  );
  const remb = sessionInfo(
    'remb',
    read('chromium-remb-session.sdp'),
    read('chromium-remb-session-answer.sdp'),
  );
  const all = datagrams(readFileSync(pcap));
  const ports = [...new Set(all.map((d) => d.dstPort))];
  // RTP: heuristics plus each session's codecs by payload type. RTCP: RFC 5761 demultiplexing
  // below, with every port decoded as RTCP (tshark's RTCP heuristic misses TWCC feedback).
  const codecs: string[] = [];
  for (const session of [twcc, remb]) {
    for (const [pt, codec] of session.payloadTypes) {
      const dissector = { VP8: 'vp8', H264: 'h264', opus: 'opus', red: 'rtp_rfc2198' }[codec];
      if (dissector !== undefined) codecs.push('-d', `rtp.pt==${pt},${dissector}`);
    }
  }
  const heuristics = ['-o', 'rtp.heuristic_rtp:TRUE', '-o', 'rtcp.heuristic_rtcp:TRUE'];
  const rtpDecode = tshark(pcap, 'rtp', [...heuristics, ...codecs]);
  const rtcpDecode = tshark(
    pcap,
    'rtcp',
    ports.flatMap((p) => ['-d', `udp.port==${p},rtcp`]),
  );
  const rembSsrcs = new Set([...remb.offererSsrcs, ...remb.answererSsrcs]);
  const rtp: Candidate[] = [];
  const rtcp: Candidate[] = [];
  // Each datagram crosses lo twice (peer -> relay -> peer); keep its first sighting.
  const seen = new Set<string>();
  for (const d of all) {
    const hex = Buffer.from(d.bytes).toString('hex');
    const [b0 = 0, b1 = 0] = d.bytes;
    if (seen.has(hex) || b0 >> 6 !== 2) continue;
    seen.add(hex);
    if (b1 >= 192 && b1 <= 223) {
      const packets = rtcpDecode.get(d.frame);
      if (packets) rtcp.push({ frame: d.frame, session: 'twcc', kind: '', description: '', hex });
      continue;
    }
    const layers = rtpDecode.get(d.frame);
    if (!layers?.[0]) continue;
    const ssrc = hexNumber(first(layers[0], 'rtp.ssrc'));
    const session = rembSsrcs.has(ssrc) ? remb : twcc;
    const sender = session.offererSsrcs.has(ssrc)
      ? 'offerer'
      : session.answererSsrcs.has(ssrc)
        ? 'answerer'
        : undefined;
    const c: Candidate = {
      frame: d.frame,
      session: session.name,
      kind: '',
      description: '',
      hex,
      ssrc,
    };
    if (sender) c.sender = sender;
    const { kind, text } = describeRtp(layers, session, c);
    c.kind = kind;
    c.description = `${sender ? `${sender} -> ` : ''}${text}`;
    rtp.push(c);
  }
  for (const c of rtcp) {
    // The remb pair's receiver has no SSRC of its own in the SDP, so look at every SSRC named.
    const named = (rtcpDecode.get(c.frame) ?? []).flatMap((f) =>
      ['rtcp.senderssrc', 'rtcp.mediassrc', 'rtcp.ssrc.identifier', 'rtcp.psfb.remb.fci.ssrc']
        .flatMap((key) => f[key] ?? [])
        .map(hexNumber),
    );
    if (named.some((ssrc) => rembSsrcs.has(ssrc))) c.session = 'remb';
    const parts = (rtcpDecode.get(c.frame) ?? []).map((f) => describeRtcpPacket(f, c));
    c.kind = parts.map((p) => p.kind).join('+');
    c.description = parts.map((p) => p.text).join(' | ');
  }
  const histogram = (list: Candidate[]) => {
    const counts = new Map<string, number>();
    for (const c of list)
      counts.set(`${c.session} ${c.kind}`, (counts.get(`${c.session} ${c.kind}`) ?? 0) + 1);
    return [...counts].map(([k, n]) => `${String(n).padStart(5)}  ${k}`).join('\n');
  };
  console.log(`RTP:\n${histogram(rtp)}\nRTCP:\n${histogram(rtcp)}`);

  // Every RTCP shape once, and a second TWCC feedback packet of each chunk shape.
  const twccFeedback = rtcp.filter((c) => c.twccBase !== undefined);
  const rtcpChosen = new Set([
    ...pickSelection(rtcp, 1, 30),
    ...pickSelection(twccFeedback, 2, 12),
  ]);
  const rtpChosen = new Set(pickSelection(rtp, 1, 34));
  // Six consecutive transport-wide sequence numbers from the twcc offerer, mid-capture.
  const offerer = rtp.filter((c) => c.session === 'twcc' && c.sender === 'offerer');
  const run = offerer.slice(Math.floor(offerer.length / 2), Math.floor(offerer.length / 2) + 6);
  for (const c of run) rtpChosen.add(c);
  // For each chosen TWCC feedback, the RTP packet its base sequence number refers to.
  for (const fb of rtcpChosen) {
    if (fb.twccBase === undefined || fb.twccMedia === undefined) continue;
    const media = fb.twccMedia;
    const from = twcc.offererSsrcs.has(media) ? 'offerer' : 'answerer';
    const target = rtp.find((c) => c.sender === from && c.transportSeq === fb.twccBase);
    if (target) rtpChosen.add(target);
  }
  const write = (name: string, list: Iterable<Candidate>) => {
    const packets = [...list]
      .sort((x, y) => x.frame - y.frame)
      .map(({ frame, session, description, hex }) => ({ description, session, frame, hex }));
    writeFileSync(join(outDir, name), `${JSON.stringify({ origin, packets }, null, 2)}\n`);
    console.log(`wrote ${name} (${packets.length} packets)`);
  };
  write('chromium-rtp.json', rtpChosen);
  write('chromium-rtcp.json', rtcpChosen);
}

async function main(): Promise<void> {
  const outDir = process.argv[2] ?? 'packages/rtp-rtcp/test/fixtures';
  const existing = process.argv[3];
  mkdirSync(outDir, { recursive: true });
  let version = process.env.CHROMIUM_VERSION ?? '156.0.8078.79';
  if (existing === undefined) version = (await capture(outDir)).version;
  const date = new Date().toISOString().slice(0, 10);
  const origin = `Chromium ${version}, captured with tcpdump on lo (decoded with tshark) on ${date} by capture-chromium-packets.ts: two RTCPeerConnection pairs in one page, Opus + VP8 + H.264 with transport-cc (session "twcc") and VP8 with REMB (session "remb"), 127.0.0.1 candidates, --disable-webrtc-encryption, peers connected through a UDP relay that dropped 5% of datagrams for 4 s, 40% for 1.5 s and all RTP for 4 s`;
  select(outDir, existing ?? PCAP, origin);
}

await main();
