// The feed program as a separate process, writing into a real file and a real FIFO read by the pipe.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ConfigSchema } from '../../shared/config';
import { parseEventLine, type PipeEvent } from '../../shared/events';
import { silentLogger } from '../log';
import { EventCache } from '../lib/cache';
import { PipeService } from '../pipe/service';
import { noFifo, skipTitle } from '../../../scripts/system-deps.mjs';

const FEED = join(__dirname, 'feed.ts');

function feed(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FEED, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('feed program', () => {
  it('writes --lines valid event lines as fast as asked', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cr-feed-')), 'out.jsonl');
    expect((await feed(['--path', path, '--lines', '25', '--rate', '0', '--seed', '4'])).code).toBe(0);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(25);
    expect(lines.every((l) => parseEventLine(l).ok)).toBe(true);
    expect(JSON.parse(lines[0]).type).toBe('session_init');
  });

  it('rejects bad arguments with exit code 2 and a usage line', async () => {
    const r = await feed(['--path', '/tmp/x', '--rate', 'fast']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--rate must be a number');
    expect((await feed([])).stderr).toContain('--path is required');
  });

  it.skipIf(noFifo)(skipTitle('feeds the pipe through a FIFO exactly as a game would', noFifo), async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cr-feed-'));
    const path = join(dir, 'events.pipe');
    const cache = new EventCache<PipeEvent>(1000, (e) => e.line);
    const svc = new PipeService({
      path,
      config: ConfigSchema.parse({}).pipe,
      dataDir: join(dir, 'data'),
      cache,
      logger: silentLogger(),
      statusChanged() {},
      push() {},
    });
    await svc.start();
    expect((await feed(['--path', path, '--lines', '40', '--rate', '200'])).code).toBe(0);
    await vi.waitFor(() => expect(cache.size()).toBe(40), { timeout: 10_000, interval: 20 });
    expect(svc.counters().rejectedTotal).toBe(0);
    await svc.stop();
  });
});
