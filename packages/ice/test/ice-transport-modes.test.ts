import { afterEach, describe, expect, it } from 'vitest';
import { IceError } from '../src/errors.js';
import { CandidateGatherer } from '../src/gather/gatherer.js';
import { UdpMux } from '../src/mux/udp-mux.js';
import { baseFor } from '../src/node/candidate-sockets.js';
import { IceTransport, type IceTransportOptions } from '../src/node/ice-transport.js';
import { stateReached } from './transport-helpers.js';

const LOOPBACK_ONLY = {
  includeLoopback: true,
  interfaces: ['lo'],
  families: ['IPv4'],
} as const satisfies Partial<IceTransportOptions>;
const CONNECTED = ['connected', 'completed'] as const;

const opened: { close(): void }[] = [];
afterEach(() => {
  for (const resource of opened.splice(0).reverse()) resource.close();
});

function create(options: IceTransportOptions): IceTransport {
  const transport = IceTransport.create(options);
  opened.push(transport);
  return transport;
}

async function openMux(address = '127.0.0.1'): Promise<UdpMux> {
  const mux = await UdpMux.open({ address });
  opened.push(mux);
  return mux;
}

/** Signals `from`'s credentials and trickles its candidates to `to`, from now on. */
function signal(from: IceTransport, to: IceTransport): () => void {
  to.setRemoteCredentials(from.localCredentials);
  const offCandidate = from.on('candidate', ({ candidateString }) =>
    to.addRemoteCandidate(candidateString),
  );
  const offState = from.on('gathering-state', (state) => {
    if (state === 'complete') to.addRemoteCandidate(null);
  });
  return () => {
    offCandidate();
    offState();
  };
}

function nextSelectedPair(transport: IceTransport): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no new selected pair')), 10_000);
    const off = transport.on('selected-pair', () => {
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/** Sends `data` from `from` and resolves with what `to` receives. */
function roundTrip(from: IceTransport, to: IceTransport, data: Uint8Array): Promise<Uint8Array> {
  const arrived = new Promise<Uint8Array>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no datagram')), 5_000);
    const off = to.on('datagram', (received) => {
      clearTimeout(timer);
      off();
      resolve(new Uint8Array(received));
    });
  });
  from.send(data);
  return arrived;
}

async function connect(a: IceTransport, b: IceTransport): Promise<void> {
  signal(a, b);
  signal(b, a);
  await Promise.all([stateReached(a, CONNECTED), stateReached(b, CONNECTED)]);
}

describe('IceTransport on a UdpMux port', () => {
  it('a lite server agent on the shared port connects to a full client and carries data', async () => {
    const mux = await openMux();
    const server = create({ role: 'controlled', lite: true, udpMux: mux });
    const client = create({ ...LOOPBACK_ONLY, role: 'controlled' });
    client.setRemoteLite(true);
    expect(client.role).toBe('controlling');
    expect(server.lite).toBe(true);
    await connect(client, server);
    await stateReached(server, ['completed']);

    expect(server.localCandidates.map(({ candidate }) => candidate.port)).toEqual([
      mux.localAddress.port,
    ]);
    expect(server.selectedPair?.local.port).toBe(mux.localAddress.port);
    const toServer = Uint8Array.of(22, 254, 253, 7);
    expect(await roundTrip(client, server, toServer)).toEqual(toServer);
    const toClient = Uint8Array.of(0x80, 111, 0, 1);
    expect(await roundTrip(server, client, toClient)).toEqual(toClient);
    expect(mux.transportCount).toBe(1);
    server.close();
    expect(mux.transportCount).toBe(0);
  });

  it('twenty full agents share one port, each routed to its own peer by ufrag', async () => {
    const mux = await openMux();
    const pairs = Array.from({ length: 20 }, () => ({
      server: create({ role: 'controlling', udpMux: mux }),
      client: create({ ...LOOPBACK_ONLY, role: 'controlled' }),
    }));
    await Promise.all(pairs.map(({ server, client }) => connect(server, client)));
    expect(mux.transportCount).toBe(20);
    const echoes = await Promise.all(
      pairs.map(({ server, client }, i) => roundTrip(client, server, Uint8Array.of(23, i))),
    );
    expect(echoes).toEqual(pairs.map((_, i) => Uint8Array.of(23, i)));
    // Each server's data came only from its own client: nothing crossed over.
    for (const { server } of pairs) expect(server.stats.droppedFromOthers).toBe(0);
  });

  it('bound to a wildcard address, names the host addresses with the mux port; no srflx', async () => {
    const mux = await openMux('0.0.0.0');
    const transport = create({
      ...LOOPBACK_ONLY,
      role: 'controlled',
      udpMux: mux,
      iceServers: [{ urls: 'stun:127.0.0.1:9' }],
    });
    const errors: string[] = [];
    transport.on('candidate-error', (error) => errors.push(error.error.message));
    await new Promise<void>((resolve) =>
      transport.on('gathering-state', (state) => state === 'complete' && resolve()),
    );
    expect(transport.localCandidates.map(({ candidate }) => candidate)).toMatchObject([
      { type: 'host', address: '127.0.0.1', port: mux.localAddress.port },
    ]);
    expect(errors).toEqual([expect.stringMatching(/shared UDP port/)]);
  });
});

describe('IceTransport options', () => {
  it('rejects options that cannot go together, with IceError', async () => {
    expect(() => IceTransport.create({ role: 'controlling', lite: true })).toThrow(IceError);
    expect(() =>
      IceTransport.create({
        role: 'controlled',
        lite: true,
        iceServers: [{ urls: 'stun:127.0.0.1' }],
      }),
    ).toThrow(/host candidates only/);
    const mux = await openMux();
    const gatherer = CandidateGatherer.start(LOOPBACK_ONLY);
    opened.push(gatherer);
    expect(() => IceTransport.create({ role: 'controlled', udpMux: mux, gatherer })).toThrow(
      IceError,
    );
    expect(mux.transportCount).toBe(0);
  });

  it('two lite agents cannot connect: setRemoteLite on a lite transport throws', () => {
    const lite = create({ ...LOOPBACK_ONLY, role: 'controlled', lite: true });
    expect(() => lite.setRemoteLite(true)).toThrow(IceError);
  });
});

describe('IceTransport restart', () => {
  it('gathers again, keeps data flowing on the old pair, then moves to new sockets', async () => {
    const firstGatherer = CandidateGatherer.start(LOOPBACK_ONLY);
    const a = create({ role: 'controlling', gatherer: firstGatherer });
    const b = create({ ...LOOPBACK_ONLY, role: 'controlled' });
    const stopA = signal(a, b);
    const stopB = signal(b, a);
    await Promise.all([stateReached(a, CONNECTED), stateReached(b, CONNECTED)]);
    const oldPort = a.selectedPair?.local.port;
    const oldCredentials = a.localCredentials;
    stopA();
    stopB();

    const gatheringStates: string[] = [];
    a.on('gathering-state', (state) => gatheringStates.push(state));
    a.restart();
    b.restart();
    expect(a.restarting).toBe(true);
    expect(a.localCredentials.ufrag).not.toBe(oldCredentials.ufrag);
    expect(a.localCredentials.password).not.toBe(oldCredentials.password);
    // The old pair still carries data while the new generation gathers and checks.
    expect(await roundTrip(a, b, Uint8Array.of(23, 1))).toEqual(Uint8Array.of(23, 1));
    expect(a.state).not.toBe('checking');
    expect(firstGatherer.closed).toBe(false);

    const reselected = Promise.all([nextSelectedPair(a), nextSelectedPair(b)]);
    signal(a, b);
    signal(b, a);
    await reselected;
    // The listener first gets the sticky current state, then the restart's gathering.
    expect(gatheringStates).toEqual(['complete', 'gathering', 'complete']);
    expect(a.restarting).toBe(false);
    const newPort = a.selectedPair?.local.port;
    expect(newPort).not.toBe(oldPort);
    expect(a.localCandidates.map(({ candidate }) => candidate.port)).toEqual([newPort]);
    expect(await roundTrip(b, a, Uint8Array.of(23, 2))).toEqual(Uint8Array.of(23, 2));
    // The old generation's sockets are closed once the new pair is selected; the restart
    // gathered with the first gatherer's options (loopback only).
    expect(firstGatherer.closed).toBe(true);
    expect(firstGatherer.candidates[0]?.transport.closed).toBe(true);
  });

  it('on a mux, restarts under the new ufrag on the same port', async () => {
    const mux = await openMux();
    const server = create({ role: 'controlled', lite: true, udpMux: mux });
    const client = create({ ...LOOPBACK_ONLY, role: 'controlled' });
    client.setRemoteLite(true);
    const stops = [signal(client, server), signal(server, client)];
    await Promise.all([stateReached(client, CONNECTED), stateReached(server, CONNECTED)]);
    for (const stop of stops) stop();

    server.restart();
    client.restart();
    const reselected = Promise.all([nextSelectedPair(client), nextSelectedPair(server)]);
    signal(client, server);
    signal(server, client);
    await reselected;
    expect(server.localCandidates.map(({ candidate }) => candidate.port)).toEqual([
      mux.localAddress.port,
    ]);
    expect(await roundTrip(client, server, Uint8Array.of(23, 3))).toEqual(Uint8Array.of(23, 3));
    expect(await roundTrip(server, client, Uint8Array.of(23, 4))).toEqual(Uint8Array.of(23, 4));
  });
});

describe('baseFor', () => {
  const v4 = (address: string) => ({ address, port: 5000, family: 'IPv4' as const });
  const v6 = (address: string) => ({ address, port: 5000, family: 'IPv6' as const });
  const bases = [v6('2001:db8::1'), v4('192.0.2.1'), v4('127.0.0.1'), v6('::1')];

  it('picks the base of the peer family, loopback for a loopback peer', () => {
    expect(baseFor(bases, v4('127.0.0.1'))).toEqual(v4('127.0.0.1'));
    expect(baseFor(bases, v4('198.51.100.7'))).toEqual(v4('192.0.2.1'));
    expect(baseFor(bases, v6('::1'))).toEqual(v6('::1'));
    expect(baseFor(bases, v6('2001:db8::9'))).toEqual(v6('2001:db8::1'));
    expect(baseFor([v4('192.0.2.1')], v6('2001:db8::9'))).toEqual(v4('192.0.2.1'));
  });
});
