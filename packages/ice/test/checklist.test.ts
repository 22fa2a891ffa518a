import { describe, expect, it } from 'vitest';
import {
  candidateFoundation,
  candidatePriority,
  createLocalCandidate,
  type IceCandidate,
  type LocalCandidate,
  type LocalCandidateInit,
} from '../src/candidate.js';
import { Checklist } from '../src/checklist.js';
import { IceError } from '../src/errors.js';
import { type CandidatePair, pairPriority } from '../src/pair.js';

const HOST_PRIORITY = candidatePriority('host');
const RELAY_PRIORITY = candidatePriority('relay');

function host(address: string, port: number, init: Partial<LocalCandidateInit> = {}) {
  return createLocalCandidate({ type: 'host', address, port, ...init });
}

function srflx(address: string, port: number, of: LocalCandidate, server = '198.51.100.1') {
  return createLocalCandidate({
    type: 'srflx',
    address,
    port,
    base: of.base,
    serverAddress: server,
    localPreference: (of.priority >>> 8) & 0xffff,
  });
}

function relay(address: string, port: number) {
  return createLocalCandidate({ type: 'relay', address, port, serverAddress: '198.51.100.1' });
}

function remote(address: string, port: number, fields: Partial<IceCandidate> = {}): IceCandidate {
  return {
    foundation: 'r',
    component: 1,
    transport: 'udp',
    priority: HOST_PRIORITY,
    address,
    port,
    family: address.includes(':') ? 'IPv6' : 'IPv4',
    type: 'host',
    ...fields,
  };
}

/** `local:port>remote:port/component state`, one per pair, in checklist order. */
function describePairs(list: Checklist): string[] {
  return list.pairs.map(
    ({ local, remote, state }) =>
      `${local.address}:${local.port}>${remote.address}:${remote.port}/${local.component} ${state}`,
  );
}

function pairOf(list: Checklist, local: IceCandidate, other: IceCandidate): CandidatePair {
  const pair = list.pairs.find(
    (candidate) =>
      candidate.local.address === local.address &&
      candidate.local.port === local.port &&
      candidate.remote === other,
  );
  if (pair === undefined) throw new Error(`no pair ${local.address} > ${other.address}`);
  return pair;
}

function expectSorted(list: Checklist): void {
  const priorities = list.pairs.map((pair) => pair.priority);
  const sorted = [...priorities].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
  expect(priorities).toEqual(sorted);
}

describe('Checklist formation (RFC 8445 §6.1.2.2)', () => {
  it('pairs by component, transport and family, and link-local only with link-local', () => {
    const list = new Checklist({
      controlling: true,
      localCandidates: [
        host('192.168.1.2', 5000),
        host('2001:db8::2', 5002),
        host('fe80::2', 5004),
        host('192.168.1.2', 9, { transport: 'tcp', tcpType: 'active' }),
        host('192.168.1.2', 5001, { component: 2 }),
      ],
      remoteCandidates: [
        remote('198.51.100.9', 7000),
        remote('2001:db8::9', 7002),
        remote('fe80::9', 7004),
        remote('198.51.100.9', 7006, { transport: 'tcp', tcpType: 'passive' }),
        remote('198.51.100.9', 9, { transport: 'tcp', tcpType: 'active' }),
      ],
    });
    expect(describePairs(list).sort()).toEqual([
      '192.168.1.2:5000>198.51.100.9:7000/1 waiting',
      '192.168.1.2:9>198.51.100.9:7006/1 waiting',
      '2001:db8::2:5002>2001:db8::9:7002/1 waiting',
      'fe80::2:5004>fe80::9:7004/1 waiting',
    ]);
  });

  it('orders pairs by priority, highest first', () => {
    const list = new Checklist({
      controlling: true,
      localCandidates: [relay('192.0.2.50', 9000), host('10.0.0.2', 5000)],
      remoteCandidates: [
        remote('198.51.100.9', 7000, { type: 'relay', priority: RELAY_PRIORITY }),
        remote('198.51.100.10', 7001),
        remote('198.51.100.11', 7002, { type: 'srflx', priority: candidatePriority('srflx') }),
      ],
    });
    expectSorted(list);
    const ends = list.pairs.map((pair) => `${pair.local.type}>${pair.remote.type}`);
    expect(ends[0]).toBe('host>host');
    expect(ends[5]).toBe('relay>relay');
    for (const pair of list.pairs) {
      expect(pair.priority).toBe(pairPriority(true, pair.local, pair.remote));
    }
  });

  it('breaks priority ties the same way whatever the input order', () => {
    const a = remote('198.51.100.9', 7000);
    const b = remote('198.51.100.10', 7000);
    const locals = [host('10.0.0.2', 5000)];
    const forward = new Checklist({
      controlling: true,
      localCandidates: locals,
      remoteCandidates: [a, b],
    });
    const backward = new Checklist({
      controlling: true,
      localCandidates: locals,
      remoteCandidates: [b, a],
    });
    expect(forward.pairs[0]?.priority).toBe(forward.pairs[1]?.priority);
    expect(describePairs(backward)).toEqual(describePairs(forward));
  });
});

describe('Checklist pruning (RFC 8445 §6.1.2.4) and limit (§6.1.2.5)', () => {
  const h = host('10.0.0.2', 5000);
  const s = srflx('203.0.113.2', 6000, h);
  const r = remote('198.51.100.9', 7000);

  it('replaces a server-reflexive candidate by its host base and prunes the duplicate', () => {
    const list = new Checklist({
      controlling: true,
      localCandidates: [s, h],
      remoteCandidates: [r],
    });
    expect(list.pairs).toHaveLength(1);
    expect(list.pairs[0]?.local).toBe(h);
    expect(list.pairs[0]?.priority).toBe(pairPriority(true, h, r));
  });

  it('derives the host base when only the reflexive candidate is known', () => {
    const s2 = srflx('203.0.113.3', 6001, h, '198.51.100.2');
    const list = new Checklist({
      controlling: true,
      localCandidates: [s, s2],
      remoteCandidates: [r],
    });
    expect(list.pairs).toHaveLength(1);
    const [pair] = list.pairs as [CandidatePair];
    expect(pair.local).toMatchObject({
      type: 'host',
      address: '10.0.0.2',
      port: 5000,
      priority: h.priority,
      foundation: candidateFoundation('host', '10.0.0.2', undefined, 'udp'),
    });
    expect(pair.foundation).toBe(`${h.foundation}:r`);
    // The priority is the one the pair was formed with, from the srflx candidate (§6.1.2.3).
    expect(pair.priority).toBe(pairPriority(true, s, r));
  });

  it('keeps only the best maxPairs pairs', () => {
    const locals = [host('10.0.0.2', 5000), host('10.0.0.3', 5000, { localPreference: 100 })];
    const remotes = [1, 2, 3].map((i) => remote(`198.51.100.${i}`, 7000, { priority: i * 1000 }));
    const all = new Checklist({
      controlling: true,
      localCandidates: locals,
      remoteCandidates: remotes,
    });
    const capped = new Checklist({
      controlling: true,
      maxPairs: 3,
      localCandidates: locals,
      remoteCandidates: remotes,
    });
    expect(all.pairs).toHaveLength(6);
    expect(capped.pairs).toHaveLength(3);
    expect(capped.pairs.map((pair) => pair.priority)).toEqual(
      all.pairs.slice(0, 3).map((pair) => pair.priority),
    );
    expect(() => new Checklist({ controlling: true, maxPairs: 0 })).toThrow(IceError);
  });
});

describe('Checklist states (RFC 8445 §6.1.2.6, §6.1.4.2, §7.2.5.3.3)', () => {
  // Foundation hA:x spans components 1 and 2; the component-2 pair has the highest priority.
  const hA = host('10.0.0.2', 5000);
  const hA2 = host('10.0.0.2', 5001, { component: 2 });
  const relayed = relay('192.0.2.50', 9000);
  const x1 = remote('198.51.100.9', 7000, { foundation: 'x', priority: 2_000_000_000 });
  const y1 = remote('198.51.100.10', 7002, { foundation: 'x', priority: 1_000_000_000 });
  const x2 = remote('198.51.100.9', 7001, {
    foundation: 'x',
    priority: 2_100_000_000,
    component: 2,
  });
  const formed = () =>
    new Checklist({
      controlling: true,
      localCandidates: [hA, hA2, relayed],
      remoteCandidates: [x1, y1, x2],
    });

  it('starts one pair per foundation waiting: lowest component, then highest priority', () => {
    const list = formed();
    expect(list.pairs[0]?.local).toBe(hA2);
    expect(describePairs(list)).toEqual([
      '10.0.0.2:5001>198.51.100.9:7001/2 frozen',
      '10.0.0.2:5000>198.51.100.9:7000/1 waiting',
      '10.0.0.2:5000>198.51.100.10:7002/1 frozen',
      '192.0.2.50:9000>198.51.100.9:7000/1 waiting',
      '192.0.2.50:9000>198.51.100.10:7002/1 frozen',
    ]);
  });

  it('unfreezes the frozen pairs of a foundation when one of its pairs succeeds', () => {
    const list = formed();
    const first = pairOf(list, hA, x1);
    list.markInProgress(first);
    list.markSucceeded(first);
    expect(describePairs(list)).toEqual([
      '10.0.0.2:5001>198.51.100.9:7001/2 waiting',
      '10.0.0.2:5000>198.51.100.9:7000/1 succeeded',
      '10.0.0.2:5000>198.51.100.10:7002/1 waiting',
      '192.0.2.50:9000>198.51.100.9:7000/1 waiting',
      '192.0.2.50:9000>198.51.100.10:7002/1 frozen',
    ]);
  });

  it('checks waiting pairs by priority, then unfreezes one pair per idle foundation', () => {
    const list = formed();
    expect(list.nextToCheck()).toBe(pairOf(list, hA, x1));
    // nextToCheck does not change the state by itself.
    expect(list.nextToCheck()).toBe(pairOf(list, hA, x1));
    list.markInProgress(pairOf(list, hA, x1));
    expect(list.nextToCheck()).toBe(pairOf(list, relayed, x1));
    list.markInProgress(pairOf(list, relayed, x1));
    // Both foundations have a check in progress: nothing may be unfrozen.
    expect(list.nextToCheck()).toBeUndefined();
    list.markFailed(pairOf(list, relayed, x1));
    expect(list.nextToCheck()).toBe(pairOf(list, relayed, y1));
    list.markInProgress(pairOf(list, relayed, y1));
    list.markFailed(pairOf(list, hA, x1));
    // hA:x is idle now: its component-1 frozen pair goes first, the higher component-2 one waits.
    expect(list.nextToCheck()).toBe(pairOf(list, hA, y1));
    expect(pairOf(list, hA2, x2).state).toBe('frozen');
  });

  it('marks nominations and refuses pairs of another list', () => {
    const list = formed();
    const pair = pairOf(list, hA, x1);
    list.markNominated(pair);
    expect(pair.nominated).toBe(true);
    list.markFailed(pair);
    list.markWaiting(pair);
    expect(pair.state).toBe('waiting');
    const stranger = pairOf(formed(), hA, x1);
    expect(() => list.markSucceeded(stranger)).toThrow(IceError);
  });
});

describe('Checklist trickle (RFC 8838 §9–§12)', () => {
  const h = host('10.0.0.2', 5000);
  const relayed = relay('192.0.2.50', 9000);
  const x1 = remote('198.51.100.9', 7000, { foundation: 'x', priority: 2_000_000_000 });

  function checking(): Checklist {
    const list = new Checklist({
      controlling: true,
      localCandidates: [h, relayed],
      remoteCandidates: [x1],
    });
    const first = pairOf(list, h, x1);
    list.markInProgress(first);
    list.markSucceeded(first);
    list.markInProgress(pairOf(list, relayed, x1));
    return list;
  }

  it('inserts remote candidates in order, waiting or frozen by the three rules', () => {
    const list = checking();
    // Same remote foundation, lower priority: h>x3 joins a foundation with a success (rule 2),
    // relayed>x3 is not first in its foundation and has no success (rule 3).
    const x3 = remote('198.51.100.11', 7003, { foundation: 'x', priority: 1_500_000_000 });
    expect(list.addRemoteCandidate(x3)).toHaveLength(2);
    expect(pairOf(list, h, x3).state).toBe('waiting');
    expect(pairOf(list, relayed, x3).state).toBe('frozen');
    // Higher priority: relayed>x4 comes first in its foundation (rule 1).
    const x4 = remote('198.51.100.12', 7004, { foundation: 'x', priority: 2_100_000_000 });
    list.addRemoteCandidate(x4);
    expect(pairOf(list, relayed, x4).state).toBe('waiting');
    expect(describePairs(list)).toEqual([
      '10.0.0.2:5000>198.51.100.12:7004/1 waiting',
      '10.0.0.2:5000>198.51.100.9:7000/1 succeeded',
      '10.0.0.2:5000>198.51.100.11:7003/1 waiting',
      '192.0.2.50:9000>198.51.100.12:7004/1 waiting',
      '192.0.2.50:9000>198.51.100.9:7000/1 in-progress',
      '192.0.2.50:9000>198.51.100.11:7003/1 frozen',
    ]);
    expectSorted(list);
  });

  it('pairs a late local candidate with the known remotes', () => {
    const list = checking();
    list.addRemoteCandidate(remote('198.51.100.11', 7003, { foundation: 'x', priority: 10 }));
    const late = host('10.0.0.3', 5002, { localPreference: 1000 });
    const added = list.addLocalCandidate(late);
    expect(added.map((pair) => [pair.remote.port, pair.state])).toEqual([
      [7000, 'waiting'],
      [7003, 'frozen'],
    ]);
    expect(list.localCandidates).toContain(late);
    expectSorted(list);
  });

  it('holds a candidate with nothing to pair until its counterpart arrives', () => {
    const list = new Checklist({ controlling: false });
    expect(list.addRemoteCandidate(x1)).toEqual([]);
    expect(list.remoteCandidates).toEqual([x1]);
    const [pair] = list.addLocalCandidate(h);
    expect(pair).toMatchObject({ local: h, remote: x1, state: 'waiting' });
    expect(pair?.priority).toBe(pairPriority(false, h, x1));
  });

  it('ignores repeated and redundant candidates', () => {
    const list = checking();
    expect(list.addRemoteCandidate({ ...x1 })).toEqual([]);
    expect(list.addLocalCandidate(host('10.0.0.2', 5000, { localPreference: 7 }))).toEqual([]);
    expect(list.localCandidates).toHaveLength(2);
    // A srflx candidate whose base is already paired brings no new path.
    expect(list.addLocalCandidate(srflx('203.0.113.2', 6000, h))).toEqual([]);
    expect(list.pairs).toHaveLength(2);
  });

  it('replaces a pending pair by a better one on the same path, never one under check', () => {
    const s = srflx('203.0.113.2', 6000, h);
    const pending = new Checklist({
      controlling: true,
      localCandidates: [s],
      remoteCandidates: [x1],
    });
    const [replaced] = pending.addLocalCandidate(h);
    expect(replaced?.local).toBe(h);
    expect(pending.pairs).toEqual([replaced]);
    expect(replaced?.priority).toBe(pairPriority(true, h, x1));

    const busy = new Checklist({ controlling: true, localCandidates: [s], remoteCandidates: [x1] });
    const [derived] = busy.pairs as [CandidatePair];
    busy.markInProgress(derived);
    expect(busy.addLocalCandidate(h)).toEqual([]);
    expect(busy.pairs).toEqual([derived]);
    expect(derived.state).toBe('in-progress');
  });

  it('makes room in a full list: failed pairs first, then lower pending ones', () => {
    const a = remote('198.51.100.1', 7000, { priority: 3000 });
    const b = remote('198.51.100.2', 7000, { priority: 2000 });
    const list = new Checklist({
      controlling: true,
      maxPairs: 2,
      localCandidates: [h],
      remoteCandidates: [a, b],
    });
    // Lower than everything pending: dropped.
    expect(list.addRemoteCandidate(remote('198.51.100.3', 7000, { priority: 1000 }))).toEqual([]);
    // Higher than b's pair: b's pair goes.
    const d = remote('198.51.100.4', 7000, { priority: 4000 });
    expect(list.addRemoteCandidate(d)).toHaveLength(1);
    expect(list.pairs.map((pair) => pair.remote)).toEqual([d, a]);
    // A failed pair goes first, even for a new pair of lower priority.
    list.markInProgress(pairOf(list, h, a));
    list.markFailed(pairOf(list, h, a));
    const e = remote('198.51.100.5', 7000, { priority: 500 });
    expect(list.addRemoteCandidate(e)).toHaveLength(1);
    expect(list.pairs.map((pair) => pair.remote)).toEqual([d, e]);
    // Pairs in progress or succeeded are never discarded.
    list.markInProgress(pairOf(list, h, d));
    list.markInProgress(pairOf(list, h, e));
    expect(list.addRemoteCandidate(remote('198.51.100.6', 7000, { priority: 9000 }))).toEqual([]);
    expect(list.pairs).toHaveLength(2);
  });
});

describe('Checklist role change (RFC 8445 §7.2.5.1)', () => {
  it('recomputes priorities and reorders pairs whose order hangs on the role bit', () => {
    const h = host('10.0.0.2', 5000);
    const relayed = relay('192.0.2.50', 9000);
    const high = remote('198.51.100.9', 7000, { foundation: 'h', priority: HOST_PRIORITY });
    const low = remote('198.51.100.10', 7001, {
      foundation: 'l',
      type: 'relay',
      priority: RELAY_PRIORITY,
    });
    const list = new Checklist({
      controlling: true,
      localCandidates: [h, relayed],
      remoteCandidates: [high, low],
    });
    // h>low and relayed>high have the same MIN and MAX; the role decides which is G.
    const ours = pairOf(list, h, low);
    const theirs = pairOf(list, relayed, high);
    list.markInProgress(theirs);
    expect(list.pairs.indexOf(ours)).toBe(1);
    expect(list.pairs.indexOf(theirs)).toBe(2);
    expect(ours.priority - theirs.priority).toBe(1n);

    list.recomputePriorities(false);
    expect(list.controlling).toBe(false);
    expect(list.pairs.indexOf(theirs)).toBe(1);
    expect(list.pairs.indexOf(ours)).toBe(2);
    expect(theirs.priority - ours.priority).toBe(1n);
    for (const pair of list.pairs) {
      expect(pair.priority).toBe(pairPriority(false, pair.local, pair.remote));
    }
    expect(theirs.state).toBe('in-progress');
    expectSorted(list);
  });
});
