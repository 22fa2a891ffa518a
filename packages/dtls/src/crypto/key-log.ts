/**
 * NSS key log lines (the SSLKEYLOGFILE format Wireshark and tshark read): for TLS 1.2,
 * `CLIENT_RANDOM <client random, 64 hex digits> <master secret, 96 hex digits>` — enough to
 * derive every record key of the session.
 */

import { toHex } from '@typertc/common';

export function keyLogLine(clientRandom: Uint8Array, masterSecret: Uint8Array): string {
  return `CLIENT_RANDOM ${toHex(clientRandom)} ${toHex(masterSecret)}`;
}
