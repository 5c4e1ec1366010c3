import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { electronExecutable, root, run, stopChild, tempDir, waitForLine, type ChildRun } from './harness';

/** A home with a config on any free port, and the environment that makes Electron's download fail here. */
function setUp() {
  const home = tempDir();
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'config.json'), JSON.stringify({ web: { port: 0 } }));
  const cache = join(home, 'launch-cache');
  const env = {
    CONTROL_ROOM_HOME: home,
    HOME: home,
    CONTROL_ROOM_NO_BROWSER: '1',
    CONTROL_ROOM_CACHE_DIR: cache,
    // Point Electron's installer at a closed local port so the download fails the same way everywhere.
    ELECTRON_MIRROR: 'http://127.0.0.1:9/',
    electron_config_cache: join(home, 'electron-cache'),
  };
  return { home, cache, env, marker: join(cache, 'electron-download-failed.json') };
}

/** Runs a launcher until the UI is up, then stops it; resolves with what it printed. */
async function untilUp(r: ChildRun): Promise<{ url: string; stdout: string }> {
  const [, url] = await waitForLine(r, /Control Room UI: (\S+)/);
  const stdout = r.stdout();
  expect(await stopChild(r)).toBe(0);
  return { url, stdout };
}

test.describe('npm start', () => {
  test.skip(({ target }) => target !== 'web', 'the start fallback is checked once, in the web project');

  test('without an Electron binary or internet, it falls back to headless mode and the UI opens in Chromium', async ({
    launchChromium,
  }) => {
    test.skip(
      'path' in electronExecutable(),
      'an Electron binary is installed here, so npm start opens the window instead',
    );
    const { env } = setUp();
    const r = run([join(root, 'scripts/start.mjs')], env);
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

  test('a failed Electron download is remembered for 24 h: the next starts do not run the installer again', async () => {
    test.skip('path' in electronExecutable(), 'an Electron binary is installed here');
    const { env, marker } = setUp();
    const first = await untilUp(run([join(root, 'scripts/start.mjs')], env));
    expect(first.stdout).toContain('running its installer');
    const remembered = JSON.parse(readFileSync(marker, 'utf8'));
    expect(remembered.at).toBeLessThanOrEqual(Date.now());
    expect(remembered.reason).not.toBe('');

    for (const script of ['start.mjs', 'dev.mjs']) {
      const again = run([join(root, 'scripts', script), '--port', '0'], env);
      const { stdout } = await untilUp(again);
      expect(stdout).not.toContain('running its installer');
      expect(stdout).toMatch(/Electron is unavailable \(its download failed \d+ min ago: .+; tried again after 24 h/);
    }

    // A day later it is tried again.
    writeFileSync(marker, JSON.stringify({ ...remembered, at: Date.now() - 25 * 3600_000 }));
    const later = await untilUp(run([join(root, 'scripts/start.mjs')], env));
    expect(later.stdout).toContain('running its installer');
  });

  test('npm start -- --headless says headless mode was asked for and never touches the installer', async () => {
    const { env, cache } = setUp();
    const { stdout } = await untilUp(run([join(root, 'scripts/start.mjs'), '--headless'], env));
    expect(stdout).toContain('Headless mode, as asked');
    expect(stdout).not.toContain('unavailable');
    expect(stdout).not.toContain('installer');
    expect(existsSync(cache)).toBe(false);
  });
});

test.describe('npm run dev', () => {
  test.skip(({ target }) => target !== 'web', 'checked once, in the web project');

  test('with --port 0 a restart of the app keeps the port it chose first, and the open tab still reaches it', async ({
    launchChromium,
  }) => {
    const { env } = setUp();
    const r = run([join(root, 'scripts/dev.mjs'), '--headless', '--port', '0', '--no-demo'], env);
    const [, first] = await waitForLine(r, /Control Room UI: (\S+)/);
    expect(r.stdout()).toContain('Headless mode, as asked');
    const page = await (await launchChromium()).newPage();
    await page.goto(first);
    await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'open');
    // SIGHUP restarts the app as a rebuild does, without building.
    r.proc.kill('SIGHUP');
    const [, second] = await waitForLine(r, /SIGHUP: restarting[\s\S]*Control Room UI: (\S+)/);
    expect(new URL(second).port).toBe(new URL(first).port);
    // The open tab's address (no token in it any more) and cookie still reach the new process.
    await page.reload();
    await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'open');
    await page.close();
    expect(await stopChild(r)).toBe(0);
  });
});
