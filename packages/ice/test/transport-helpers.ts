/** Waiting on a real-socket `IceTransport` in tests. */

import type { IceTransportState } from '../src/agent/agent-types.js';
import type { IceTransport } from '../src/node/ice-transport.js';

/** Resolves once the transport is in one of `wanted`; rejects on `failed` or after 10 s. */
export function stateReached(
  transport: IceTransport,
  wanted: readonly IceTransportState[],
): Promise<IceTransportState> {
  return new Promise((resolve, reject) => {
    if (wanted.includes(transport.state)) {
      resolve(transport.state);
      return;
    }
    const timer = setTimeout(() => reject(new Error(`still ${transport.state}`)), 10_000);
    const off = transport.on('state', (state) => {
      if (state === 'failed') reject(new Error('ICE failed'));
      if (!wanted.includes(state)) return;
      clearTimeout(timer);
      off();
      resolve(state);
    });
  });
}
