/**
 * ICE credentials per generation (RFC 8445 §5.3, §9; RFC 8839 §5.4) and what a rollback needs
 * to undo an ICE restart our offer started (RFC 8829 §4.1.8.2).
 */

import { randomBytes } from 'node:crypto';
import type { CandidateSnapshot } from './local-candidates.js';

export interface Credentials {
  readonly ufrag: string;
  readonly password: string;
}

/** RFC 8445 §5.3: ice-chars (ALPHA, DIGIT, "+", "/"), 4+ for the ufrag and 22+ for the password. */
export function newCredentials(): Credentials {
  const text = (bytes: number) => randomBytes(bytes).toString('base64').replace(/=+$/, '');
  return { ufrag: text(6), password: text(18) };
}

/** What our pending offer's ICE restart replaced, while the offer can still be rolled back. */
export interface RestartUndo {
  readonly credentials: Credentials;
  readonly candidates: CandidateSnapshot;
  /** Whether restartIce() had asked for the restart (W3C: the request outlives a rollback). */
  readonly requested: boolean;
}
