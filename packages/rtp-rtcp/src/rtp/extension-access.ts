/**
 * Reading and writing header extensions by URI through the session's `ExtensionMap` (id → URI,
 * from SDP `a=extmap`, RFC 8285 §5). For per-packet work, resolve the id once with
 * `extensionId` and use `packet.extensions.get(id)` with a codec directly.
 */

import type { ExtensionMap } from '@typertc/common';
import {
  type HeaderExtensionValue,
  headerExtensionCodecs,
  type KnownExtensionUri,
} from './extension-codecs.js';
import type { RtpPacket } from './packet.js';

/** The id `map` assigns to `uri`, or undefined when it was not negotiated. */
export function extensionId(map: ExtensionMap, uri: string): number | undefined {
  for (const [id, mapped] of map) if (mapped === uri) return id;
  return undefined;
}

/**
 * The decoded value of the extension `uri` in `packet`, or undefined when the URI is not in
 * `map` or the packet does not carry it. A malformed value raises `RtpParseError`.
 */
export function getExtension<U extends KnownExtensionUri>(
  packet: RtpPacket,
  map: ExtensionMap,
  uri: U,
): HeaderExtensionValue<U> | undefined {
  const id = extensionId(map, uri);
  if (id === undefined) return undefined;
  const value = packet.extensions.get(id);
  if (value === undefined) return undefined;
  return headerExtensionCodecs[uri].decode(value) as HeaderExtensionValue<U>;
}

/**
 * Encodes `value` and sets it as the extension `uri` of `packet`; false (and nothing set) when
 * the URI is not in `map`.
 */
export function setExtension<U extends KnownExtensionUri>(
  packet: RtpPacket,
  map: ExtensionMap,
  uri: U,
  value: HeaderExtensionValue<U>,
): boolean {
  const id = extensionId(map, uri);
  if (id === undefined) return false;
  const codec = headerExtensionCodecs[uri] as {
    encode(value: HeaderExtensionValue<U>): Uint8Array;
  };
  packet.extensions.set(id, codec.encode(value));
  return true;
}

/** Removes the extension `uri` from `packet`; whether it was there. */
export function removeExtension(packet: RtpPacket, map: ExtensionMap, uri: string): boolean {
  const id = extensionId(map, uri);
  return id !== undefined && packet.extensions.delete(id);
}
