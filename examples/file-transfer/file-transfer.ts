/**
 * A file from one Node process to another over a data channel, with a progress bar and the
 * rate achieved. The sender keeps at most 1 MiB queued in the channel: past it, it stops reading
 * the file until `bufferedamountlow` says the queue has drained to 256 KiB
 * (`bufferedAmountLowThreshold`, W3C WebRTC 1.0 §6.2). The receiver checks the SHA-256 the
 * sender sends last.
 *
 *     node examples/dist/file-transfer/file-transfer.js receive [port] [directory]
 *     node examples/dist/file-transfer/file-transfer.js send ws://localhost:PORT/ws FILE
 *
 * Messages on the channel: a JSON header `{ name, size }`, the file in binary chunks of 64 KiB,
 * a JSON trailer `{ sha256 }`; the receiver answers `{ ok }` and both close.
 */

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RTCDataChannel, RTCPeerConnection } from '@typertc/peerconnection';
import { connectToPeer, listenForPeer } from '../shared/node-peer.js';

const CHUNK = 64 * 1024;
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;

/** A progress line on stderr, at most ten times a second, and the rate so far. */
function progress(total: number): { update(done: number): void; finish(done: number): string } {
  const started = performance.now();
  let shown = 0;
  const rate = (done: number) => done / 1e6 / Math.max(1e-3, (performance.now() - started) / 1000);
  return {
    update(done) {
      const now = performance.now();
      if (now - shown < 100) return;
      shown = now;
      const width = 30;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      const percent = total === 0 ? 100 : (done / total) * 100;
      process.stderr.write(
        `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent.toFixed(0).padStart(3)}% ${rate(done).toFixed(1)} MB/s`,
      );
    },
    finish(done) {
      process.stderr.write('\n');
      const seconds = (performance.now() - started) / 1000;
      return `${done} bytes in ${seconds.toFixed(2)} s (${rate(done).toFixed(1)} MB/s)`;
    },
  };
}

function nextMessage(channel: RTCDataChannel): Promise<unknown> {
  return new Promise((resolve) => {
    channel.addEventListener('message', (event) => resolve((event as MessageEvent).data), {
      once: true,
    });
  });
}

async function send(url: string, path: string): Promise<boolean> {
  const { size } = await stat(path);
  const pc = new RTCPeerConnection();
  const channel = pc.createDataChannel('file');
  channel.binaryType = 'arraybuffer';
  channel.bufferedAmountLowThreshold = LOW_WATER;
  const socket = await connectToPeer(url, pc);
  await new Promise((resolve) => channel.addEventListener('open', resolve, { once: true }));
  channel.send(JSON.stringify({ name: basename(path), size }));
  const hash = createHash('sha256');
  const bar = progress(size);
  let sent = 0;
  const file = createReadStream(path, { highWaterMark: CHUNK });
  for await (const chunk of file as AsyncIterable<Buffer>) {
    channel.send(chunk);
    hash.update(chunk);
    sent += chunk.length;
    bar.update(sent);
    if (channel.bufferedAmount > HIGH_WATER) {
      // Backpressure: no more reading until the channel's queue drains.
      await new Promise((resolve) =>
        channel.addEventListener('bufferedamountlow', resolve, { once: true }),
      );
    }
  }
  const acknowledged = nextMessage(channel);
  channel.send(JSON.stringify({ sha256: hash.digest('hex') }));
  const answer = JSON.parse(String(await acknowledged)) as { ok: boolean };
  console.log(
    `sent ${basename(path)}: ${bar.finish(sent)}; receiver: ${answer.ok ? 'sha-256 ok' : 'sha-256 MISMATCH'}`,
  );
  socket.terminate();
  pc.close();
  return answer.ok;
}

async function receive(port: number, directory: string): Promise<boolean> {
  const peer = await listenForPeer(port);
  console.log(
    `receiving into ${directory}: send with  file-transfer.js send ws://localhost:${peer.server.port}/ws FILE`,
  );
  const pc = await peer.connection;
  // The handlers go on inside the `datachannel` event, so no message can come before them.
  const ok = await new Promise<boolean>((resolve) => {
    pc.ondatachannel = ({ channel }) => resolve(receiveFile(channel, directory));
  });
  // The acknowledgement leaves before the connection closes.
  await new Promise((resolve) => setTimeout(resolve, 200));
  await peer.close();
  return ok;
}

/** The header, the file's chunks and the trailer; resolves with whether the SHA-256 matched. */
function receiveFile(channel: RTCDataChannel, directory: string): Promise<boolean> {
  channel.binaryType = 'arraybuffer';
  return new Promise<boolean>((resolve) => {
    let header: { name: string; size: number } | undefined;
    let out: ReturnType<typeof createWriteStream> | undefined;
    let received = 0;
    let bar: ReturnType<typeof progress> | undefined;
    const hash = createHash('sha256');
    channel.onmessage = ({ data }) => {
      if (typeof data !== 'string') {
        const bytes = new Uint8Array(data as ArrayBuffer);
        out?.write(bytes);
        hash.update(bytes);
        received += bytes.length;
        bar?.update(received);
        return;
      }
      const message = JSON.parse(data) as { name?: string; size?: number; sha256?: string };
      if (header === undefined) {
        // Only the file's own name: a sender cannot write outside the directory.
        header = { name: basename(message.name ?? 'received.bin'), size: message.size ?? 0 };
        out = createWriteStream(join(directory, header.name));
        bar = progress(header.size);
        return;
      }
      const matches = message.sha256 === hash.digest('hex') && received === header.size;
      const name = header.name;
      out?.end(() => {
        console.log(
          `received ${name}: ${bar?.finish(received)}; sha-256 ${matches ? 'ok' : 'MISMATCH'}`,
        );
        channel.send(JSON.stringify({ ok: matches }));
        resolve(matches);
      });
    };
  });
}

async function main(argv: readonly string[]): Promise<number> {
  const [mode, first, second] = argv;
  if (mode === 'send' && first !== undefined && second !== undefined) {
    return (await send(first, second)) ? 0 : 1;
  }
  if (mode === 'receive') return (await receive(Number(first ?? 0), second ?? '.')) ? 0 : 1;
  console.error('usage: file-transfer.js receive [port] [directory] | send ws://host:port/ws FILE');
  return 2;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
