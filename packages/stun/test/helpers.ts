/** Helpers shared by the STUN tests. */

import { StunParseError } from '../src/errors.js';

/** The StunParseError `run` throws; fails the test if it throws nothing or something else. */
export function parseError(run: () => unknown): StunParseError {
  try {
    run();
  } catch (error) {
    if (error instanceof StunParseError) return error;
    throw error;
  }
  throw new Error('expected a StunParseError');
}
