/**
 * The file-transfer example between two Node processes: 24 MiB of random bytes arrive intact
 * (the receiver checks the SHA-256 and the test compares the files), with the rate printed.
 */

import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runExample } from '../shared/processes.js';

const directories: string[] = [];
afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

describe('examples/file-transfer', () => {
  it('sends a file between two Node processes with backpressure', { timeout: 60_000 }, async () => {
    const directory = await mkdtemp(join(tmpdir(), 'typertc-transfer-'));
    directories.push(directory);
    const source = join(directory, 'random.bin');
    const content = randomBytes(24 * 1024 * 1024 + 123);
    await writeFile(source, content);
    const outDir = join(directory, 'out');
    await mkdir(outDir);

    const receiver = runExample('file-transfer/file-transfer.js', ['receive', '0', outDir]);
    const [, url] = await receiver.line(/send with\s+file-transfer\.js send (\S+) FILE/);
    const sender = runExample('file-transfer/file-transfer.js', ['send', url as string, source]);
    try {
      const [line] = await sender.line(
        /^sent random\.bin: .* MB\/s\); receiver: sha-256 ok$/,
        50_000,
      );
      expect(Number(/\(([\d.]+) MB\/s\)/.exec(line)?.[1])).toBeGreaterThan(1);
      await receiver.line(/^received random\.bin: 25165947 bytes .*; sha-256 ok$/);
      expect(await sender.exited).toBe(0);
      expect(await receiver.exited).toBe(0);
      expect((await readFile(join(outDir, 'random.bin'))).equals(content)).toBe(true);
    } finally {
      sender.child.kill();
      receiver.child.kill();
    }
  });
});
