/**
 * The SFU example: a video room. Every page that opens it sends its camera and microphone to
 * this server and receives everyone else's, forwarded packet by packet (`room.ts`).
 *
 *     npm run build && node examples/dist/sfu/server.js     # PORT=9000 for another port
 *
 * then open the printed URL in several tabs or on several machines.
 */

import { fileURLToPath } from 'node:url';
import { closeOnInterrupt, portFromEnvironment } from '../shared/cli.js';
import { publicDir } from '../shared/paths.js';
import { startWebServer, type WebServer } from '../shared/web-server.js';
import { Room } from './room.js';

export interface SfuServer extends WebServer {
  /** Participants now in the room. */
  readonly participants: number;
}

/** The SFU on `port` (0: any free one). */
export async function startSfuServer(port: number): Promise<SfuServer> {
  const room = new Room();
  const web = await startWebServer({
    publicDir: publicDir('sfu'),
    port,
    onSocket: (socket) => room.join(socket),
  });
  return {
    url: web.url,
    port: web.port,
    get participants() {
      return room.size;
    },
    async close() {
      room.close();
      await web.close();
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await startSfuServer(portFromEnvironment());
  console.log(`TypeRTC SFU: open ${server.url} in several tabs (Ctrl-C to stop)`);
  closeOnInterrupt(server, 'closing');
}
