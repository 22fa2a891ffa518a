/**
 * Two `DtlsTransport`s on the in-memory network, on a `ManualClock`: a server host and a client
 * host on the public realm, each on its own link, so a test sets the conditions of each
 * direction (a packet from the client crosses the client's uplink, then the server's downlink).
 * Time moves only through `runUntil`, in small steps, so timers and deliveries interleave as
 * they would on a real path.
 */

import { ManualClock } from '@typertc/common';
import {
  type DuplexLinkConditions,
  type LinkConditions,
  VirtualNetwork,
  type VirtualUdpSocket,
} from '@typertc/common/testing';
import type { DtlsCertificate } from '../src/certificate/certificate.js';
import { fingerprint } from '../src/certificate/fingerprint.js';
import type { DtlsConnectionOptions, DtlsState } from '../src/connection/options.js';
import { DtlsTransport } from '../src/node/dtls-transport.js';

/** Connection options a test may set on one side (the role and certificate are the pair's). */
export type SideOptions = Partial<Omit<DtlsConnectionOptions, 'role' | 'certificate'>>;

export interface NetworkPairOptions {
  readonly seed: number;
  readonly clientCertificate: DtlsCertificate;
  readonly serverCertificate: DtlsCertificate;
  readonly clientLink?: LinkConditions | DuplexLinkConditions;
  readonly serverLink?: LinkConditions | DuplexLinkConditions;
  readonly client?: SideOptions;
  readonly server?: SideOptions;
}

/** What one side saw: its state changes, the data records it received, its errors. */
export interface SideLog {
  readonly states: DtlsState[];
  readonly received: Uint8Array[];
  readonly errors: Error[];
}

export interface NetworkPair {
  readonly clock: ManualClock;
  readonly network: VirtualNetwork;
  readonly client: DtlsTransport;
  readonly server: DtlsTransport;
  readonly clientSocket: VirtualUdpSocket;
  readonly serverSocket: VirtualUdpSocket;
  readonly log: { readonly client: SideLog; readonly server: SideLog };
}

export const CLIENT_ADDRESS = '198.51.100.10';
export const SERVER_ADDRESS = '203.0.113.20';

function record(transport: DtlsTransport): SideLog {
  const log: SideLog = { states: [], received: [], errors: [] };
  transport.on('state', (state) => log.states.push(state));
  transport.on('datagram', (data) => log.received.push(data));
  transport.on('error', (error) => log.errors.push(error));
  return log;
}

/** Binds both sockets and creates both transports; the client's ClientHello is sent at once. */
export function dtlsOverNetwork(options: NetworkPairOptions): NetworkPair {
  const clock = new ManualClock();
  const network = new VirtualNetwork(clock, { seed: options.seed });
  const serverHost = network.addHost({
    name: 'server',
    addresses: [SERVER_ADDRESS],
    ...(options.serverLink !== undefined && { link: options.serverLink }),
  });
  const clientHost = network.addHost({
    name: 'client',
    addresses: [CLIENT_ADDRESS],
    ...(options.clientLink !== undefined && { link: options.clientLink }),
  });
  const serverSocket = serverHost.bind({ port: 5000 });
  const clientSocket = clientHost.bind({ port: 6000 });
  const server = DtlsTransport.create({
    transport: serverSocket,
    role: 'server',
    certificate: options.serverCertificate,
    remoteFingerprints: [
      { algorithm: 'sha-256', value: fingerprint(options.clientCertificate.der) },
    ],
    scheduler: clock,
    ...options.server,
  });
  const serverLog = record(server);
  const client = DtlsTransport.create({
    transport: clientSocket,
    remoteAddress: serverSocket.localAddress,
    role: 'client',
    certificate: options.clientCertificate,
    remoteFingerprints: [
      { algorithm: 'sha-256', value: fingerprint(options.serverCertificate.der) },
    ],
    scheduler: clock,
    ...options.client,
  });
  const clientLog = record(client);
  return {
    clock,
    network,
    client,
    server,
    clientSocket,
    serverSocket,
    log: { client: clientLog, server: serverLog },
  };
}

/**
 * Advances `clock` in `stepMs` steps (every timer and delivery on the way fires in order) until
 * `done()` holds or `limitMs` of simulated time have passed. Returns whether `done()` held.
 */
export function runUntil(
  clock: ManualClock,
  done: () => boolean,
  limitMs: number,
  stepMs = 5,
): boolean {
  const end = clock.now() + limitMs;
  while (!done()) {
    if (clock.now() >= end) return false;
    clock.advanceTo(Math.min(clock.now() + stepMs, end));
  }
  return true;
}

/** Both sides connected (or either one given up: a test then fails on the states). */
export function handshakeSettled(pair: NetworkPair): boolean {
  const settled = (state: DtlsState): boolean => state !== 'new' && state !== 'connecting';
  return settled(pair.client.state) && settled(pair.server.state);
}
