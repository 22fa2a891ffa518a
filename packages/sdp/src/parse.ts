/**
 * `parse(text)`: RFC 8866 §9 grammar, line by line, in one pass (linear in the input).
 *
 * The order of lines is the grammar's: `v o s [i] [u] *e *p [c] *b *(t *r) [z] [k] *a` for the
 * session, then media sections `m [i] *c *b [k] *a`. Because the model keeps every line in a
 * field of its own and the serializer writes them back in that same order, a description that
 * follows the grammar round-trips exactly. A line out of that order is an error, like any other
 * malformed line: `SdpParseError`, with its line number and text. Nothing else is thrown.
 */

import type { LineContext } from './attributes.js';
import { parseAttribute } from './attributes.js';
import { SdpParseError } from './errors.js';
import type {
  Bandwidth,
  Connection,
  MediaDescription,
  Origin,
  SessionDescription,
} from './model.js';

/**
 * Rank of each line type in grammar order (RFC 8866 §5), by character code: a line may follow
 * only lines of lower rank, or of equal rank when its type repeats. `r=` shares the rank of
 * `t=`: it belongs to the `t=` just before it. -1: not a line type of that level.
 */
function ranks(order: string): Int8Array {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < order.length; i++) table[order.charCodeAt(i)] = i;
  return table;
}
const SESSION_RANK = ranks('vosiuepcbtzka');
SESSION_RANK[0x72 /* r */] = SESSION_RANK[0x74 /* t */] as number;
const MEDIA_RANK = ranks('micbka');
/** Line types that may repeat (`t` with its `r`s repeats as a group; media `c` for multicast). */
const REPEATABLE = new Uint8Array(128);
for (const type of 'epbtrac') REPEATABLE[type.charCodeAt(0)] = 1;

function fail(context: LineContext, message: string): never {
  throw new SdpParseError(message, context.line, context.text, context.offset);
}

function fields(value: string, count: number, context: LineContext, what: string): string[] {
  const parts = value.split(' ');
  if (parts.length !== count || parts.some((part) => part === '')) {
    fail(context, `expected ${what}`);
  }
  return parts;
}

function parseOrigin(value: string, context: LineContext): Origin {
  const [username, sessionId, sessionVersion, netType, addrType, address] = fields(
    value,
    6,
    context,
    '<username> <sess-id> <sess-version> <nettype> <addrtype> <address>',
  ) as [string, string, string, string, string, string];
  if (!/^[0-9]+$/.test(sessionId) || !/^[0-9]+$/.test(sessionVersion)) {
    fail(context, 'session id and version must be numbers');
  }
  return { username, sessionId, sessionVersion, netType, addrType, address };
}

function parseConnection(value: string, context: LineContext): Connection {
  const [netType, addrType, address] = fields(
    value,
    3,
    context,
    '<nettype> <addrtype> <connection-address>',
  ) as [string, string, string];
  return { netType, addrType, address };
}

function parseBandwidth(value: string, context: LineContext): Bandwidth {
  const colon = value.indexOf(':');
  const type = value.slice(0, colon);
  const amount = value.slice(colon + 1);
  if (colon <= 0 || !/^[0-9]{1,15}$/.test(amount)) fail(context, 'expected <bwtype>:<bandwidth>');
  return { type, value: Number(amount) };
}

function parseMediaLine(value: string, context: LineContext): MediaDescription {
  const parts = value.split(' ');
  const [kind, portText, protocol, ...formats] = parts;
  if (
    kind === undefined ||
    portText === undefined ||
    protocol === undefined ||
    parts.some((part) => part === '') ||
    kind === '' ||
    protocol === ''
  ) {
    fail(context, 'expected <media> <port>[/<number of ports>] <proto> <fmt> ...');
  }
  const match = /^([0-9]{1,5})(?:\/([0-9]{1,5}))?$/.exec(portText);
  const port = Number(match?.[1]);
  if (match === null || port > 65535) fail(context, 'bad port');
  return {
    kind,
    port,
    portCount: match[2] === undefined ? undefined : Number(match[2]),
    protocol,
    formats,
    information: undefined,
    connections: [],
    bandwidths: [],
    encryptionKey: undefined,
    attributes: [],
  };
}

/**
 * The line being parsed, as errors report it. One instance serves the whole parse and the text
 * of the line is only cut out when an error needs it.
 */
class SourceLine implements LineContext {
  line = 0;
  offset = 0;
  #end = 0;

  constructor(private readonly source: string) {}

  moveTo(line: number, offset: number, end: number): void {
    this.line = line;
    this.offset = offset;
    this.#end = end;
  }

  get text(): string {
    return this.source.slice(this.offset, this.#end);
  }
}

/** Parses a session description. CRLF or LF line endings. */
export function parse(text: string): SessionDescription {
  let session: SessionDescription | undefined;
  let media: MediaDescription | undefined;
  /** Rank (SESSION_RANK / MEDIA_RANK) of the last line type seen. */
  let position = -1;
  let index = -1;
  const context = new SourceLine(text);

  // One line per turn: up to the next LF (a CR before it is dropped); a final LF is optional.
  for (let offset = 0, next = 0; offset < text.length; offset = next) {
    index++;
    const lf = text.indexOf('\n', offset);
    const end = lf < 0 ? text.length : lf;
    next = end + 1;
    const contentEnd = end > offset && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    context.moveTo(index + 1, offset, contentEnd);

    if (contentEnd - offset < 2 || text.charCodeAt(offset + 1) !== 0x3d /* = */) {
      fail(context, 'expected <type>=<value>');
    }
    const type = text[offset] as string;
    const value = text.slice(offset + 2, contentEnd);
    // RFC 8866 §9: no field may hold CR or NUL (LF already ended the line).
    if (value.indexOf('\r') >= 0 || value.indexOf('\0') >= 0) {
      fail(context, 'CR or NUL inside a line');
    }

    if (type === 'm') {
      if (session === undefined) fail(context, 'm= before the session lines');
      media = parseMediaLine(value, context);
      session.media.push(media);
      position = 0;
      continue;
    }

    const typeCode = text.charCodeAt(offset);
    const rank = (media === undefined ? SESSION_RANK : MEDIA_RANK)[typeCode] ?? -1;
    if (rank < 0) {
      const level = media === undefined ? 'in the session' : 'in a media section';
      fail(context, `unexpected ${type}= line ${level}`);
    }
    if (rank < position || (rank === position && REPEATABLE[typeCode] === 0)) {
      fail(context, `${type}= line out of order`);
    }
    position = rank;

    if (session === undefined) {
      if (type !== 'v') fail(context, 'a description starts with v=');
      if (value !== '0') fail(context, 'only version 0 exists');
      session = {
        version: 0,
        origin: {
          username: '',
          sessionId: '0',
          sessionVersion: '0',
          netType: 'IN',
          addrType: 'IP4',
          address: '',
        },
        sessionName: '',
        information: undefined,
        uri: undefined,
        emails: [],
        phones: [],
        connection: undefined,
        bandwidths: [],
        timing: [],
        timeZones: undefined,
        encryptionKey: undefined,
        attributes: [],
        media: [],
      };
      continue;
    }
    if (index === 1 && type !== 'o') fail(context, 'o= must follow v=');
    if (index === 2 && type !== 's') fail(context, 's= must follow o=');

    if (media !== undefined) {
      switch (type) {
        case 'i':
          media.information = value;
          break;
        case 'c':
          media.connections.push(parseConnection(value, context));
          break;
        case 'b':
          media.bandwidths.push(parseBandwidth(value, context));
          break;
        case 'k':
          media.encryptionKey = value;
          break;
        default:
          media.attributes.push(parseAttribute(value, context));
      }
      continue;
    }

    switch (type) {
      case 'o':
        session.origin = parseOrigin(value, context);
        break;
      case 's':
        session.sessionName = value;
        break;
      case 'i':
        session.information = value;
        break;
      case 'u':
        session.uri = value;
        break;
      case 'e':
        session.emails.push(value);
        break;
      case 'p':
        session.phones.push(value);
        break;
      case 'c':
        if (session.connection !== undefined) fail(context, 'a second session-level c= line');
        session.connection = parseConnection(value, context);
        break;
      case 'b':
        session.bandwidths.push(parseBandwidth(value, context));
        break;
      case 't': {
        const [start, stop] = fields(value, 2, context, '<start-time> <stop-time>') as [
          string,
          string,
        ];
        session.timing.push({ start, stop, repeats: [] });
        break;
      }
      case 'r': {
        const timing = session.timing[session.timing.length - 1];
        if (timing === undefined) fail(context, 'r= without t=');
        timing.repeats.push(value);
        break;
      }
      case 'z':
        session.timeZones = value;
        break;
      case 'k':
        session.encryptionKey = value;
        break;
      default:
        session.attributes.push(parseAttribute(value, context));
    }
  }

  if (session === undefined) {
    throw new SdpParseError('empty description', 0, '', 0);
  }
  if (index < 2) {
    throw new SdpParseError('a description needs v=, o= and s= lines', index + 1, context.text, 0);
  }
  return session;
}
