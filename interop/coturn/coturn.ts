/**
 * Starts a real coturn (Debian `coturn`, `/usr/bin/turnserver`) on loopback for the interop
 * tests: a config generated into a temp dir (not /etc/turnserver.conf), free ports, long-term
 * credentials, a self-signed certificate for TLS, and a readiness wait that proves the UDP, TCP
 * and TLS listeners answer before the test gets the server.
 *
 * A missing coturn or openssl makes `startCoturn` throw, so the interop tests fail on a machine
 * that lacks them instead of skipping silently; `.ci/run` installs both.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { SocketAddress } from '@typertc/common';
import { makeCertificate } from './certificate.js';
import { CoturnHarnessError } from './errors.js';
import { findFreePort, findFreePortRange, type PortRange } from './ports.js';
import { probeTcp, probeTls, probeUdp } from './readiness.js';

export { CoturnHarnessError } from './errors.js';
export { isBindingSuccessResponse, stunBindingRequest } from './stun-binding.js';

export interface CoturnOptions {
  /** Default "typertc". */
  readonly username?: string;
  /** Default "typertc-secret". */
  readonly password?: string;
  /** Default "typertc.test". */
  readonly realm?: string;
  /**
   * More turnserver.conf lines for a test of one behaviour, e.g. `stale-nonce=2`. They follow the
   * harness's own lines and coturn lets a later line win, so repeating a listening or relay
   * option here would make the addresses on CoturnServer wrong.
   */
  readonly extraConfig?: readonly string[];
  /** How long coturn may take to answer on all three listeners; default 10 s. */
  readonly startTimeoutMs?: number;
}

export interface CoturnServer {
  /** STUN/TURN over UDP. */
  readonly udp: SocketAddress;
  /** STUN/TURN over TCP: the same port number as `udp`, as coturn's `listening-port` is both. */
  readonly tcp: SocketAddress;
  /** STUN/TURN over TLS. */
  readonly tls: SocketAddress;
  readonly realm: string;
  readonly username: string;
  readonly password: string;
  /** PEM of the server's self-signed certificate: pass it as `ca` to trust the TLS listener. */
  readonly tlsCa: string;
  /** The name the certificate is issued to (also valid for 127.0.0.1): the TLS `servername`. */
  readonly tlsServerName: string;
  /** The UDP port range relayed transport addresses are allocated from (`min-port`..`max-port`). */
  readonly relayPorts: PortRange;
  /** Kills coturn (SIGTERM, then SIGKILL after a second) and removes its temp dir. Idempotent. */
  stop(): Promise<void>;
  /** Everything coturn has written to stdout and stderr so far, for failure messages. */
  log(): string;
}

const LOOPBACK = '127.0.0.1';
const TLS_SERVER_NAME = 'localhost';
const DEFAULT_START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 1_000;
/** Enough relayed addresses for the TURN tests' few allocations at a time. */
const RELAY_PORT_COUNT = 16;
/** Bounds the log kept in memory; a long verbose run keeps its most recent part. */
const MAX_LOG_CHARS = 1_000_000;

/**
 * Starts coturn and resolves once its UDP, TCP and TLS listeners answer. Throws
 * `CoturnHarnessError`: `INTEROP_TOOL_MISSING` without turnserver or openssl on PATH,
 * `COTURN_START_FAILED` (with coturn's log) if it is not ready within `startTimeoutMs`.
 */
export async function startCoturn(options: CoturnOptions = {}): Promise<CoturnServer> {
  const username = options.username ?? 'typertc';
  const password = options.password ?? 'typertc-secret';
  const realm = options.realm ?? 'typertc.test';
  checkConfigValue('username', username);
  checkConfigValue('password', password);
  checkConfigValue('realm', realm);
  if (username.includes(':')) {
    throw new CoturnHarnessError(
      'the username must not contain ":" (coturn reads user=name:password)',
      'INVALID_ARGUMENT',
    );
  }

  const turnserver = requireExecutable(
    'turnserver',
    'coturn is not installed (no turnserver on PATH): run .ci/run, which installs the Debian packages the interop tests need, or `apt-get install coturn`',
  );
  const openssl = requireExecutable(
    'openssl',
    'openssl is not installed (no openssl on PATH): run .ci/run or `apt-get install openssl`; the coturn harness needs it to make its TLS certificate',
  );

  const directory = await mkdtemp(join(tmpdir(), 'typertc-coturn-'));
  let server: RunningCoturn | undefined;
  try {
    const { certificatePath, keyPath } = makeCertificate(
      openssl,
      directory,
      TLS_SERVER_NAME,
      LOOPBACK,
    );
    const tlsCa = await readFile(certificatePath, 'utf8');
    const listeningPort = await findFreePort(LOOPBACK);
    const tlsPort = await findFreePort(LOOPBACK, [listeningPort]);
    const relayPorts = await findFreePortRange(LOOPBACK, RELAY_PORT_COUNT);
    const configPath = join(directory, 'turnserver.conf');
    await writeFile(
      configPath,
      configLines({
        listeningPort,
        tlsPort,
        relayPorts,
        username,
        password,
        realm,
        certificatePath,
        keyPath,
        directory,
        extraConfig: options.extraConfig ?? [],
      }).join('\n'),
    );

    const child = spawn(turnserver, ['-c', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    server = new RunningCoturn(child, directory, {
      udp: { address: LOOPBACK, port: listeningPort, family: 'IPv4' },
      tcp: { address: LOOPBACK, port: listeningPort, family: 'IPv4' },
      tls: { address: LOOPBACK, port: tlsPort, family: 'IPv4' },
      realm,
      username,
      password,
      tlsCa,
      tlsServerName: TLS_SERVER_NAME,
      relayPorts,
    });
    await server.waitUntilReady(options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    return server;
  } catch (error) {
    // stop() also removes the directory; before the spawn there is only the directory.
    if (server === undefined) await rm(directory, { recursive: true, force: true });
    else await server.stop();
    throw error;
  }
}

type ServerFacts = Omit<CoturnServer, 'stop' | 'log'>;

class RunningCoturn implements CoturnServer {
  readonly udp: SocketAddress;
  readonly tcp: SocketAddress;
  readonly tls: SocketAddress;
  readonly realm: string;
  readonly username: string;
  readonly password: string;
  readonly tlsCa: string;
  readonly tlsServerName: string;
  readonly relayPorts: PortRange;
  readonly #child: ChildProcess;
  readonly #directory: string;
  readonly #exited: Promise<void>;
  #log = '';
  #stopping: Promise<void> | undefined;
  /** Kills coturn if the test process exits without stop(), so no server outlives the run. */
  readonly #killOnExit = (): void => {
    this.#child.kill('SIGKILL');
  };

  constructor(child: ChildProcess, directory: string, facts: ServerFacts) {
    this.udp = facts.udp;
    this.tcp = facts.tcp;
    this.tls = facts.tls;
    this.realm = facts.realm;
    this.username = facts.username;
    this.password = facts.password;
    this.tlsCa = facts.tlsCa;
    this.tlsServerName = facts.tlsServerName;
    this.relayPorts = facts.relayPorts;
    this.#child = child;
    this.#directory = directory;
    const append = (chunk: Buffer): void => {
      this.#log += chunk.toString('utf8');
      if (this.#log.length > MAX_LOG_CHARS) this.#log = this.#log.slice(-MAX_LOG_CHARS);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    this.#exited = new Promise((resolve) => {
      child.once('exit', () => resolve());
      // spawn failures (ENOENT, EACCES) arrive as 'error' without 'exit'.
      child.once('error', (error) => {
        append(Buffer.from(`spawn error: ${error.message}\n`));
        resolve();
      });
    });
    process.once('exit', this.#killOnExit);
  }

  log(): string {
    return this.#log;
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    process.off('exit', this.#killOnExit);
    if (this.#isRunning()) {
      this.#child.kill('SIGTERM');
      let graceTimer: NodeJS.Timeout | undefined;
      const exitedInTime = await Promise.race([
        this.#exited.then(() => true),
        new Promise<boolean>((resolve) => {
          graceTimer = setTimeout(() => resolve(false), STOP_GRACE_MS);
        }),
      ]);
      clearTimeout(graceTimer);
      if (!exitedInTime) {
        this.#child.kill('SIGKILL');
        await this.#exited;
      }
    }
    await rm(this.#directory, { recursive: true, force: true });
  }

  #isRunning(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /**
   * Resolves once a STUN Binding request over UDP is answered and the TCP and TLS ports complete
   * a connection (a TLS handshake against `tlsCa`). On a timeout or an early exit it stops
   * coturn and throws with the log attached.
   */
  async waitUntilReady(timeoutMs: number): Promise<void> {
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new Error(`coturn was not ready within ${timeoutMs} ms`)),
      timeoutMs,
    );
    void this.#exited.then(() =>
      controller.abort(
        new Error(
          `coturn exited before it was ready (exit code ${this.#child.exitCode}, signal ${this.#child.signalCode})`,
        ),
      ),
    );
    try {
      const signal = controller.signal;
      await probeUdp(this.udp, signal);
      await probeTcp(this.tcp, signal);
      await probeTls(this.tls, this.tlsCa, this.tlsServerName, signal);
    } catch (error) {
      await this.stop();
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      throw new CoturnHarnessError(
        `${(reason as Error).message}\n--- coturn log ---\n${this.#log}`,
        'COTURN_START_FAILED',
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
  }
}

interface ConfigFacts {
  readonly listeningPort: number;
  readonly tlsPort: number;
  readonly relayPorts: PortRange;
  readonly username: string;
  readonly password: string;
  readonly realm: string;
  readonly certificatePath: string;
  readonly keyPath: string;
  readonly directory: string;
  readonly extraConfig: readonly string[];
}

/** turnserver.conf for coturn 4.6 (option names as in `turnserver -h`). */
function configLines(facts: ConfigFacts): string[] {
  return [
    `listening-ip=${LOOPBACK}`,
    `relay-ip=${LOOPBACK}`,
    // UDP and TCP listen on listening-port; TLS on tls-listening-port.
    `listening-port=${facts.listeningPort}`,
    `tls-listening-port=${facts.tlsPort}`,
    `min-port=${facts.relayPorts.min}`,
    `max-port=${facts.relayPorts.max}`,
    'lt-cred-mech',
    `user=${facts.username}:${facts.password}`,
    `realm=${facts.realm}`,
    'fingerprint',
    // Both test endpoints (client and peer) sit on 127.0.0.1, which coturn refuses as a peer
    // unless told otherwise.
    'allow-loopback-peers',
    `cert=${facts.certificatePath}`,
    `pkey=${facts.keyPath}`,
    // No DTLS listener: the TLS port then needs only TCP. No CLI (it would take port 5766).
    'no-dtls',
    'no-cli',
    // RFC 5780 discovery would open alternate ports (listening-port + 1) we have not reserved.
    'no-rfc5780',
    // Keep everything in the temp dir: the log on stdout, the pid file and the SQLite user db
    // (coturn opens one even with static users) instead of /var.
    'log-file=stdout',
    'simple-log',
    'verbose',
    `pidfile=${join(facts.directory, 'turnserver.pid')}`,
    `userdb=${join(facts.directory, 'turndb')}`,
    ...facts.extraConfig,
    '',
  ];
}

/** Config values go on `key=value` lines, so a line break or blank would corrupt the file. */
function checkConfigValue(name: string, value: string): void {
  if (value === '' || /\s/.test(value)) {
    throw new CoturnHarnessError(
      `the ${name} must be non-empty and contain no whitespace`,
      'INVALID_ARGUMENT',
    );
  }
}

/** The first executable `name` on PATH; if there is none, an error that says how to install it. */
function requireExecutable(name: string, missingMessage: string): string {
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    if (directory === '') continue;
    const candidate = join(directory, name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // Not in this directory; try the next.
    }
  }
  throw new CoturnHarnessError(missingMessage, 'INTEROP_TOOL_MISSING');
}
