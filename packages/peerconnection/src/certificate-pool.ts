/**
 * The certificate of a peer connection made without `certificates` (W3C WebRTC 1.0 §4.4.1.1
 * step 4: the user agent generates one). Making it (a P-256 key and a signed X.509 structure,
 * about 0.3 ms with the DTLS package's DER writer, more on a busy machine) would sit on the path
 * of the first `setLocalDescription`. So the next one is made in
 * the background as each is handed out: a server opening connections one after another finds
 * its certificate ready, and each connection still has a key of its own.
 *
 * A certificate kept waiting is handed out only while it has most of its life left; else a new
 * one is made.
 */

import { RTCCertificate } from './certificate.js';

/** A waiting certificate older than this (of its 30 days) is not handed out. */
const MAX_WAIT_MS = 24 * 60 * 60 * 1000;

interface Made {
  readonly certificate: Promise<RTCCertificate>;
  readonly startedAt: number;
}

let next: Made | undefined;

function make(): Made {
  const certificate = RTCCertificate.generate({ name: 'ECDSA', namedCurve: 'P-256' });
  // A failure is reported to the connection that takes it; until then nobody listens.
  certificate.catch(() => undefined);
  return { certificate, startedAt: Date.now() };
}

/** A fresh ECDSA P-256 certificate for one peer connection. */
export function takeDefaultCertificate(): Promise<RTCCertificate> {
  const waiting = next;
  next = make();
  if (waiting === undefined || Date.now() - waiting.startedAt > MAX_WAIT_MS)
    return make().certificate;
  return waiting.certificate;
}
