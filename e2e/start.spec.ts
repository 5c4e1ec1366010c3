import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { electronExecutable, root, run, tempDir, waitForLine } from './harness';

test.describe('npm start', () => {
  test.skip(({ target }) => target !== 'web', 'the start fallback is checked once, in the web project');

  test('without an Electron binary or internet, it falls back to headless mode and the UI opens in Chromium', async ({ launchChromium }) => {
    test.skip('path' in electronExecutable(), 'an Electron binary is installed here, so npm start opens the window instead');
    const home = tempDir();
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'config.json'), JSON.stringify({ web: { port: 0 } }));
    const r = run([join(root, 'scripts/start.mjs')], {
      CONTROL_ROOM_HOME: home,
      HOME: home,
      CONTROL_ROOM_NO_BROWSER: '1',
      // Point Electron's installer at a closed local port so the download fails the same way everywhere.
      ELECTRON_MIRROR: 'http://127.0.0.1:9/',
      electron_config_cache: join(home, 'electron-cache'),
    });
    const [line] = await waitForLine(r, /Electron is unavailable \(.+\); starting headless mode.*/);
    expect(line.split('\n')).toHaveLength(1);
    const [, url] = await waitForLine(r, /Control Room UI: (\S+)/);
    const page = await (await launchChromium()).newPage();
    await page.goto(url);
    await expect(page.getByTestId('nav-production')).toBeVisible();
    await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'open');
    await page.close();
    r.proc.kill('SIGTERM');
    expect(await r.exited).toBe(0);
  });
});
