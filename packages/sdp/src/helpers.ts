/**
 * Lookups the upper layers need, with RFC fallbacks from media level to session level: ICE
 * credentials (RFC 8839 §5.4), fingerprints (RFC 8122 §5), setup (RFC 4145 §4), direction
 * (RFC 8866 §6.7), header extensions (RFC 8285 §5).
 */

import type { ExtensionMap } from '@typertc/common';
import type {
  Attribute,
  AttributeOf,
  Direction,
  KnownAttributeName,
  MediaDescription,
  SessionDescription,
} from './model.js';

function isNamed<N extends KnownAttributeName>(
  attribute: Attribute,
  name: N,
): attribute is AttributeOf<N> {
  return attribute.name === name && !('unknown' in attribute);
}

/** The first attribute called `name`, typed. */
export function findAttribute<N extends KnownAttributeName>(
  attributes: readonly Attribute[],
  name: N,
): AttributeOf<N> | undefined {
  for (const attribute of attributes) if (isNamed(attribute, name)) return attribute;
  return undefined;
}

/** Every attribute called `name`, typed, in order. */
export function findAttributes<N extends KnownAttributeName>(
  attributes: readonly Attribute[],
  name: N,
): AttributeOf<N>[] {
  return attributes.filter((attribute): attribute is AttributeOf<N> => isNamed(attribute, name));
}

/** Whether a flag attribute (`a=rtcp-mux`, `a=ice-lite`, ...) is present. */
export function hasAttribute(attributes: readonly Attribute[], name: KnownAttributeName): boolean {
  return findAttribute(attributes, name) !== undefined;
}

/** The media section's `a=mid`, if any. */
export function mid(media: MediaDescription): string | undefined {
  return findAttribute(media.attributes, 'mid')?.value;
}

export interface IceCredentials {
  ufrag: string;
  pwd: string;
}

/** `a=ice-ufrag`/`a=ice-pwd` of the media section, else of the session (RFC 8839 §5.4). */
export function iceCredentials(
  session: SessionDescription,
  media: MediaDescription,
): IceCredentials | undefined {
  const ufrag =
    findAttribute(media.attributes, 'ice-ufrag') ?? findAttribute(session.attributes, 'ice-ufrag');
  const pwd =
    findAttribute(media.attributes, 'ice-pwd') ?? findAttribute(session.attributes, 'ice-pwd');
  return ufrag === undefined || pwd === undefined
    ? undefined
    : { ufrag: ufrag.value, pwd: pwd.value };
}

/** Whether the peer is an ICE-lite implementation (`a=ice-lite`, session level: RFC 8839 §5.3). */
export function isIceLite(session: SessionDescription): boolean {
  return hasAttribute(session.attributes, 'ice-lite');
}

/** `a=ice-options` of the media section, else of the session (RFC 8839 §5.6). */
export function iceOptions(session: SessionDescription, media: MediaDescription): string[] {
  return (
    (
      findAttribute(media.attributes, 'ice-options') ??
      findAttribute(session.attributes, 'ice-options')
    )?.values ?? []
  );
}

export interface Fingerprint {
  algorithm: string;
  value: string;
}

/**
 * The certificate fingerprints that apply to a media section: its own `a=fingerprint` lines if
 * it has any, else the session's (RFC 8122 §5). Several are allowed, with any hash function.
 */
export function fingerprints(session: SessionDescription, media: MediaDescription): Fingerprint[] {
  const own = findAttributes(media.attributes, 'fingerprint');
  const chosen = own.length > 0 ? own : findAttributes(session.attributes, 'fingerprint');
  return chosen.map(({ algorithm, value }) => ({ algorithm, value }));
}

/** `a=setup` of the media section, else of the session (RFC 4145 §4, RFC 8842 §5). */
export function setupRole(
  session: SessionDescription,
  media: MediaDescription,
): string | undefined {
  return (findAttribute(media.attributes, 'setup') ?? findAttribute(session.attributes, 'setup'))
    ?.role;
}

const DIRECTIONS: readonly Direction[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

function directionOf(attributes: readonly Attribute[]): Direction | undefined {
  for (const attribute of attributes) {
    if (!('unknown' in attribute) && (DIRECTIONS as readonly string[]).includes(attribute.name)) {
      return attribute.name as Direction;
    }
  }
  return undefined;
}

/**
 * The direction of a media section: its own direction attribute, else the session's, else
 * `sendrecv` (RFC 8866 §6.7).
 */
export function mediaDirection(session: SessionDescription, media: MediaDescription): Direction {
  return directionOf(media.attributes) ?? directionOf(session.attributes) ?? 'sendrecv';
}

/** Replaces the media section's direction attribute (in place), or appends one. */
export function setMediaDirection(media: MediaDescription, direction: Direction): void {
  const index = media.attributes.findIndex(
    (attribute) =>
      !('unknown' in attribute) && (DIRECTIONS as readonly string[]).includes(attribute.name),
  );
  if (index >= 0) media.attributes[index] = { name: direction };
  else media.attributes.push({ name: direction });
}

export interface HeaderExtension {
  id: number;
  uri: string;
  direction: Direction | undefined;
  extensionAttributes: string | undefined;
}

/**
 * The RTP header extensions of a media section: the session's `a=extmap` lines, which apply to
 * every media section, with the media section's own replacing any with the same id (RFC 8285 §5).
 */
export function headerExtensions(
  session: SessionDescription,
  media: MediaDescription,
): HeaderExtension[] {
  const byId = new Map<number, HeaderExtension>();
  for (const list of [session.attributes, media.attributes]) {
    for (const { id, uri, direction, extensionAttributes } of findAttributes(list, 'extmap')) {
      byId.set(id, { id, uri, direction, extensionAttributes });
    }
  }
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** The header extensions of a media section as the id → URI map `@typertc/rtp-rtcp` encodes by. */
export function extensionMap(session: SessionDescription, media: MediaDescription): ExtensionMap {
  return new Map(headerExtensions(session, media).map(({ id, uri }) => [id, uri]));
}

/** Whether one- and two-byte header extensions may be mixed (RFC 8285 §6), at either level. */
export function extmapAllowMixed(session: SessionDescription, media: MediaDescription): boolean {
  return (
    hasAttribute(media.attributes, 'extmap-allow-mixed') ||
    hasAttribute(session.attributes, 'extmap-allow-mixed')
  );
}

/** The mids of the first `a=group:BUNDLE` (RFC 8843 §7), or an empty list. */
export function bundleMids(session: SessionDescription): string[] {
  return (
    findAttributes(session.attributes, 'group').find((group) => group.semantics === 'BUNDLE')
      ?.identifiers ?? []
  );
}
