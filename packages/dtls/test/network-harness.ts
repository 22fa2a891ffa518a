/**
 * Two `DtlsTransport`s on the in-memory network, on a `ManualClock`: a server host and a client
 * host each on its own link, so a test sets the conditions of each direction (a packet from the
 * client crosses the client's uplink, then the server's downlink). Time moves only through
 * `runUntil`, in small steps, so timers and deliveries interleave as they would on a real path.
 */

import { ManualClock } from '@typertc/common';
import {
  type DuplexLinkConditions,
  type LinkConditions,
  VirtualNetwork,
  type VirtualUdpSocket,
} from '@typertc/common/testing';
import type { DtlsCertificate } from '../src/certificate/certificate.js';
import type { DtlsConnectionOptions, DtlsState } from '../src/connection/options.js';
import { DtlsTransport } from '../src/node/dtls-transport.js';
import { fingerprintsOf } from './certificate-fixtures.js';

/** Connection options a test may set on one side (the role and certificate are the pair's). */
export type SideOptions = Partial<Omit<DtlsConnectionOptions, 'role' | 'certificate'>>;

/** What a host's link does to its packets: the same both ways, or each direction its own. */
type HostLink = LinkConditions | DuplexLinkConditions;

export interface NetworkPairOptions {
  readonly seed: number;
  readonly clientCertificate: DtlsCertificate;
  readonly serverCertificate: DtlsCertificate;
  readonly clientLink?: HostLink;
  readonly serverLink?: HostLink;
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

const CLIENT_ADDRESS = '198.51.100.10';
const SERVER_ADDRESS = '203.0.113.20';

function logOf(transport: DtlsTransport): SideLog {
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
  const bind = (name: string, address: string, port: number, link: HostLink | undefined) =>
    network
      .addHost({ name, addresses: [address], ...(link !== undefined && { link }) })
      .bind({ port });
  const serverSocket = bind('server', SERVER_ADDRESS, 5000, options.serverLink);
  const clientSocket = bind('client', CLIENT_ADDRESS, 6000, options.clientLink);
  const server = DtlsTransport.create({
    transport: serverSocket,
    role: 'server',
    certificate: options.serverCertificate,
    remoteFingerprints: fingerprintsOf(options.clientCertificate),
    scheduler: clock,
    ...options.server,
  });
  const serverLog = logOf(server);
  const client = DtlsTransport.create({
    transport: clientSocket,
    remoteAddress: serverSocket.localAddress,
    role: 'client',
    certificate: options.clientCertificate,
    remoteFingerprints: fingerprintsOf(options.serverCertificate),
    scheduler: clock,
    ...options.client,
  });
  const clientLog = logOf(client);
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

/** Neither side is still connecting: both connected, or one gave up (the test checks which). */
export function handshakeSettled(pair: NetworkPair): boolean {
  const settled = (state: DtlsState): boolean => state !== 'new' && state !== 'connecting';
  return settled(pair.client.state) && settled(pair.server.state);
}
