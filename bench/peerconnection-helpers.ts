/**
 * The pieces of peerconnection.bench.ts: two peer connections of one stack connected to each
 * other in this process (TypeRTC's `RTCPeerConnection`, werift's), the same inside a Chromium
 * page, timeouts, and a garbage collector to call.
 *
 * Every connection is set up the same way: the offerer creates a data channel, offer and answer
 * go through the implicit `setLocalDescription()`, and each side's candidates are forwarded to
 * the other as they surface; one that surfaces before the other side has its remote
 * description waits until it has, then is added. The time runs from just before
 * `createDataChannel` to the `open` event of both ends (the offerer's channel and the one the
 * answerer's `datachannel` event delivers).
 */

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  type RTCDataChannel,
  type RTCDataChannelEvent,
  type RTCIceCandidate,
  RTCPeerConnection,
  type RTCPeerConnectionIceEvent,
} from '@typertc/peerconnection';
import {
  type RTCIceCandidate as WeriftCandidate,
  type RTCDataChannel as WeriftDataChannel,
  RTCPeerConnection as WeriftPeerConnection,
} from 'werift';

/** Two peer connections of one stack, connected, each with its end of one open channel. */
export interface ConnectedPair {
  /** Milliseconds from just before `createDataChannel` to both ends' `open`. */
  readonly elapsedMs: number;
  /** When each step was reached, in ms since the start (TypeRTC only; empty for werift). */
  readonly marks: Readonly<Record<string, number>>;
  /** One message from the offerer's end to the answerer's, then one back. */
  exchange(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export type Connect = (timeoutMs: number) => Promise<ConnectedPair>;

/** `promise`, or a rejection naming `what()` when it has not settled within `ms`. */
export function deadline<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what()}: not done within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A promise that rejects when `fail` is first called (marked handled, so never "unhandled"). */
function failure(): { promise: Promise<never>; fail: (error: Error) => void } {
  let fail: (error: Error) => void = () => {};
  const promise = new Promise<never>((_, reject) => {
    fail = reject;
  });
  promise.catch(() => {});
  return { promise, fail };
}

function missing(what: string): never {
  throw new Error(`${what} is missing`);
}

/**
 * Forwards `from`'s candidates to `add`, holding them until the returned function is called
 * (once the receiving side has its remote description).
 */
function trickle<C>(add: (candidate: C) => void): { push(c: C): void; release(): void } {
  let held: C[] | undefined = [];
  return {
    push(candidate) {
      if (held === undefined) add(candidate);
      else held.push(candidate);
    },
    release() {
      const queued = held ?? [];
      held = undefined;
      for (const candidate of queued) add(candidate);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// TypeRTC

function typertcOpened(channel: RTCDataChannel, onClose: () => void): Promise<void> {
  return new Promise((resolve) => {
    if (channel.readyState === 'open') resolve();
    channel.addEventListener('open', () => resolve(), { once: true });
    channel.addEventListener('close', onClose, { once: true });
  });
}

function typertcMessage(channel: RTCDataChannel): Promise<unknown> {
  return new Promise((resolve) =>
    channel.addEventListener('message', (event) => resolve((event as MessageEvent).data), {
      once: true,
    }),
  );
}

export const connectTypertc: Connect = async (timeoutMs) => {
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  const { promise: failed, fail } = failure();
  const marks: Record<string, number> = {};
  let start = 0;
  const mark = (name: string): void => {
    marks[name] ??= performance.now() - start;
  };
  const forward = (from: RTCPeerConnection, to: RTCPeerConnection) => {
    const queue = trickle<RTCIceCandidate | null>((candidate) => {
      if (to.signalingState === 'closed') return;
      to.addIceCandidate(candidate).catch((error: Error) =>
        fail(new Error(`TypeRTC addIceCandidate(${candidate?.candidate}): ${error.message}`)),
      );
    });
    from.addEventListener('icecandidate', (event) =>
      queue.push((event as RTCPeerConnectionIceEvent).candidate),
    );
    return queue;
  };
  const toB = forward(a, b);
  const toA = forward(b, a);
  for (const [side, pc] of [
    ['a', a],
    ['b', b],
  ] as const) {
    pc.addEventListener('iceconnectionstatechange', () => {
      if (pc.iceConnectionState === 'connected') mark(`${side} ICE connected`);
    });
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'connected') mark(`${side} DTLS connected`);
      if (pc.connectionState === 'failed') fail(new Error(`TypeRTC: ${side} failed`));
    });
  }
  const watchSctp = (side: string, pc: RTCPeerConnection): void => {
    const sctp = pc.sctp ?? missing(`TypeRTC ${side}.sctp`);
    if (sctp.state === 'connected') mark(`${side} SCTP established`);
    else
      sctp.addEventListener('statechange', () => {
        if (sctp.state === 'connected') mark(`${side} SCTP established`);
      });
  };
  const connect = async () => {
    const remote = new Promise<RTCDataChannel>((resolve) =>
      b.addEventListener('datachannel', (e) => resolve((e as RTCDataChannelEvent).channel), {
        once: true,
      }),
    );
    start = performance.now();
    const channel = a.createDataChannel('bench');
    const closedEarly = (side: string) => () => fail(new Error(`TypeRTC: ${side} closed early`));
    const openA = typertcOpened(channel, closedEarly('a')).then(() => mark('a channel open'));
    const openB = remote
      .then((theirs) => typertcOpened(theirs, closedEarly('b')))
      .then(() => mark('b channel open'));
    await a.setLocalDescription();
    mark('offer set');
    await b.setRemoteDescription(a.localDescription ?? missing('TypeRTC offer'));
    toB.release();
    await b.setLocalDescription();
    mark('answer set');
    watchSctp('b', b);
    await a.setRemoteDescription(b.localDescription ?? missing('TypeRTC answer'));
    toA.release();
    mark('answer applied');
    watchSctp('a', a);
    await Promise.all([openA, openB]);
    return { elapsedMs: performance.now() - start, channel, theirs: await remote };
  };
  const states = () =>
    `TypeRTC pair: a ${a.signalingState}/${a.iceConnectionState}/${a.connectionState}, ` +
    `b ${b.signalingState}/${b.iceConnectionState}/${b.connectionState}`;
  const close = async (): Promise<void> => {
    a.close();
    b.close();
  };
  try {
    const { elapsedMs, channel, theirs } = await deadline(
      Promise.race([connect(), failed]),
      timeoutMs,
      states,
    );
    return {
      elapsedMs,
      marks,
      async exchange(ms) {
        const there = typertcMessage(theirs);
        channel.send('ping');
        await deadline(Promise.race([there, failed]), ms, () => `${states()}, ping`);
        const back = typertcMessage(channel);
        theirs.send('pong');
        await deadline(Promise.race([back, failed]), ms, () => `${states()}, pong`);
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
};

// ---------------------------------------------------------------------------------------------
// werift

/** Host candidates only (no STUN: werift's default asks stun.l.google.com), IPv4, UDP. */
const WERIFT_CONFIG = { iceServers: [], iceUseTcp: false, iceUseIpv6: false };

function weriftOpened(channel: WeriftDataChannel): Promise<void> {
  return new Promise((resolve) => {
    if (channel.readyState === 'open') resolve();
    else channel.stateChanged.subscribe((state) => state === 'open' && resolve());
  });
}

function weriftMessage(channel: WeriftDataChannel): Promise<unknown> {
  return new Promise((resolve) => {
    const { unSubscribe } = channel.onMessage.subscribe((data) => {
      unSubscribe();
      resolve(data);
    });
  });
}

export const connectWerift: Connect = async (timeoutMs) => {
  const a = new WeriftPeerConnection(WERIFT_CONFIG);
  const b = new WeriftPeerConnection(WERIFT_CONFIG);
  const { promise: failed, fail } = failure();
  const forward = (from: WeriftPeerConnection, to: WeriftPeerConnection) => {
    const queue = trickle<WeriftCandidate | undefined>((candidate) => {
      if (to.signalingState === 'closed') return;
      to.addIceCandidate(candidate ?? null).catch((error: Error) =>
        fail(new Error(`werift addIceCandidate(${candidate?.candidate}): ${error.message}`)),
      );
    });
    from.onIceCandidate.subscribe((candidate) => queue.push(candidate));
    return queue;
  };
  const toB = forward(a, b);
  const toA = forward(b, a);
  for (const [side, pc] of [
    ['a', a],
    ['b', b],
  ] as const) {
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'failed') fail(new Error(`werift: ${side} failed`));
    });
  }
  const connect = async () => {
    const remote = new Promise<WeriftDataChannel>((resolve) => b.onDataChannel.subscribe(resolve));
    const start = performance.now();
    const channel = a.createDataChannel('bench');
    const openB = remote.then(weriftOpened);
    await a.setLocalDescription();
    await b.setRemoteDescription(a.localDescription ?? missing('werift offer'));
    toB.release();
    await b.setLocalDescription();
    await a.setRemoteDescription(b.localDescription ?? missing('werift answer'));
    toA.release();
    await Promise.all([weriftOpened(channel), openB]);
    return { elapsedMs: performance.now() - start, channel, theirs: await remote };
  };
  const states = () =>
    `werift pair: a ${a.signalingState}/${a.iceConnectionState}/${a.connectionState}, ` +
    `b ${b.signalingState}/${b.iceConnectionState}/${b.connectionState}`;
  const close = async (): Promise<void> => {
    await Promise.all([a.close(), b.close()]);
  };
  try {
    const { elapsedMs, channel, theirs } = await deadline(
      Promise.race([connect(), failed]),
      timeoutMs,
      states,
    );
    return {
      elapsedMs,
      marks: {},
      async exchange(ms) {
        const there = weriftMessage(theirs);
        channel.send('ping');
        await deadline(Promise.race([there, failed]), ms, () => `${states()}, ping`);
        const back = weriftMessage(channel);
        theirs.send('pong');
        await deadline(Promise.race([back, failed]), ms, () => `${states()}, pong`);
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
};

// ---------------------------------------------------------------------------------------------
// Chromium

/**
 * The same measurement inside one page: two `RTCPeerConnection`s, candidates handed over
 * directly (held until the remote description is set), `performance.now()` from just before
 * `createDataChannel` to both `open` events, both closed after each run. Evaluated as a
 * string, since this project's TypeScript has no DOM types. Resolves to the timed runs' ms.
 */
export function chromiumScript(warmups: number, runs: number, timeoutMs: number): string {
  return `(async () => {
  const once = () => new Promise((resolve, reject) => {
    const a = new RTCPeerConnection();
    const b = new RTCPeerConnection();
    const close = () => { a.close(); b.close(); };
    const fail = (error) => { clearTimeout(timer); close(); reject(error); };
    const timer = setTimeout(() => fail(new Error('Chromium pair: ' + a.connectionState + '/' +
      b.connectionState + ': not open within ${timeoutMs} ms')), ${timeoutMs});
    const forward = (from, to) => {
      let held = [];
      from.onicecandidate = (e) => held ? held.push(e.candidate) : to.addIceCandidate(e.candidate).catch(fail);
      return () => { const q = held; held = undefined; for (const c of q) to.addIceCandidate(c).catch(fail); };
    };
    const toB = forward(a, b);
    const toA = forward(b, a);
    let opened = 0;
    let start = 0;
    const open = () => {
      if (++opened < 2) return;
      const ms = performance.now() - start;
      clearTimeout(timer);
      close();
      resolve(ms);
    };
    b.ondatachannel = (e) => { if (e.channel.readyState === 'open') open(); else e.channel.onopen = open; };
    start = performance.now();
    a.createDataChannel('bench').onopen = open;
    (async () => {
      await a.setLocalDescription();
      await b.setRemoteDescription(a.localDescription);
      toB();
      await b.setLocalDescription();
      await a.setRemoteDescription(b.localDescription);
      toA();
    })().catch(fail);
  });
  const times = [];
  for (let i = 0; i < ${warmups + runs}; i++) {
    const ms = await once();
    if (i >= ${warmups}) times.push(ms);
  }
  return times;
})()`;
}

// ---------------------------------------------------------------------------------------------
// Garbage collection

export interface Collector {
  /**
   * Waits for closes to finish (sockets, werift's asynchronous teardown), then runs a full GC
   * twice, with a pause for finalizers in between.
   */
  collect(): Promise<void>;
  /** How it was obtained. */
  readonly how: string;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * `gc` from `node --expose-gc` (e.g. `NODE_OPTIONS=--expose-gc npm run bench`), or else the
 * same function turned on at run time (`v8.setFlagsFromString('--expose-gc')` and read from a
 * new context), or undefined when neither works.
 */
export function garbageCollector(): Collector | undefined {
  let gc: unknown = globalThis.gc;
  let how = 'node --expose-gc';
  if (typeof gc !== 'function') {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc');
      how = "v8.setFlagsFromString('--expose-gc') at run time (no --expose-gc given)";
    } catch {
      return undefined;
    }
  }
  if (typeof gc !== 'function') return undefined;
  const run = gc as () => void;
  return {
    how,
    async collect() {
      await pause(300);
      run();
      await pause(50);
      run();
    },
  };
}
