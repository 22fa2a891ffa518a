/**
 * WHIP ingest (RFC 9725) and WHEP playback (draft-ietf-wish-whep) over TypeRTC: a publisher
 * (the page's camera, or OBS) POSTs its offer to the WHIP endpoint, players POST theirs to the
 * WHEP endpoint, and the server forwards the publisher's RTP to every player.
 *
 *     POST   /whip[?stream=name]   WHIP endpoint: offer in, 201 Created with the answer
 *     POST   /whep[?stream=name]   WHEP endpoint: the same for a player (recvonly offer)
 *     PATCH  /whip/<id>, /whep/<id> trickle ICE or ICE restart (application/trickle-ice-sdpfrag)
 *     DELETE /whip/<id>, /whep/<id> the session ends
 *
 *     PORT=8080 node examples/dist/whip-whep/server.js    # WHIP_TOKEN=secret to require one
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { RTCIceServer } from '@typertc/peerconnection';
import { closeOnInterrupt, portFromEnvironment } from '../shared/cli.js';
import { publicDir } from '../shared/paths.js';
import { startWebServer, type WebServer } from '../shared/web-server.js';
import { SDP_FRAGMENT_TYPE } from './sdp-fragment.js';
import { type PatchResult, Session, type SessionKind } from './session.js';
import { Stream } from './stream.js';

export interface WhipWhepOptions {
  /** Default 127.0.0.1; 0.0.0.0 to let OBS or phones on the network reach it. */
  readonly host?: string;
  /** RFC 9725 §4.7.1: WHIP requests must carry `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** STUN/TURN servers for our peer connections, offered to clients as Link headers (§4.6). */
  readonly iceServers?: RTCIceServer[];
}

export interface WhipWhepServer extends WebServer {
  /** Sessions open now. */
  readonly publishers: number;
  readonly players: number;
}

/** Bodies bigger than this are refused (413): an offer is a few kilobytes. */
const MAX_BODY = 256 * 1024;
const STREAM_NAME = /^[\w.-]{1,64}$/;

/** RFC 9725 §4.6: `Link: <turn:...>; rel="ice-server"; username=...; credential=...`. */
function iceServerLinks(servers: readonly RTCIceServer[]): string[] {
  return servers.flatMap((server) =>
    (typeof server.urls === 'string' ? [server.urls] : server.urls).map((url) => {
      const credential =
        server.username === undefined
          ? ''
          : `; username="${server.username}"; credential="${server.credential ?? ''}"; credential-type="password"`;
      return `<${url}>; rel="ice-server"${credential}`;
    }),
  );
}

/** The media type without parameters (`application/sdp; charset=utf-8` is application/sdp). */
function mediaType(request: IncomingMessage): string {
  return (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Every response may be read by a page of another origin (a WHEP player on a CDN's site):
 * CORS (the Fetch standard), with the headers a client needs exposed.
 */
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'Location, ETag, Link, Accept-Patch',
};

function reply(
  response: ServerResponse,
  status: number,
  headers: Record<string, string | string[]> = {},
  body = '',
): void {
  response.writeHead(status, {
    ...CORS,
    ...(body === '' ? {} : { 'content-type': 'text/plain; charset=utf-8' }),
    ...headers,
  });
  response.end(body);
}

/** The WHIP/WHEP server on `port` (0: any free one), with the pages of public/. */
export async function startWhipWhepServer(
  port: number,
  options: WhipWhepOptions = {},
): Promise<WhipWhepServer> {
  const streams = new Map<string, Stream>();
  const sessions = new Map<string, Session>();
  const iceServers = options.iceServers ?? [];
  const count = (kind: SessionKind) =>
    [...sessions.values()].filter((session) => session.kind === kind).length;

  const onClose = (session: Session) => {
    sessions.delete(session.id);
    if (session.stream.idle) streams.delete(session.stream.name);
  };

  /** POST to an endpoint (RFC 9725 §4.2): a session for the offer, 201 with our answer. */
  async function create(kind: SessionKind, request: IncomingMessage, response: ServerResponse) {
    // §4.2: the offer is application/sdp, anything else is 415 Unsupported Media Type.
    if (mediaType(request) !== 'application/sdp') {
      return reply(response, 415, { 'accept-post': 'application/sdp' }, 'send application/sdp');
    }
    const name = new URL(request.url ?? '/', 'http://localhost').searchParams.get('stream');
    if (name !== null && !STREAM_NAME.test(name)) return reply(response, 400, {}, 'stream name');
    const offer = await readBody(request);
    if (offer === undefined) return reply(response, 413);
    if (!offer.startsWith('v=0')) return reply(response, 400, {}, 'the body is not an SDP offer');
    const streamName = name ?? 'live';
    const stream = streams.get(streamName) ?? new Stream(streamName);
    streams.set(streamName, stream);
    let created: Awaited<ReturnType<typeof Session.create>>;
    stream.joining++; // the stream stays in the map while the answer is made
    try {
      created = await Session.create(
        { kind, stream, configuration: { iceServers }, onClose },
        offer,
      );
    } catch (error) {
      // An offer we cannot answer as a whole (§4.4.3: no partially successful answers).
      return reply(response, 422, {}, `cannot answer this offer: ${error}`);
    } finally {
      stream.joining--;
      if (stream.idle) streams.delete(streamName);
    }
    const { session, answer } = created;
    sessions.set(session.id, session);
    // §4.2: 201 Created, the session's URL in Location, the answer as application/sdp; the
    // ETag for PATCH (§4.3.1) and the ICE servers as Link headers (§4.6).
    const headers: Record<string, string | string[]> = {
      'content-type': 'application/sdp',
      location: `/${kind}/${session.id}`,
      etag: session.etag,
      'accept-patch': SDP_FRAGMENT_TYPE,
    };
    const links = iceServerLinks(iceServers);
    if (links.length > 0) headers.link = links;
    reply(response, 201, headers, answer);
  }

  /** PATCH (§4.3.1) and DELETE (§4.2) on a session's URL. */
  async function resource(session: Session, request: IncomingMessage, response: ServerResponse) {
    if (request.method === 'DELETE') {
      session.close();
      return reply(response, 200);
    }
    if (mediaType(request) !== SDP_FRAGMENT_TYPE) {
      return reply(response, 415, { 'accept-patch': SDP_FRAGMENT_TYPE });
    }
    const body = await readBody(request);
    if (body === undefined) return reply(response, 413);
    const ifMatch = request.headers['if-match'];
    const result: PatchResult = await session.patch(ifMatch, body);
    reply(response, result.status, { etag: session.etag, ...result.headers }, result.body);
  }

  async function onRequest(request: IncomingMessage, response: ServerResponse) {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const match = /^\/(whip|whep)(?:\/([^/]+))?\/?$/.exec(path);
    if (match === null) return false;
    const kind = match[1] as SessionKind;
    const id = match[2];
    const allow = id === undefined ? 'OPTIONS, POST' : 'OPTIONS, PATCH, DELETE';
    if (request.method === 'OPTIONS') {
      // A CORS preflight, or a client asking what the URL takes.
      reply(response, 204, {
        allow,
        'access-control-allow-methods': allow,
        'access-control-allow-headers': 'Authorization, Content-Type, If-Match',
        'access-control-max-age': '86400',
        ...(id === undefined
          ? { 'accept-post': 'application/sdp' }
          : { 'accept-patch': SDP_FRAGMENT_TYPE }),
      });
      return true;
    }
    // §4.7.1: with a token configured, WHIP requests must bear it (WHEP stays open).
    if (
      kind === 'whip' &&
      options.token !== undefined &&
      request.headers.authorization !== `Bearer ${options.token}`
    ) {
      reply(response, 401, { 'www-authenticate': 'Bearer' });
      return true;
    }
    if (id === undefined) {
      // §4.2: the endpoint only creates sessions; GET, PUT and the rest are 405.
      if (request.method === 'POST') await create(kind, request, response);
      else reply(response, 405, { allow });
      return true;
    }
    const session = sessions.get(id);
    if (session === undefined || session.kind !== kind) reply(response, 404, {}, 'no such session');
    else if (request.method === 'PATCH' || request.method === 'DELETE') {
      await resource(session, request, response);
    } else reply(response, 405, { allow });
    return true;
  }

  const web = await startWebServer({
    publicDir: publicDir('whip-whep'),
    port,
    ...(options.host === undefined ? {} : { host: options.host }),
    onRequest,
  });
  return {
    url: web.url,
    port: web.port,
    get publishers() {
      return count('whip');
    },
    get players() {
      return count('whep');
    },
    async close() {
      for (const session of [...sessions.values()]) session.close();
      await web.close();
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await startWhipWhepServer(portFromEnvironment(), {
    ...(process.env.HOST === undefined ? {} : { host: process.env.HOST }),
    ...(process.env.WHIP_TOKEN === undefined ? {} : { token: process.env.WHIP_TOKEN }),
  });
  console.log(`TypeRTC WHIP/WHEP (Ctrl-C to stop):
  publish: ${server.url}publish.html    (or OBS: WHIP, server ${server.url}whip)
  play:    ${server.url}play.html       (WHEP endpoint ${server.url}whep)`);
  closeOnInterrupt(server, 'closing');
}
