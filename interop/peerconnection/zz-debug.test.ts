import { it } from 'vitest';
import { RTCPeerConnection } from '../../packages/peerconnection/src/index.js';
import { opened, until } from '../../packages/peerconnection/test/pair-helpers.js';
import { ChromiumPeer, launchChromium } from './chromium-peer.js';
import { waitForRemote } from './remote-peer.js';
import { Session } from './session.js';

it('debug', async () => {
  const browser = await launchChromium();
  for (let round = 0; round < 10; round++) {
    const remote = await ChromiumPeer.open(browser);
    const pc = new RTCPeerConnection();
    const s = new Session(pc, remote);
    const t0 = Date.now();
    const lines: string[] = [];
    const log = (...a: unknown[]) => lines.push(`${Date.now() - t0} ${a.map(String).join(' ')}`);
    const echo = pc.createDataChannel('echo');
    await s.negotiate('typertc');
    await Promise.all([
      until(pc, 'connectionstatechange', () => pc.connectionState === 'connected'),
      waitForRemote(
        remote,
        (e) => e.type === 'connectionstatechange' && e.state === 'connected',
        'c',
      ),
      opened(echo),
    ]);
    const ice = pc.sctp?.transport.iceTransport as unknown as { stack?: unknown };
    void ice;
    const stackIce = pc as unknown as Record<string, unknown>;
    void stackIce;
    log('restart');
    let got = 0;
    echo.addEventListener('message', () => {
      got++;
      if (got % 100 === 0) log('echo', got);
    });
    let sent = 0;
    const sending = (async () => {
      while (sent < 600) {
        for (let i = 0; i < 20; i++) echo.send(`x${sent++}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await remote.restartIce();
    await s.negotiate('remote');
    log('negotiated');
    await sending;
    const deadline = Date.now() + 6000;
    while (got < 600 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    log('got', got);
    const stats = await pc.getStats();
    const pairs = [...stats.values()]
      .filter((v) => v.type === 'candidate-pair')
      .map((v) =>
        JSON.stringify(v)
          .replace(/"timestamp":[0-9.]+,/, '')
          .slice(0, 330),
      );
    const chrome = (await remote.stats())
      .filter((v) => v.type === 'candidate-pair' || v.type === 'data-channel')
      .map((v) => JSON.stringify(v).slice(0, 400));
    const slow = lines.some((l) => /echo 100/.test(l) && Number(l.split(' ')[0]) > 1500);
    console.log('ROUND', round, slow ? 'SLOW' : 'ok', lines.join(' | '));
    if (slow) {
      console.log(pairs.join('\n'));
      console.log(chrome.join('\n'));
    }
    await s.close();
  }
  await browser.close();
}, 200000);
