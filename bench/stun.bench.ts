/**
 * STUN messages as ICE sends them every few milliseconds during checks and every few seconds
 * for consent: a Binding request with USERNAME, PRIORITY, ICE-CONTROLLING and USE-CANDIDATE,
 * signed with a short-term MESSAGE-INTEGRITY and a FINGERPRINT. Encode builds and signs one;
 * decode + verify parses one, checks both, and reads its attributes. TypeRTC beside werift's
 * `Message`/`parseMessage` in the same run.
 */

import {
  ICE_CONTROLLING,
  PRIORITY,
  StunMessage,
  StunMethod,
  shortTermKey,
  USE_CANDIDATE,
  USERNAME,
} from '@typertc/stun';
import { classes, Message, methods, parseMessage } from 'werift';
import type { BenchmarkGroup } from './harness.js';

const KEY = shortTermKey('VOkJxbRl1RmTxUk/WvJxBt');
const KEY_BUFFER = Buffer.from(KEY);
const TRANSACTION_ID = Uint8Array.from({ length: 12 }, (_, i) => i * 17);
const USER = 'evtj:h6vY';
const PRIORITY_VALUE = 1_845_494_271;
const TIE_BREAKER = 0x932ff9b151263b36n;

function typertcEncode(): Uint8Array {
  return new StunMessage('request', StunMethod.Binding, TRANSACTION_ID)
    .add(USERNAME, USER)
    .add(PRIORITY, PRIORITY_VALUE)
    .add(ICE_CONTROLLING, TIE_BREAKER)
    .add(USE_CANDIDATE, true)
    .encode({ integrity: KEY, fingerprint: true });
}

function weriftEncode(): Buffer {
  return new Message(methods.BINDING, classes.REQUEST, Buffer.from(TRANSACTION_ID))
    .setAttribute('USERNAME', USER)
    .setAttribute('PRIORITY', PRIORITY_VALUE)
    .setAttribute('ICE-CONTROLLING', TIE_BREAKER)
    .setAttribute('USE-CANDIDATE', null)
    .addMessageIntegrity(KEY_BUFFER)
    .addFingerprint().bytes;
}

const request = typertcEncode();
const requestBuffer = Buffer.from(request);

function typertcDecode(): number {
  const message = StunMessage.decode(request);
  if (message.fingerprint !== 'valid' || !message.verifyIntegrity(KEY)) return -1;
  const username = message.get(USERNAME) ?? '';
  return username.length + (message.get(PRIORITY) ?? 0) + (message.has(USE_CANDIDATE) ? 1 : 0);
}

function weriftDecode(): number {
  const message = parseMessage(requestBuffer, KEY_BUFFER);
  if (message === undefined) return -1;
  const username: string = message.getAttributeValue('USERNAME');
  const priority: number = message.getAttributeValue('PRIORITY');
  return (
    username.length + priority + (message.getAttributeValue('USE-CANDIDATE') === undefined ? 0 : 1)
  );
}

// Both must produce the same bytes and accept them, or the comparison means nothing.
if (Buffer.compare(Buffer.from(typertcEncode()), weriftEncode()) !== 0) {
  throw new Error('STUN benchmark: TypeRTC and werift encode different bytes');
}
if (typertcDecode() < 0 || weriftDecode() < 0 || typertcDecode() !== weriftDecode()) {
  throw new Error('STUN benchmark: a decoder rejects or misreads the request');
}

export const benchmarks: readonly BenchmarkGroup[] = [
  {
    name: `STUN Binding request encode, MESSAGE-INTEGRITY + FINGERPRINT (${request.length} B)`,
    bytesPerOp: request.length,
    baseline: 'werift',
    entries: [
      { name: 'typertc', fn: typertcEncode },
      { name: 'werift', fn: weriftEncode },
    ],
  },
  {
    name: `STUN Binding request decode + verify (${request.length} B)`,
    bytesPerOp: request.length,
    baseline: 'werift',
    entries: [
      { name: 'typertc', fn: typertcDecode },
      { name: 'werift', fn: weriftDecode },
    ],
  },
];
