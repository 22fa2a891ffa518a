/**
 * DTLS: complete handshakes per second, and seal / open of 1200-byte records with each suite's
 * record cipher; TypeRTC beside werift 0.25 in the same run.
 *
 * Handshakes run in one process without sockets: two sans-I/O `DtlsConnection`s whose datagrams
 * are carried across by hand (no timers), and werift's `DtlsClient` and `DtlsServer` over an
 * in-memory transport that hands each datagram to the other side in a microtask (werift arms its
 * retransmission timers, but nothing waits for one). Every iteration
 * is a new pair and a whole handshake (ClientHello, HelloVerifyRequest, ClientHello with the
 * cookie, the server's flight, the client's, the server's Finished) until both sides are
 * connected: ECDSA P-256 certificates on both sides, made once; x25519;
 * TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256; extended master secret; use_srtp; the server asks
 * for the client's certificate, as werift's RTCDtlsTransport sets its sockets up. werift's
 * handshake is asynchronous, so that group runs after the synchronous ones (`runAsyncGroup`).
 *
 * Records: the bare `RecordCipher` objects a connection protects records with (no replay
 * window, no record header) from `createGcmCipher`, `createChaChaCipher` and `createCbcCipher`,
 * on the node and noble backends. @typertc/dtls does not export its record layer, so they are
 * loaded from the package's build. werift's counterpart is the `AEADCipher` its handshake
 * installs (`encrypt` / `decrypt` of one fragment), for AES-128-GCM only, the one suite werift
 * negotiates; our AES-128-GCM cipher takes the keys werift derives. Seal takes a new sequence
 * number every call; open cycles through records sealed in advance, each under its own number.
 * Before anything is timed, werift's records must be byte-identical to ours and each side must
 * open the other's.
 */

import {
  type CryptoBackend,
  getCryptoBackend,
  nobleCrypto,
  nodeCrypto,
  setCryptoBackend,
} from '@typertc/common';
import {
  CHACHA_IV_LENGTH,
  createCbcCipher,
  createChaChaCipher,
  createGcmCipher,
  type DtlsCertificate,
  DtlsConnection,
  type DtlsConnectionOptions,
  fingerprint,
  GCM_SALT_LENGTH,
  generateCertificate,
  HelloCookies,
  NamedGroup,
  type RecordCipher,
  SrtpProtectionProfile,
  SUPPORTED_GROUPS,
} from '@typertc/dtls';
import {
  CipherContext,
  DtlsClient,
  DtlsServer,
  type DtlsSocket,
  HashAlgorithm,
  NamedCurveAlgorithm,
  ProtectionProfileAes128CmHmacSha1_80,
  SignatureAlgorithm,
} from 'werift';
import type { AsyncBenchmarkGroup, BenchmarkEntry, BenchmarkGroup } from './harness.js';

/** The suite WebRTC endpoints negotiate with ECDSA certificates, and werift's only one. */
const HANDSHAKE_SUITE = 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256';
const RECORD_LENGTH = 1200;
/** Records sealed in advance for the open benchmarks, sequence numbers 0 to RING - 1. */
const RING = 2048;
/** RFC 5246 §6.2.1 ContentType.application_data; RFC 6347 §4.1 version DTLS 1.2 ({254, 253}). */
const APPLICATION_DATA = 23;
const DTLS_1_2 = 0xfefd;
/** Application data travels in epoch 1, the first after the handshake (RFC 6347 §4.1). */
const EPOCH = 1;
/** werift's SessionType.CLIENT and SERVER, which it does not export. */
const WERIFT_CLIENT = 1;
const WERIFT_SERVER = 2;

type WeriftRecordCipher = CipherContext['cipher'];
type WeriftCipherHeader = Parameters<WeriftRecordCipher['encrypt']>[2];
type WeriftTransport = ConstructorParameters<typeof DtlsClient>[0]['transport'];
type WeriftCertificate = Awaited<
  ReturnType<typeof CipherContext.createSelfSignedCertificateWithKey>
>;

interface Pair<Connection> {
  readonly client: Connection;
  readonly server: Connection;
}

// ---------------------------------------------------------------------------------------------
// Handshakes

/** Moves datagrams both ways until neither side has one to send. */
function pump(client: DtlsConnection, server: DtlsConnection): void {
  for (let moved = true; moved; ) {
    moved = false;
    for (let d = client.pollTransmit(); d !== undefined; d = client.pollTransmit()) {
      server.handleDatagram(d, 0);
      moved = true;
    }
    for (let d = server.pollTransmit(); d !== undefined; d = server.pollTransmit()) {
      client.handleDatagram(d, 0);
      moved = true;
    }
  }
}

/**
 * A function that makes a new connected TypeRTC pair. The fingerprints (as SDP would carry them)
 * and the server's cookie secret (one per listener) are made once.
 */
function typertcHandshaker(certificates: Pair<DtlsCertificate>): () => Pair<DtlsConnection> {
  const shared = {
    cipherSuites: [HANDSHAKE_SUITE],
    srtpProfiles: [SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80],
  };
  const fingerprintOf = (certificate: DtlsCertificate) => [
    { algorithm: 'sha-256', value: fingerprint(certificate.der) },
  ];
  const clientOptions: DtlsConnectionOptions = {
    role: 'client',
    certificate: certificates.client,
    remoteFingerprints: fingerprintOf(certificates.server),
    ...shared,
  };
  const serverOptions: DtlsConnectionOptions = {
    role: 'server',
    certificate: certificates.server,
    remoteFingerprints: fingerprintOf(certificates.client),
    cookies: new HelloCookies(),
    ...shared,
  };
  return () => {
    const client = new DtlsConnection(clientOptions);
    const server = new DtlsConnection(serverOptions);
    client.start(0);
    pump(client, server);
    if (client.state !== 'connected' || server.state !== 'connected') {
      const cause = client.error ?? server.error;
      throw new Error(`TypeRTC handshake ended ${client.state}/${server.state}`, { cause });
    }
    return { client, server };
  };
}

/** Two werift transports joined in memory: what one sends, the other receives in a microtask. */
function memoryLink(): Pair<WeriftTransport> {
  const address = { address: '127.0.0.1', family: 'IPv4', port: 5000 };
  const end = (): WeriftTransport => ({
    type: 'memory',
    address,
    closed: false,
    onData: () => {},
    send: async () => {},
    close: async () => {},
  });
  const client = end();
  const server = end();
  const peer: readonly [string, number] = [address.address, address.port];
  client.send = async (data) => queueMicrotask(() => server.onData(data, peer));
  server.send = async (data) => queueMicrotask(() => client.onData(data, peer));
  return { client, server };
}

function connected(socket: DtlsSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.onConnect.once(() => resolve());
    socket.onError.once(reject);
  });
}

/** werift's certificate and key, made its own way: ECDSA P-256, signing with SHA-256. */
function weriftCertificate(): Promise<WeriftCertificate> {
  return CipherContext.createSelfSignedCertificateWithKey(
    { signature: SignatureAlgorithm.ecdsa_3, hash: HashAlgorithm.sha256_4 },
    NamedCurveAlgorithm.secp256r1_23,
  );
}

/** A function that makes a new connected werift pair, configured as RTCDtlsTransport does. */
function weriftHandshaker(
  certificates: Pair<WeriftCertificate>,
): () => Promise<Pair<DtlsClient | DtlsServer>> {
  const options = (certificate: WeriftCertificate) => ({
    cert: certificate.certPem,
    key: certificate.keyPem,
    signatureHash: certificate.signatureHash,
    srtpProfiles: [ProtectionProfileAes128CmHmacSha1_80],
    extendedMasterSecret: true,
  });
  return async () => {
    const link = memoryLink();
    const server = new DtlsServer({
      transport: link.server,
      certificateRequest: true,
      ...options(certificates.server),
    });
    const client = new DtlsClient({ transport: link.client, ...options(certificates.client) });
    const handshake = Promise.all([connected(client), connected(server)]);
    // connect() settles only when werift's flight timer next fires, after the handshake.
    await Promise.race([handshake, client.connect().then(() => handshake)]);
    return { client, server };
  };
}

/**
 * Throws unless both pairs negotiated what the handshake benchmark says they do. Ours offers and
 * accepts the groups in `SUPPORTED_GROUPS` order, so two of ours agree on its first.
 */
function checkHandshakes(
  typertc: Pair<DtlsConnection>,
  werift: Pair<DtlsClient | DtlsServer>,
): void {
  const ours =
    typertc.client.cipherSuite === HANDSHAKE_SUITE &&
    SUPPORTED_GROUPS[0] === NamedGroup.x25519 &&
    typertc.client.srtpProfile === SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80;
  const theirs =
    werift.client.cipher.cipher.name === HANDSHAKE_SUITE &&
    werift.server.cipher.namedCurve === NamedCurveAlgorithm.x25519_29 &&
    werift.client.dtls.remoteExtendedMasterSecret &&
    werift.client.srtp.srtpProfile === ProtectionProfileAes128CmHmacSha1_80;
  if (!ours || !theirs) {
    throw new Error(
      `handshakes differ from the benchmark's setup (TypeRTC ${ours}, werift ${theirs})`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Records

interface RecordSuite {
  readonly label: string;
  /** A new cipher under the suite's fixed keys (one object seals and opens: same key). */
  readonly make: () => RecordCipher;
  /** werift's client and server ciphers, for the suite werift negotiates. */
  readonly werift?: Pair<WeriftRecordCipher>;
}

const BACKENDS: readonly CryptoBackend[] = [nodeCrypto, nobleCrypto];

function pattern(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 131 + seed * 29 + 7) & 0xff);
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Ciphers take their primitives from the backend active when they are made. */
function withBackend<T>(backend: CryptoBackend, make: () => T): T {
  const previous = getCryptoBackend();
  setCryptoBackend(backend);
  try {
    return make();
  } finally {
    setCryptoBackend(previous);
  }
}

function seal(cipher: RecordCipher, sequenceNumber: number, plaintext: Uint8Array): Uint8Array {
  return cipher.seal(APPLICATION_DATA, DTLS_1_2, EPOCH, sequenceNumber, plaintext);
}

function open(cipher: RecordCipher, sequenceNumber: number, fragment: Uint8Array): Uint8Array {
  return cipher.open(APPLICATION_DATA, DTLS_1_2, EPOCH, sequenceNumber, fragment);
}

function weriftHeader(sequenceNumber: number): WeriftCipherHeader {
  return { type: APPLICATION_DATA, version: DTLS_1_2, epoch: EPOCH, sequenceNumber };
}

function typertcSeal(cipher: RecordCipher, plaintext: Uint8Array): BenchmarkEntry['fn'] {
  const out = new Uint8Array(plaintext.length + cipher.maxOverhead);
  let sequenceNumber = 0;
  return () => cipher.seal(APPLICATION_DATA, DTLS_1_2, EPOCH, sequenceNumber++, plaintext, out);
}

function typertcOpen(cipher: RecordCipher, ring: readonly Uint8Array[]): BenchmarkEntry['fn'] {
  const out = new Uint8Array(RECORD_LENGTH);
  let next = 0;
  return () => {
    const sequenceNumber = next;
    next = (next + 1) % ring.length;
    const fragment = ring[sequenceNumber] as Uint8Array;
    return cipher.open(APPLICATION_DATA, DTLS_1_2, EPOCH, sequenceNumber, fragment, out);
  };
}

function weriftSeal(cipher: WeriftRecordCipher, plaintext: Buffer): BenchmarkEntry['fn'] {
  const header = weriftHeader(0);
  return () => {
    header.sequenceNumber++;
    return cipher.encrypt(WERIFT_CLIENT, plaintext, header);
  };
}

function weriftOpen(cipher: WeriftRecordCipher, ring: readonly Uint8Array[]): BenchmarkEntry['fn'] {
  const fragments = ring.map(asBuffer);
  const headers = ring.map((_, sequenceNumber) => weriftHeader(sequenceNumber));
  let next = 0;
  return () => {
    const sequenceNumber = next;
    next = (next + 1) % ring.length;
    return cipher.decrypt(
      WERIFT_SERVER,
      fragments[sequenceNumber] as Buffer,
      headers[sequenceNumber] as WeriftCipherHeader,
    );
  };
}

function expectSame(actual: Uint8Array, expected: Uint8Array, what: string): void {
  if (!asBuffer(actual).equals(asBuffer(expected))) throw new Error(`${what}: bytes differ`);
}

/**
 * Throws unless the work the entries are timed on is right: each backend's cipher opens what
 * the reference sealed and seals what it opens (byte for byte for the AEADs; CBC draws a random
 * IV per record); werift seals exactly the reference's bytes and opens them, and the reference
 * opens werift's.
 */
function checkRecords(
  { label, werift }: RecordSuite,
  reference: RecordCipher,
  ciphers: readonly { readonly backend: CryptoBackend; readonly cipher: RecordCipher }[],
  plaintext: Uint8Array,
): void {
  const sequenceNumber = 5;
  const expected = seal(reference, sequenceNumber, plaintext);
  for (const { backend, cipher } of ciphers) {
    const what = `${label} (${backend.name})`;
    const sealed = seal(cipher, sequenceNumber, plaintext);
    if (!label.includes('CBC')) expectSame(sealed, expected, `${what} seal`);
    expectSame(open(reference, sequenceNumber, sealed), plaintext, `${what} seal, open`);
    expectSame(open(cipher, sequenceNumber, expected), plaintext, `${what} open`);
  }
  if (werift === undefined) return;
  const header = weriftHeader(sequenceNumber);
  const fromWerift = werift.client.encrypt(WERIFT_CLIENT, asBuffer(plaintext), header);
  expectSame(fromWerift, expected, `${label} werift seal`);
  expectSame(open(reference, sequenceNumber, fromWerift), plaintext, `${label} werift's`);
  const opened = werift.server.decrypt(WERIFT_SERVER, asBuffer(expected), header);
  expectSame(opened, plaintext, `${label} werift open`);
}

/** The seal and the open group of one suite. */
function recordGroups(suite: RecordSuite): BenchmarkGroup[] {
  const { label, make, werift } = suite;
  const reference = make();
  const ciphers = BACKENDS.map((backend) => ({ backend, cipher: withBackend(backend, make) }));
  const plaintext = pattern(RECORD_LENGTH, 1);
  checkRecords(suite, reference, ciphers, plaintext);

  const ring = Array.from({ length: RING }, (_, n) => seal(reference, n, plaintext));
  const name = (backend: CryptoBackend) => `typertc (${backend.name})`;
  const seals = ciphers.map(({ backend, cipher }) => ({
    name: name(backend),
    fn: typertcSeal(cipher, plaintext),
  }));
  const opens = ciphers.map(({ backend, cipher }) => ({
    name: name(backend),
    fn: typertcOpen(cipher, ring),
  }));
  if (werift !== undefined) {
    seals.push({ name: 'werift', fn: weriftSeal(werift.client, asBuffer(plaintext)) });
    opens.push({ name: 'werift', fn: weriftOpen(werift.server, ring) });
  }
  const common = { bytesPerOp: RECORD_LENGTH, baseline: werift ? 'werift' : 'typertc (node)' };
  return [
    { name: `DTLS record seal ${label}, ${RECORD_LENGTH} B`, ...common, entries: seals },
    { name: `DTLS record open ${label}, ${RECORD_LENGTH} B`, ...common, entries: opens },
  ];
}

/**
 * The suites, keyed once. AES-128-GCM takes the client write key and IV werift derives from a
 * made-up master secret and randoms (RFC 5246 §6.3), so that werift's ciphers, keyed by that
 * derivation, and ours hold the same keys; the others take fixed patterns.
 */
function recordSuites(werift: Pair<WeriftRecordCipher>): RecordSuite[] {
  const [master, serverRandom, clientRandom] = [pattern(48, 1), pattern(32, 2), pattern(32, 3)];
  for (const cipher of [werift.client, werift.server]) {
    cipher.init(asBuffer(master), asBuffer(serverRandom), asBuffer(clientRandom));
  }
  const { clientWriteKey, clientNonce } = werift.client;
  if (clientWriteKey === undefined || clientNonce === undefined) throw new Error('werift unkeyed');
  const salt = clientNonce.subarray(0, GCM_SALT_LENGTH);
  return [
    { label: 'AES-128-GCM', make: () => createGcmCipher(clientWriteKey, salt), werift },
    {
      label: 'AES-256-GCM',
      make: () => createGcmCipher(pattern(32, 4), pattern(GCM_SALT_LENGTH, 5)),
    },
    {
      label: 'ChaCha20-Poly1305',
      make: () => createChaChaCipher(pattern(32, 6), pattern(CHACHA_IV_LENGTH, 7)),
    },
    { label: 'AES-128-CBC-SHA1', make: () => createCbcCipher(pattern(16, 8), pattern(20, 9)) },
  ];
}

// ---------------------------------------------------------------------------------------------
// Set-up, once: the record layer, certificates, a handshake of each kind to check, the groups.

const typertcHandshake = typertcHandshaker({
  client: await generateCertificate(),
  server: await generateCertificate(),
});
const weriftHandshake = weriftHandshaker({
  client: await weriftCertificate(),
  server: await weriftCertificate(),
});
const weriftPair = await weriftHandshake();
checkHandshakes(typertcHandshake(), weriftPair);

export const DTLS_HANDSHAKE: AsyncBenchmarkGroup = {
  name: 'DTLS handshake, ECDSA P-256, x25519, AES-128-GCM, in memory',
  baseline: 'werift',
  entries: [
    { name: 'typertc', run: async () => typertcHandshake() },
    { name: 'werift', run: weriftHandshake },
  ],
};

export const benchmarks: readonly BenchmarkGroup[] = recordSuites({
  client: weriftPair.client.cipher.cipher,
  server: weriftPair.server.cipher.cipher,
}).flatMap(recordGroups);
