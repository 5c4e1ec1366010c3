// What the browser benches share: the built app in headless mode (a child process with its own
// config and data folder, stopped when the bench exits) and the Chromium the e2e tests use, with
// the same flags.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { CHROMIUM_ARGS } from '../e2e/harness';
import { prepareBrowser } from '../scripts/system-deps.mjs';

const root = join(import.meta.dirname, '..');

/**
 * Starts `out/main/headless.js` (or the build in `outDir`) on `dir`'s config.json and data folder,
 * with the demo feed or without, and resolves once it prints its URL.
 */
export async function startHeadless(opts: {
  dir: string;
  demo: boolean;
  outDir?: string;
}): Promise<{ app: ChildProcess; url: string }> {
  const app = spawn(
    process.execPath,
    [
      join(opts.outDir ?? join(root, 'out'), 'main/headless.js'),
      '--config',
      join(opts.dir, 'config.json'),
      '--data-dir',
      join(opts.dir, 'data'),
      opts.demo ? '--demo' : '--no-demo',
    ],
    {
      env: { ...process.env, HOME: opts.dir, CONTROL_ROOM_HOME: opts.dir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  process.on('exit', () => app.kill('SIGTERM'));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    app.stdout!.on('data', (d) => {
      out += d;
      const m = /Control Room UI: (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    app.on('exit', (c) => reject(new Error(`headless exited ${c}`)));
  });
  return { app, url };
}

/** The browser `npm test` prepares (unpacked here if it is not yet), with the e2e tests' flags. */
export async function launchChromium(): Promise<Browser> {
  const prepared = await prepareBrowser();
  if (!prepared.path) throw new Error(`no browser: ${prepared.reason}`);
  return chromium.launch({
    executablePath: prepared.path,
    env: { ...(process.env as Record<string, string>), ...prepared.env },
    args: CHROMIUM_ARGS,
  });
}
