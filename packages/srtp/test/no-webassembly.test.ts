/**
 * Without WebAssembly (as under `node --jitless`) SRTP cannot run: both transforms are built on
 * the crypto kernel of @typertc/common, and there is no slower path. Constructing a context says
 * so with `SrtpError` `SRTP_NO_WEBASSEMBLY`. The kernel reads the WebAssembly global when first
 * asked, and vitest gives each test file its own modules, so hiding it here hides it from this
 * file only.
 */

import { afterAll, describe, expect, it, vi } from 'vitest';
import { SrtpContext } from '../src/context.js';
import { SrtpError } from '../src/errors.js';
import { SRTP_PROFILES } from '../src/profiles.js';
import { ALL_PROFILES } from './helpers.js';

vi.stubGlobal('WebAssembly', undefined);
afterAll(() => {
  vi.unstubAllGlobals();
});

describe('without WebAssembly', () => {
  it.each(ALL_PROFILES)('%s: constructing a context throws SRTP_NO_WEBASSEMBLY', (profile) => {
    const { keyLength, saltLength } = SRTP_PROFILES[profile];
    let thrown: unknown;
    try {
      new SrtpContext({
        profile,
        masterKey: new Uint8Array(keyLength),
        masterSalt: new Uint8Array(saltLength),
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SrtpError);
    expect((thrown as SrtpError).code).toBe('SRTP_NO_WEBASSEMBLY');
  });
});
