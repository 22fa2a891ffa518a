import { it } from 'vitest';
import { certificates } from './connection-pair.js';
import { dtlsOverNetwork, handshakeSettled, runUntil } from './network-harness.js';

it('scratch', async () => {
  const { ecdsa, rsa } = await certificates();
  const lossy = { loss: 0.3, delayMs: 20, jitterMs: 10, reorder: 0.1, duplicate: 0.1 };
  for (const [name, cert] of [
    ['ecdsa', ecdsa],
    ['rsa', rsa],
  ] as const) {
    const times = [];
    for (let seed = 1; seed <= 40; seed++) {
      const pair = dtlsOverNetwork({
        seed,
        clientCertificate: cert,
        serverCertificate: cert,
        clientLink: lossy,
        serverLink: {},
        client: { handshakeTimeoutMs: 120_000 },
        server: { handshakeTimeoutMs: 120_000 },
      });
      runUntil(pair.clock, () => handshakeSettled(pair), 130_000);
      times.push(
        `${seed}:${pair.client.state.slice(0, 4)}/${pair.server.state.slice(0, 4)}@${pair.clock.now()}`,
      );
    }
    console.log(name, times.join(' '));
  }
});
