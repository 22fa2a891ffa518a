/**
 * `a=` lines: parsing each known attribute into its typed form and formatting it back. An
 * attribute TypeRTC does not know is kept as an `UnknownAttribute`, verbatim and in place.
 */

import { formatCandidate, parseCandidate } from './candidate.js';
import { SdpParseError } from './errors.js';
import { FmtpParameters } from './fmtp.js';
import { isToken, parseDigits, splitSpaces } from './lexical.js';
import type {
  Attribute,
  Connection,
  Direction,
  FlagAttributeName,
  RidRestriction,
  SimulcastDirection,
  UnknownAttribute,
} from './model.js';

/** Where a line came from, for errors. */
export interface LineContext {
  readonly line: number;
  readonly text: string;
  readonly offset: number;
}

const bareContext = (text: string): LineContext => ({ line: 0, text, offset: 0 });

const FLAG_ATTRIBUTES: ReadonlySet<string> = new Set<FlagAttributeName>([
  'ice-lite',
  'extmap-allow-mixed',
  'rtcp-mux',
  'rtcp-mux-only',
  'rtcp-rsize',
  'end-of-candidates',
  'bundle-only',
  'sendrecv',
  'sendonly',
  'recvonly',
  'inactive',
]);

const DIRECTIONS: ReadonlySet<string> = new Set<Direction>([
  'sendrecv',
  'sendonly',
  'recvonly',
  'inactive',
]);

function fail(context: LineContext, message: string): never {
  throw new SdpParseError(message, context.line, context.text, context.offset);
}

function integer(
  text: string | undefined,
  context: LineContext,
  what: string,
  max: number,
): number {
  const value = text === undefined ? -1 : parseDigits(text);
  if (value < 0) fail(context, `${what} is not a number`);
  if (value > max) fail(context, `${what} ${value} is out of range`);
  return value;
}

const payloadType = (text: string | undefined, context: LineContext): number =>
  integer(text, context, 'payload type', 127);

function requireValue(name: string, value: string | undefined, context: LineContext): string {
  if (value === undefined || value === '') fail(context, `a=${name} needs a value`);
  return value;
}

/** Splits on single spaces; an empty token (two spaces, a leading or trailing one) is malformed. */
function words(value: string, context: LineContext): string[] {
  return splitSpaces(value) ?? fail(context, 'unexpected space');
}

function connection(parts: string[], context: LineContext): Connection {
  const [netType, addrType, address] = parts;
  if (
    parts.length !== 3 ||
    netType === undefined ||
    addrType === undefined ||
    address === undefined
  ) {
    fail(context, 'expected <nettype> <addrtype> <address>');
  }
  return { netType, addrType, address };
}

/** RFC 8851 §10: `rid-id SP rid-dir [SP rid-pt-param-list / SP rid-param-list]`. */
function parseRid(value: string, context: LineContext): Attribute {
  const [id, direction, params, ...extra] = words(value, context);
  if (id === undefined || !/^[A-Za-z0-9_-]+$/.test(id)) fail(context, 'bad rid id');
  if (direction !== 'send' && direction !== 'recv')
    fail(context, 'rid direction must be send or recv');
  if (extra.length > 0) fail(context, 'unexpected text after the rid parameters');
  let payloadTypes: string[] | undefined;
  const restrictions: RidRestriction[] = [];
  if (params !== undefined) {
    params.split(';').forEach((param, index) => {
      const equals = param.indexOf('=');
      const name = equals < 0 ? param : param.slice(0, equals);
      const paramValue = equals < 0 ? undefined : param.slice(equals + 1);
      if (!isToken(name)) fail(context, 'bad rid parameter');
      if (name === 'pt' && index === 0) {
        if (paramValue === undefined) fail(context, 'rid pt needs a list');
        payloadTypes = paramValue.split(',');
        if (payloadTypes.some((pt) => !isToken(pt))) fail(context, 'bad rid payload type');
      } else {
        restrictions.push({ name, value: paramValue });
      }
    });
  }
  return { name: 'rid', id, direction, payloadTypes, restrictions };
}

function formatRid(attribute: Extract<Attribute, { name: 'rid' }>): string {
  const params: string[] = [];
  if (attribute.payloadTypes !== undefined) params.push(`pt=${attribute.payloadTypes.join(',')}`);
  for (const { name, value } of attribute.restrictions) {
    params.push(value === undefined ? name : `${name}=${value}`);
  }
  const tail = params.length > 0 ? ` ${params.join(';')}` : '';
  return `${attribute.id} ${attribute.direction}${tail}`;
}

/**
 * RFC 8853 §5.1: `sc-value = (sc-send [SP sc-recv]) / (sc-recv [SP sc-send])`; also the older
 * draft form, a space after the colon and `rid=` before each list (`a=simulcast: send rid=a;b`).
 */
function parseSimulcast(value: string, context: LineContext): Attribute {
  const draftSyntax = value.startsWith(' ');
  const parts = words(draftSyntax ? value.slice(1) : value, context);
  if (parts.length !== 2 && parts.length !== 4) fail(context, 'expected send/recv stream lists');
  const directions: SimulcastDirection[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    const direction = parts[i];
    let list = parts[i + 1] as string;
    if (direction !== 'send' && direction !== 'recv') {
      fail(context, 'simulcast direction must be send or recv');
    }
    if (directions.some((existing) => existing.direction === direction)) {
      fail(context, `simulcast ${direction} given twice`);
    }
    if (draftSyntax) {
      if (!list.startsWith('rid=')) fail(context, 'draft simulcast lists start with rid=');
      list = list.slice(4);
    }
    const streams = list.split(';').map((stream) =>
      stream.split(',').map((entry) => {
        const paused = entry.startsWith('~');
        const rid = paused ? entry.slice(1) : entry;
        if (!/^[A-Za-z0-9_-]+$/.test(rid)) fail(context, 'bad simulcast rid');
        return { rid, paused };
      }),
    );
    directions.push({ direction, streams });
  }
  return { name: 'simulcast', directions, draftSyntax };
}

function formatSimulcast(attribute: Extract<Attribute, { name: 'simulcast' }>): string {
  const prefix = attribute.draftSyntax ? 'rid=' : '';
  const text = attribute.directions
    .map(
      ({ direction, streams }) =>
        `${direction} ${prefix}${streams
          .map((alternatives) =>
            alternatives.map(({ rid, paused }) => (paused ? `~${rid}` : rid)).join(','),
          )
          .join(';')}`,
    )
    .join(' ');
  return attribute.draftSyntax ? ` ${text}` : text;
}

/**
 * Parses the part of an `a=` line after `a=`. Throws `SdpParseError` for a known attribute
 * whose value does not follow its grammar.
 */
export function parseAttribute(body: string, context: LineContext = bareContext(body)): Attribute {
  const colon = body.indexOf(':');
  const name = colon < 0 ? body : body.slice(0, colon);
  const value = colon < 0 ? undefined : body.slice(colon + 1);
  if (!isToken(name)) fail(context, 'bad attribute name');

  // Cases in order of how often WebRTC descriptions use them: a string switch compares in turn.
  switch (name) {
    case 'candidate':
      try {
        return {
          name,
          candidate: parseCandidate(requireValue(name, value, context), context.line),
        };
      } catch (error) {
        // Report the whole line, as every other attribute error does.
        if (error instanceof SdpParseError && error.text !== context.text) {
          fail(context, error.message.replace(/^SDP line \d+: /, '').replace(/: ".*$/s, ''));
        }
        throw error;
      }
    case 'ssrc': {
      const text = requireValue(name, value, context);
      const space = text.indexOf(' ');
      const ssrc = integer(space < 0 ? text : text.slice(0, space), context, 'ssrc', 0xffffffff);
      if (space < 0) fail(context, 'expected <ssrc-id> <attribute>[:<value>]');
      const rest = text.slice(space + 1);
      const colonAt = rest.indexOf(':');
      const attribute = colonAt < 0 ? rest : rest.slice(0, colonAt);
      if (!isToken(attribute)) fail(context, 'bad ssrc attribute name');
      return { name, ssrc, attribute, value: colonAt < 0 ? undefined : rest.slice(colonAt + 1) };
    }
    case 'rtcp-fb': {
      // rtcp-fb-val (RFC 4585 §4.2) ends in free parameters, kept as written: Pion, for one,
      // leaves a trailing space after the type.
      const text = requireValue(name, value, context);
      const first = text.indexOf(' ');
      const second = first < 0 ? -1 : text.indexOf(' ', first + 1);
      const pt = first < 0 ? text : text.slice(0, first);
      const type = first < 0 ? '' : text.slice(first + 1, second < 0 ? text.length : second);
      if (!isToken(type)) fail(context, 'expected <pt> <feedback type>');
      return {
        name,
        payloadType: pt === '*' ? '*' : payloadType(pt, context),
        type,
        parameter: second < 0 ? undefined : text.slice(second + 1),
      };
    }
    case 'rtpmap': {
      const parts = words(requireValue(name, value, context), context);
      const [pt, encoding] = parts;
      if (parts.length !== 2 || encoding === undefined)
        fail(context, 'expected <pt> <name>/<rate>');
      const [encodingName, rate, channels, ...extra] = encoding.split('/');
      if (encodingName === undefined || encodingName === '' || extra.length > 0) {
        fail(context, 'bad encoding');
      }
      return {
        name,
        payloadType: payloadType(pt, context),
        encodingName,
        clockRate: integer(rate, context, 'clock rate', 0xffffffff),
        channels: channels === undefined ? undefined : integer(channels, context, 'channels', 255),
      };
    }
    case 'fmtp': {
      const text = requireValue(name, value, context);
      const space = text.indexOf(' ');
      const format = space < 0 ? text : text.slice(0, space);
      if (!isToken(format)) fail(context, 'bad fmtp format');
      return {
        name,
        format,
        parameters: FmtpParameters.parse(space < 0 ? '' : text.slice(space + 1)),
      };
    }
    case 'extmap': {
      const [idPart, uri, ...rest] = words(requireValue(name, value, context), context);
      if (idPart === undefined || uri === undefined)
        fail(context, 'expected <id>[/<direction>] <uri>');
      const slash = idPart.indexOf('/');
      const id = integer(slash < 0 ? idPart : idPart.slice(0, slash), context, 'extmap id', 4095);
      const direction = slash < 0 ? undefined : idPart.slice(slash + 1);
      if (direction !== undefined && !DIRECTIONS.has(direction))
        fail(context, 'bad extmap direction');
      return {
        name,
        id,
        direction: direction as Direction | undefined,
        uri,
        extensionAttributes: rest.length > 0 ? rest.join(' ') : undefined,
      };
    }
    case 'ssrc-group': {
      const [semantics, ...ssrcs] = words(requireValue(name, value, context), context);
      return {
        name,
        semantics: semantics as string,
        ssrcs: ssrcs.map((ssrc) => integer(ssrc, context, 'ssrc', 0xffffffff)),
      };
    }
    case 'msid': {
      const parts = words(requireValue(name, value, context), context);
      if (parts.length > 2) fail(context, 'expected <stream id> [<track id>]');
      return { name, streamId: parts[0] as string, trackId: parts[1] };
    }
    case 'ice-ufrag':
    case 'ice-pwd':
    case 'mid':
    case 'label':
      return { name, value: requireValue(name, value, context) };
    case 'fingerprint': {
      const parts = words(requireValue(name, value, context), context);
      const [algorithm, fingerprint] = parts;
      if (parts.length !== 2 || algorithm === undefined || fingerprint === undefined) {
        fail(context, 'expected <hash-func> <fingerprint>');
      }
      if (!/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})*$/.test(fingerprint)) fail(context, 'bad fingerprint');
      return { name, algorithm, value: fingerprint };
    }
    case 'setup': {
      const role = requireValue(name, value, context);
      if (!isToken(role)) fail(context, 'bad setup role');
      return { name, role };
    }
    case 'group': {
      const [semantics, ...identifiers] = words(requireValue(name, value, context), context);
      return { name, semantics: semantics as string, identifiers };
    }
    case 'msid-semantic': {
      const text = requireValue(name, value, context);
      const spaceAfterColon = text.startsWith(' ');
      const [semantics, ...identifiers] = words(spaceAfterColon ? text.slice(1) : text, context);
      return { name, semantics: semantics as string, identifiers, spaceAfterColon };
    }
    case 'ice-options':
    case 'content':
      return { name, values: words(requireValue(name, value, context), context) };
    case 'rtcp': {
      const [port, ...rest] = words(requireValue(name, value, context), context);
      return {
        name,
        port: integer(port, context, 'port', 65535),
        connection: rest.length === 0 ? undefined : connection(rest, context),
      };
    }
    case 'rtcp-xr':
      if (value === undefined) fail(context, 'a=rtcp-xr needs a colon');
      return { name, value };
    case 'sctp-port':
      return { name, value: integer(value, context, 'sctp port', 65535) };
    case 'max-message-size':
      // 1*DIGIT (RFC 8841 §6), wider than the 10 digits of other numbers; 0 means unlimited.
      if (value === undefined || !/^[0-9]{1,15}$/.test(value))
        fail(context, 'bad max-message-size');
      return { name, value: Number(value) };
    case 'ptime':
    case 'maxptime':
      return { name, value: integer(value, context, name, 0xffffffff) };
    case 'sctpmap': {
      const parts = words(requireValue(name, value, context), context);
      const [port, protocol, streams] = parts;
      if (parts.length > 3 || protocol === undefined)
        fail(context, 'expected <port> <protocol> [<streams>]');
      return {
        name,
        port: integer(port, context, 'sctpmap port', 65535),
        protocol,
        streams: streams === undefined ? undefined : integer(streams, context, 'streams', 65535),
      };
    }
    case 'rid':
      return parseRid(requireValue(name, value, context), context);
    case 'simulcast':
      return parseSimulcast(requireValue(name, value, context), context);
    case 'framerate': {
      const rate = requireValue(name, value, context);
      if (!/^[0-9]{1,6}(\.[0-9]{1,6})?$/.test(rate)) fail(context, 'bad frame rate');
      return { name, value: rate };
    }
    default:
      if (FLAG_ATTRIBUTES.has(name)) {
        if (value !== undefined) fail(context, `a=${name} takes no value`);
        return { name: name as FlagAttributeName };
      }
      return { name, value, unknown: true } satisfies UnknownAttribute;
  }
}

/** The `a=` line for an attribute, without the line break. */
export function formatAttribute(attribute: Attribute): string {
  const value = attributeValue(attribute);
  return value === undefined ? `a=${attribute.name}` : `a=${attribute.name}:${value}`;
}

function attributeValue(attribute: Attribute): string | undefined {
  if ('unknown' in attribute) return attribute.value;
  switch (attribute.name) {
    case 'group':
      return [attribute.semantics, ...attribute.identifiers].join(' ');
    case 'msid-semantic':
      return `${attribute.spaceAfterColon ? ' ' : ''}${[attribute.semantics, ...attribute.identifiers].join(' ')}`;
    case 'ice-ufrag':
    case 'ice-pwd':
    case 'mid':
    case 'label':
    case 'rtcp-xr':
    case 'framerate':
      return attribute.value;
    case 'sctp-port':
    case 'max-message-size':
    case 'ptime':
    case 'maxptime':
      return String(attribute.value);
    case 'ice-options':
    case 'content':
      return attribute.values.join(' ');
    case 'fingerprint':
      return `${attribute.algorithm} ${attribute.value}`;
    case 'setup':
      return attribute.role;
    case 'extmap': {
      const id =
        attribute.direction === undefined
          ? `${attribute.id}`
          : `${attribute.id}/${attribute.direction}`;
      const tail =
        attribute.extensionAttributes === undefined ? '' : ` ${attribute.extensionAttributes}`;
      return `${id} ${attribute.uri}${tail}`;
    }
    case 'msid':
      return attribute.trackId === undefined
        ? attribute.streamId
        : `${attribute.streamId} ${attribute.trackId}`;
    case 'ssrc':
      return `${attribute.ssrc} ${attribute.attribute}${attribute.value === undefined ? '' : `:${attribute.value}`}`;
    case 'ssrc-group':
      return [attribute.semantics, ...attribute.ssrcs].join(' ');
    case 'rtpmap': {
      const channels = attribute.channels === undefined ? '' : `/${attribute.channels}`;
      return `${attribute.payloadType} ${attribute.encodingName}/${attribute.clockRate}${channels}`;
    }
    case 'fmtp': {
      const parameters = attribute.parameters.toString();
      return parameters === '' ? attribute.format : `${attribute.format} ${parameters}`;
    }
    case 'rtcp-fb':
      return `${attribute.payloadType} ${attribute.type}${attribute.parameter === undefined ? '' : ` ${attribute.parameter}`}`;
    case 'rtcp': {
      const c = attribute.connection;
      return c === undefined
        ? `${attribute.port}`
        : `${attribute.port} ${c.netType} ${c.addrType} ${c.address}`;
    }
    case 'candidate':
      return formatCandidate(attribute.candidate);
    case 'sctpmap':
      return `${attribute.port} ${attribute.protocol}${attribute.streams === undefined ? '' : ` ${attribute.streams}`}`;
    case 'rid':
      return formatRid(attribute);
    case 'simulcast':
      return formatSimulcast(attribute);
    default:
      return undefined; // flag attributes
  }
}
