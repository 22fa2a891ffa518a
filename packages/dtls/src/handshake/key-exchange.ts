/**
 * The ECDHE key exchange messages (RFC 8422 §5.4, §5.7) and the ServerHelloDone that closes the
 * server's key exchange flight (RFC 5246 §7.4.5). Each `encodeX` returns the body without the
 * handshake header; each `parseX` returns byte fields as views and throws only `DtlsParseError`.
 */

import { concatBytes } from '@typertc/common';
import { encodeWith, parseWith, type TlsReader, vector, writeVector } from './codec.js';
import { EcCurveType } from './ids.js';

const EC_POINT = vector('ECPoint', 1, 0xff);
const SIGNATURE = vector('signature', 0, 0xffff);

/**
 *     struct {
 *       ECParameters curve_params;      // curve_type named_curve (3), NamedCurve (u16)
 *       ECPoint public;                 // opaque point<1..2^8-1>
 *     } ServerECDHParams;
 *     struct {
 *       ServerECDHParams params;
 *       digitally-signed struct {
 *         opaque client_random[32];
 *         opaque server_random[32];
 *         ServerECDHParams params;
 *       } signed_params;                // SignatureAndHashAlgorithm, signature<0..2^16-1>
 *     } ServerKeyExchange;
 */
export interface ServerKeyExchange {
  /** A `NamedGroup`. */
  readonly namedCurve: number;
  /** The server's ephemeral public key, in the group's encoding. */
  readonly publicKey: Uint8Array;
  readonly signatureScheme: number;
  readonly signature: Uint8Array;
  /**
   * The ServerECDHParams exactly as they appear in the message: the signature covers these
   * bytes after the two randoms (RFC 8422 §5.4), so they must not be re-encoded to verify.
   */
  readonly params: Uint8Array;
}

/** What a server fills in; `params` is derived from `namedCurve` and `publicKey`. */
export type ServerKeyExchangeFields = Omit<ServerKeyExchange, 'params'>;

/** ServerECDHParams for a named curve: the bytes the server signs (RFC 8422 §5.4). */
export function encodeServerEcdhParams(namedCurve: number, publicKey: Uint8Array): Uint8Array {
  return encodeWith((writer) => {
    writer.u8(EcCurveType.namedCurve).u16(namedCurve);
    writeVector(writer, EC_POINT, publicKey);
  });
}

/** What the ServerKeyExchange signature signs: client_random + server_random + params. */
export function serverKeyExchangeSignedData(
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  params: Uint8Array,
): Uint8Array {
  return concatBytes(clientRandom, serverRandom, params);
}

export function encodeServerKeyExchange(message: ServerKeyExchangeFields): Uint8Array {
  return encodeWith((writer) => {
    writer.bytes(encodeServerEcdhParams(message.namedCurve, message.publicKey));
    writer.u16(message.signatureScheme);
    writeVector(writer, SIGNATURE, message.signature);
  });
}

export function parseServerKeyExchange(body: Uint8Array): ServerKeyExchange {
  return parseWith(body, 'ServerKeyExchange', (reader) => {
    const { namedCurve, publicKey } = readServerEcdhParams(reader);
    const params = body.subarray(0, reader.offset);
    return {
      namedCurve,
      publicKey,
      signatureScheme: reader.u16(),
      signature: reader.vector(SIGNATURE),
      params,
    };
  });
}

function readServerEcdhParams(reader: TlsReader): { namedCurve: number; publicKey: Uint8Array } {
  const curveType = reader.u8();
  // RFC 8422 §5.4: explicit_prime and explicit_char2 are deprecated; only named curves remain.
  if (curveType !== EcCurveType.namedCurve) reader.fail(`ECCurveType ${curveType}`, 0);
  return { namedCurve: reader.u16(), publicKey: reader.vector(EC_POINT) };
}

/**
 *     struct {
 *       ECPoint ecdh_Yc;                // opaque point<1..2^8-1>
 *     } ClientECDiffieHellmanPublic;    // the body of ClientKeyExchange
 */
export interface ClientKeyExchange {
  /** The client's ephemeral public key, in the negotiated group's encoding. */
  readonly publicKey: Uint8Array;
}

export function encodeClientKeyExchange(message: ClientKeyExchange): Uint8Array {
  return encodeWith((writer) => writeVector(writer, EC_POINT, message.publicKey));
}

export function parseClientKeyExchange(body: Uint8Array): ClientKeyExchange {
  return parseWith(body, 'ClientKeyExchange', (reader) => ({
    publicKey: reader.vector(EC_POINT),
  }));
}

/** ServerHelloDone has an empty body (RFC 5246 §7.4.5). */
export function encodeServerHelloDone(): Uint8Array {
  return new Uint8Array(0);
}

/** Throws `DtlsParseError` unless the body is empty (RFC 5246 §7.4.5). */
export function parseServerHelloDone(body: Uint8Array): void {
  parseWith(body, 'ServerHelloDone', () => undefined);
}
