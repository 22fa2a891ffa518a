/**
 * ICE short-term credentials (RFC 8445 §5.3, §7.2.2). Each side has its own ufrag and password;
 * a check is signed with the receiver's password and answered under it. An ICE restart (§9)
 * replaces both sides' credentials, so one agent may hold two generations of them at a time.
 */

import { shortTermKey } from '@typertc/stun';
import { IceError } from '../errors.js';
import { randomIceString } from './agent-types.js';

/** Our credentials: the peer signs its checks with `key` and we sign our answers with it. */
export interface LocalCredentials {
  readonly ufrag: string;
  readonly password: string;
  readonly key: Uint8Array;
}

/** The peer's credentials: our checks carry its ufrag first and are signed with its key. */
export interface RemoteCredentials {
  readonly ufrag: string;
  readonly key: Uint8Array;
}

/**
 * Local credentials, random where not given. Throws `IceError` for a ufrag under 4 or a password
 * under 22 characters (RFC 8445 §5.3).
 */
export function localCredentials(
  options: { readonly localUfrag?: string; readonly localPassword?: string } = {},
): LocalCredentials {
  const ufrag = options.localUfrag ?? randomIceString(8);
  const password = options.localPassword ?? randomIceString(24);
  if (ufrag.length < 4 || password.length < 22) {
    throw new IceError('RFC 8445 §5.3: ufrag needs at least 4 characters, password 22');
  }
  return { ufrag, password, key: shortTermKey(password) };
}

export function remoteCredentials(ufrag: string, password: string): RemoteCredentials {
  return { ufrag, key: shortTermKey(password) };
}
