/** The one error the coturn harness throws, with a code saying which way it failed. */

import { TypeRtcError } from '@typertc/common';

/**
 * coturn or openssl is missing (`INTEROP_TOOL_MISSING`), coturn did not start
 * (`COTURN_START_FAILED`), or the options are unusable (`INVALID_ARGUMENT`).
 */
export class CoturnHarnessError extends TypeRtcError {
  constructor(
    message: string,
    code: 'INTEROP_TOOL_MISSING' | 'COTURN_START_FAILED' | 'INVALID_ARGUMENT',
    options?: ErrorOptions,
  ) {
    super(message, code, options);
  }
}
