/**
 * The messages between rtp-forward.bench.ts (the main thread) and its peers (the forwarder's
 * worker thread, rtp-forward-worker.ts; the source's and sink's processes,
 * rtp-forward-child.ts): requests with an id, each answered once with a result or an error,
 * and the candidates a peer's connections surface, which the main thread passes to the peer
 * holding the other end; and the CPU snapshot every peer takes of itself.
 */

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export type Stack = 'typertc' | 'werift';

/**
 * Which peer a worker runs: the source S (TypeRTC, sends `streams` video tracks), the forwarder
 * F (`stack`: receives S's tracks on its `in` connection and writes each packet to the local
 * track of its `out` connection) or the sink K (TypeRTC, counts what arrives).
 */
export type Role = 'source' | 'forwarder' | 'sink';

/** A worker's peer connections: S has `out`, F has `in` and `out`, K has `in`. */
export type Leg = 'in' | 'out';

export interface PeerSetup {
  readonly role: Role;
  readonly stack: Stack;
  /** Video tracks each connection carries (m= sections, one SSRC each). */
  readonly streams: number;
}

export interface CandidateInit {
  readonly candidate: string;
  readonly sdpMid: string | null;
  readonly sdpMLineIndex: number | null;
}

/** What a peer has done so far; two of these give its CPU over the time between them. */
export interface CpuSnapshot {
  /** `performance.now()` in the thread, ms. */
  readonly wallMs: number;
  /**
   * CPU time of this thread alone, ns (the first field of /proc/thread-self/schedstat), or
   * undefined where Linux does not give it.
   */
  readonly threadCpuNs: number | undefined;
  /** `process.cpuUsage()`, user + system, µs: every thread of the process. */
  readonly processCpuMicros: number;
  /**
   * Datagrams the kernel dropped at this process's UDP sockets (receive buffer full), from
   * /proc/net/udp; undefined where Linux does not say. Says which hop lost what.
   */
  readonly udpDrops: number | undefined;
  /** `performance.eventLoopUtilization()` of this thread's loop, ms. */
  readonly loopActiveMs: number;
  readonly loopIdleMs: number;
}

export type Request =
  /** Creates an offer on `leg` (implicit setLocalDescription); answers with its SDP. */
  | { readonly op: 'offer'; readonly leg: Leg }
  /** Applies the remote offer `sdp` on `leg`, answers; resolves with the answer's SDP. */
  | { readonly op: 'answer'; readonly leg: Leg; readonly sdp: string }
  /** Applies the remote answer `sdp` on `leg`. */
  | { readonly op: 'accept'; readonly leg: Leg; readonly sdp: string }
  /** A remote candidate for `leg` (held until its remote description is set). */
  | { readonly op: 'candidate'; readonly leg: Leg; readonly candidate: CandidateInit }
  /** Resolves once every connection of the worker is connected, fails after `timeoutMs`. */
  | { readonly op: 'connected'; readonly timeoutMs: number }
  /**
   * Source: writes `payloadBytes`-byte packets round-robin on the first `streams` tracks,
   * `packetsPerSecond` in all, for `durationMs`; payload bytes 0–3 carry a packet index counted
   * from `firstIndex`. Resolves with what was sent.
   */
  | {
      readonly op: 'send';
      readonly packetsPerSecond: number;
      readonly streams: number;
      readonly durationMs: number;
      readonly firstIndex: number;
      readonly payloadBytes: number;
    }
  /** Sink: how many distinct packet indices in [from, to) have arrived. */
  | { readonly op: 'delivered'; readonly from: number; readonly to: number }
  | { readonly op: 'cpu' }
  /** The negotiated SRTP profile of each connection, from getStats. */
  | { readonly op: 'srtp' }
  | { readonly op: 'close' };

export interface SendResult {
  readonly sent: number;
  readonly elapsedMs: number;
}

/** Main thread → peer. */
export interface RequestMessage {
  readonly id: number;
  readonly request: Request;
}

/** Peer → main thread. */
export type PeerMessage =
  | { readonly id: number; readonly result: unknown }
  | { readonly id: number; readonly error: string }
  | { readonly event: 'candidate'; readonly leg: Leg; readonly candidate: CandidateInit };

/** This thread's CPU time in ns (Linux), or undefined. */
function threadCpuNs(): number | undefined {
  try {
    const ns = Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
    return Number.isFinite(ns) ? ns : undefined;
  } catch {
    return undefined;
  }
}

/** The drops column of /proc/net/udp{,6}, summed over the sockets this process holds. */
function udpDrops(): number | undefined {
  try {
    const inodes = new Set<string>();
    for (const fd of readdirSync('/proc/self/fd')) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
        if (match?.[1] !== undefined) inodes.add(match[1]);
      } catch {
        // Closed since the directory was read.
      }
    }
    let drops = 0;
    for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
      const rows = readFileSync(table, 'utf8').trim().split('\n').slice(1);
      for (const row of rows) {
        const fields = row.trim().split(/\s+/);
        // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
        if (inodes.has(fields[9] ?? '')) drops += Number(fields[12] ?? 0);
      }
    }
    return drops;
  } catch {
    return undefined;
  }
}

/** A snapshot of the calling thread and its process (each peer takes its own). */
export function cpuSnapshot(): CpuSnapshot {
  const loop = performance.eventLoopUtilization();
  const usage = process.cpuUsage();
  return {
    wallMs: performance.now(),
    threadCpuNs: threadCpuNs(),
    processCpuMicros: usage.user + usage.system,
    udpDrops: udpDrops(),
    loopActiveMs: loop.active,
    loopIdleMs: loop.idle,
  };
}
