/**
 * The hello messages: ClientHello with DTLS's cookie (RFC 6347 §4.2.1), ServerHello
 * (RFC 5246 §7.4.1.3) and HelloVerifyRequest (RFC 6347 §4.2.1). Each `encodeX` returns the
 * message body without the handshake header; each `parseX` takes that body, returns byte fields
 * as views into it, and throws only `DtlsParseError`.
 *
 * The extension block is optional in both hellos (RFC 5246 §7.4.1.2: present only when bytes
 * follow compression_methods): a parsed hello without one has no extensions, and an empty list
 * is encoded by leaving the block out.
 */

import type { ByteWriter } from '@typertc/common';
import {
  checkFixedLength,
  encodeWith,
  parseWith,
  type TlsReader,
  vector,
  writeU8List,
  writeU16List,
  writeVector,
} from './codec.js';
import { type Extension, readExtensions, writeExtensions } from './extensions.js';

/** Random: gmt_unix_time and 28 random bytes, treated as 32 opaque bytes (RFC 5246 §7.4.1.2). */
export const RANDOM_LENGTH = 32;

const SESSION_ID = vector('session_id', 0, 32);
const COOKIE = vector('cookie', 0, 0xff);
const CIPHER_SUITES = vector('cipher_suites', 2, 0xfffe);
const COMPRESSION_METHODS = vector('compression_methods', 1, 0xff);

/**
 *     struct {
 *       ProtocolVersion client_version;
 *       Random random;
 *       SessionID session_id;                              // <0..32>
 *       opaque cookie<0..2^8-1>;                           // RFC 6347 §4.2.1
 *       CipherSuite cipher_suites<2..2^16-2>;
 *       CompressionMethod compression_methods<1..2^8-1>;
 *       Extension extensions<0..2^16-1>;                   // optional
 *     } ClientHello;
 */
export interface ClientHello {
  readonly clientVersion: number;
  readonly random: Uint8Array;
  readonly sessionId: Uint8Array;
  /** Empty in the first ClientHello; the server's cookie in the second (RFC 6347 §4.2.1). */
  readonly cookie: Uint8Array;
  readonly cipherSuites: readonly number[];
  readonly compressionMethods: readonly number[];
  readonly extensions: readonly Extension[];
}

export function encodeClientHello(hello: ClientHello): Uint8Array {
  checkFixedLength(hello.random, RANDOM_LENGTH, 'random');
  return encodeWith((writer) => {
    writer.u16(hello.clientVersion).bytes(hello.random);
    writeVector(writer, SESSION_ID, hello.sessionId);
    writeVector(writer, COOKIE, hello.cookie);
    writeU16List(writer, CIPHER_SUITES, hello.cipherSuites);
    writeU8List(writer, COMPRESSION_METHODS, hello.compressionMethods);
    writeOptionalExtensions(writer, hello.extensions);
  });
}

export function parseClientHello(body: Uint8Array): ClientHello {
  return parseWith(body, 'ClientHello', (reader) => ({
    clientVersion: reader.u16(),
    random: reader.bytes(RANDOM_LENGTH),
    sessionId: reader.vector(SESSION_ID),
    cookie: reader.vector(COOKIE),
    cipherSuites: reader.u16List(CIPHER_SUITES),
    compressionMethods: reader.u8List(COMPRESSION_METHODS),
    extensions: readOptionalExtensions(reader),
  }));
}

/**
 *     struct {
 *       ProtocolVersion server_version;
 *       Random random;
 *       SessionID session_id;
 *       CipherSuite cipher_suite;
 *       CompressionMethod compression_method;
 *       Extension extensions<0..2^16-1>;                   // optional
 *     } ServerHello;
 */
export interface ServerHello {
  readonly serverVersion: number;
  readonly random: Uint8Array;
  readonly sessionId: Uint8Array;
  readonly cipherSuite: number;
  readonly compressionMethod: number;
  readonly extensions: readonly Extension[];
}

export function encodeServerHello(hello: ServerHello): Uint8Array {
  checkFixedLength(hello.random, RANDOM_LENGTH, 'random');
  return encodeWith((writer) => {
    writer.u16(hello.serverVersion).bytes(hello.random);
    writeVector(writer, SESSION_ID, hello.sessionId);
    writer.u16(hello.cipherSuite).u8(hello.compressionMethod);
    writeOptionalExtensions(writer, hello.extensions);
  });
}

export function parseServerHello(body: Uint8Array): ServerHello {
  return parseWith(body, 'ServerHello', (reader) => ({
    serverVersion: reader.u16(),
    random: reader.bytes(RANDOM_LENGTH),
    sessionId: reader.vector(SESSION_ID),
    cipherSuite: reader.u16(),
    compressionMethod: reader.u8(),
    extensions: readOptionalExtensions(reader),
  }));
}

/**
 *     struct {
 *       ProtocolVersion server_version;
 *       opaque cookie<0..2^8-1>;
 *     } HelloVerifyRequest;
 */
export interface HelloVerifyRequest {
  /** RFC 6347 §4.2.1: servers SHOULD send DTLS 1.0 (0xfeff), whatever is negotiated later. */
  readonly serverVersion: number;
  readonly cookie: Uint8Array;
}

export function encodeHelloVerifyRequest(request: HelloVerifyRequest): Uint8Array {
  return encodeWith((writer) => {
    writer.u16(request.serverVersion);
    writeVector(writer, COOKIE, request.cookie);
  });
}

export function parseHelloVerifyRequest(body: Uint8Array): HelloVerifyRequest {
  return parseWith(body, 'HelloVerifyRequest', (reader) => ({
    serverVersion: reader.u16(),
    cookie: reader.vector(COOKIE),
  }));
}

function readOptionalExtensions(reader: TlsReader): Extension[] {
  return reader.remaining === 0 ? [] : readExtensions(reader);
}

function writeOptionalExtensions(writer: ByteWriter, extensions: readonly Extension[]): void {
  if (extensions.length > 0) writeExtensions(writer, extensions);
}
