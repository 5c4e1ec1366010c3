// A run whose browser cannot start must leave nothing behind: the app instances its fixtures started
// before the launch failed are stopped by the fixtures themselves (not only by npm test's sweep).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { processesOfRun, RUN_ENV, sweep } from '../scripts/test-sweep.mjs';
import { expect, test } from './fixtures';
import { root, run, tempDir } from './harness';

test.describe('a failed run', () => {
  test.skip(process.platform !== 'linux', 'finding processes by their environment needs /proc');

  test('whose browser cannot launch leaves no process of ours running', async ({ target }) => {
    test.skip(target !== 'web', 'the web project drives the browser; one run of this check is enough');
    test.setTimeout(120_000);
    const runId = randomUUID();
    // Two tests that each start headless mode before asking for the browser, which cannot start.
    const nested = run(
      [
        join(root, 'node_modules/@playwright/test/cli.js'),
        'test',
        'e2e/shell.spec.ts',
        '--project',
        'web',
        '-g',
        'every view opens|the status bar shows',
        '--reporter',
        'line',
        '--output',
        tempDir('cr-nested-'),
        '--workers',
        '1',
      ],
      { [RUN_ENV]: runId, CHROMIUM_PATH: '/nonexistent/chromium' },
    );
    const code = await nested.exited;
    try {
      expect(code, nested.stdout()).not.toBe(0);
      expect(nested.stdout()).toMatch(/2 failed/);
      expect(nested.stdout()).toContain('/nonexistent/chromium');
      // What is still on its way out may take a moment; what was leaked never goes.
      await expect.poll(() => processesOfRun(runId), { timeout: 10_000 }).toEqual([]);
    } finally {
      await sweep(runId, { graceMs: 1000 });
    }
  });
});
