/**
 * The HTTP side of the browser examples: static files from the example's `public/` folder and
 * the shared browser scripts (`/shared/...`), and WebSocket signaling on `/ws` (the `ws`
 * package). Pages must come from `http://localhost` to use the camera: it is a secure context.
 */

import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { type WebSocket, WebSocketServer } from 'ws';
import { EXAMPLES_DIR } from './paths.js';

/** Browser scripts: plain ones in shared/public, and compiled shared modules (dist/shared). */
const SHARED_PUBLIC = `${EXAMPLES_DIR}shared/public/`;
const SHARED_COMPILED = `${EXAMPLES_DIR}dist/shared/`;
/** Compiled modules a page may load: they import nothing, so they run in a browser as built. */
const BROWSER_MODULES = new Set(['stats-summary.js']);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.ivf': 'application/octet-stream',
  '.ogg': 'audio/ogg',
};

export interface WebServerOptions {
  /** The example's public folder (index.html and its scripts). */
  readonly publicDir: string;
  /** 0 for any free port. */
  readonly port: number;
  /** Default 127.0.0.1; the URL printed says localhost, which browsers treat as secure. */
  readonly host?: string;
  /** Each WebSocket that connects to /ws. */
  readonly onSocket?: (socket: WebSocket) => void;
  /** Requests the example handles itself (WHIP/WHEP); return false to fall through. */
  readonly onRequest?: (
    request: import('node:http').IncomingMessage,
    response: import('node:http').ServerResponse,
  ) => boolean | Promise<boolean>;
}

export interface WebServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** A file of `root` for a URL path, or undefined when the path leaves the folder. */
function fileUnder(root: string, urlPath: string): string | undefined {
  const relative = normalize(decodeURIComponent(urlPath)).replace(/^([/\\])+/, '');
  if (relative.startsWith('..')) return undefined;
  return join(root, relative === '' ? 'index.html' : relative);
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const server: Server = createServer(async (request, response) => {
    try {
      if (options.onRequest !== undefined && (await options.onRequest(request, response))) return;
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      const shared = path.startsWith('/shared/') ? path.slice('/shared/'.length) : undefined;
      const file =
        shared === undefined
          ? fileUnder(options.publicDir, path)
          : fileUnder(BROWSER_MODULES.has(shared) ? SHARED_COMPILED : SHARED_PUBLIC, shared);
      if (file === undefined) throw Object.assign(new Error('outside'), { code: 'ENOENT' });
      const body = await readFile(file);
      response.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      });
      response.end(body);
    } catch (error) {
      const missing = (error as { code?: string }).code === 'ENOENT';
      response.writeHead(missing ? 404 : 500, { 'content-type': 'text/plain' });
      response.end(missing ? 'not found' : String(error));
    }
  });
  const sockets = new WebSocketServer({ server, path: '/ws' });
  sockets.on('connection', (socket) => options.onSocket?.(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://localhost:${port}/`,
    port,
    async close() {
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
