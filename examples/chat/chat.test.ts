/**
 * The chat example: two browser pages chat through the server; two Node processes chat with
 * each other with no browser.
 */

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExample } from '../shared/processes.js';
import { launchBrowser, waitFor } from '../shared/testing.js';
import { type ChatServer, startChatServer } from './server.js';

let browser: Browser;
let server: ChatServer;

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startChatServer(0);
});

afterAll(async () => {
  await server?.close();
  await browser?.close();
});

async function join(name: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(server.url, { waitUntil: 'domcontentloaded' });
  await page.fill('#name', name);
  await waitFor(
    () => page.textContent('#status'),
    (status) => status === 'connected',
    `${name} connected`,
  );
  return page;
}

async function say(page: Page, text: string): Promise<void> {
  await page.fill('#message', text);
  await page.click('#chat button');
}

describe('examples/chat', () => {
  it('relays messages between browser pages through the server', { timeout: 40_000 }, async () => {
    const alice = await join('alice');
    const bob = await join('bob');
    await waitFor(
      () => server.members,
      (members) => members === 2,
      'two members',
    );
    await say(alice, 'hello from alice');
    await waitFor(
      () => bob.textContent('#log'),
      (log) => (log ?? '').includes('alice: hello from alice'),
      "bob's log",
    );
    await say(bob, 'hi alice ✓');
    await waitFor(
      () => alice.textContent('#log'),
      (log) => (log ?? '').includes('bob: hi alice ✓'),
      "alice's log",
    );
    // A page's own message is not sent back to it.
    expect(await alice.textContent('#log')).not.toContain('alice: hello from alice');
    await bob.close();
    await waitFor(
      () => server.members,
      (members) => members === 1,
      'bob gone',
    );
    await alice.close();
  });

  it('chats between two Node processes over a data channel, no browser', {
    timeout: 30_000,
  }, async () => {
    const listener = runExample('chat/node-chat.js', ['listen', '0']);
    const [, url] = await listener.line(/connect with\s+node-chat\.js connect (\S+)/);
    const connector = runExample('chat/node-chat.js', ['connect', url as string]);
    try {
      await connector.line(/connector: connected/);
      await listener.line(/listener: connected/);
      connector.child.stdin.write('hello over SCTP\n');
      await listener.line(/^peer: hello over SCTP$/);
      listener.child.stdin.write('and back\n');
      await connector.line(/^peer: and back$/);
      // Ctrl-D at one end closes the channel: both processes end cleanly.
      connector.child.stdin.end();
      expect(await connector.exited).toBe(0);
      expect(await listener.exited).toBe(0);
    } finally {
      listener.child.kill();
      connector.child.kill();
    }
  });
});
