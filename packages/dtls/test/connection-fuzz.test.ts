import { it } from 'vitest';
import { certificates, connectionPair } from './connection-pair.js';

it('scratch', async () => {
  const { ecdsa, rsa } = await certificates();
  for (const [name, cert] of [
    ['ecdsa', ecdsa],
    ['rsa', rsa],
  ] as const) {
    const t0 = performance.now();
    for (let i = 0; i < 50; i++) {
      const pair = connectionPair(cert, cert);
      pair.client.start(0);
      pair.pump(0);
      if (pair.client.state !== 'connected' || pair.server.state !== 'connected')
        throw new Error('x');
    }
    console.log(name, (performance.now() - t0) / 50, 'ms per handshake');
  }
  const pair = connectionPair(ecdsa, ecdsa);
  pair.client.start(0);
  pair.pump(0, (d, from) => {
    const recs = [];
    for (let o = 0; o < d.length; ) {
      const len = (d[o + 11]! << 8) | d[o + 12]!;
      const ct = d[o]!;
      const ep = (d[o + 3]! << 8) | d[o + 4]!;
      recs.push(`${ct}/e${ep}/${len}${ct === 22 && ep === 0 ? `/t${d[o + 13]}` : ''}`);
      o += 13 + len;
    }
    console.log(from, d.length, recs.join(' '));
    return [d];
  });
});
