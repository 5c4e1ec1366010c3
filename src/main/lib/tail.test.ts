// The file follower against a real file on disk, written between its reads.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileTail } from './tail';

const dirs: string[] = [];
const tails: FileTail[] = [];
afterEach(async () => {
  await Promise.all(tails.splice(0).map((t) => t.stop()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('FileTail', () => {
  it('sees an append made while it is still reading the previous one, without waiting for a poll', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tail-'));
    dirs.push(dir);
    const path = join(dir, 'events.jsonl');
    writeFileSync(path, '');
    const LINES = 40;
    let text = '';
    const all = new Promise<void>((resolve) => {
      const tail = new FileTail(
        path,
        // A poll far beyond the test's timeout: only the directory watcher can bring each line.
        { from: 'start', pollMs: 3_600_000 },
        {
          data(chunk) {
            text += chunk.toString();
            const n = text.split('\n').length - 1;
            // The next line is written from inside the read of this one, so the watcher reports it
            // while the follower's round is still under way.
            if (n < LINES) appendFileSync(path, `line ${n}\n`);
            else resolve();
          },
        },
      );
      tails.push(tail);
      void tail.start().then(() => appendFileSync(path, 'line 0\n'));
    });
    await all;
    expect(text.split('\n').slice(0, -1)).toEqual(Array.from({ length: LINES }, (_, i) => `line ${i}`));
  }, 20_000);
});
