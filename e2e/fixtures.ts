// Fixtures shared by every spec. `ui` is the app's window: a Chromium page on headless mode for the
// web target, the Electron window for the electron target. Specs use only data-testids.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test as base, type Browser, type Page } from '@playwright/test';
import {
  CHROMIUM_ARGS,
  CHROMIUM_ENV,
  CHROMIUM_PATH,
  electronExecutable,
  root,
  startHeadless,
  stopChildren,
  tempDir,
  type Headless,
} from './harness';

export type Target = 'web' | 'electron';

interface TestFixtures {
  /** Runs around every test: stops whatever children the test started and left running. */
  reapChildren: void;
  /** Config the app under test starts with (merged over `{web:{port:0}}`). */
  appConfig: object;
  headlessApp: Headless;
  ui: Page;
}

interface WorkerFixtures {
  target: Target;
  launchChromium: () => Promise<Browser>;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  target: ['web', { option: true, scope: 'worker' }],
  appConfig: [{}, { option: true }],
  reapChildren: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
    async ({}, use) => {
      try {
        await use();
      } finally {
        await stopChildren();
      }
    },
    { auto: true },
  ],
  launchChromium: [
    async ({ playwright }, use) => {
      let browser: Browser | null = null;
      await use(
        async () =>
          (browser ??= await playwright.chromium.launch({
            executablePath: CHROMIUM_PATH,
            args: CHROMIUM_ARGS,
            env: CHROMIUM_ENV,
          })),
      );
      await (browser as Browser | null)?.close();
    },
    { scope: 'worker' },
  ],
  headlessApp: async ({ appConfig }, use) => {
    const h = await startHeadless(appConfig);
    try {
      await use(h);
    } finally {
      await h.stop();
    }
  },
  ui: async ({ target, launchChromium, playwright, appConfig }, use, testInfo) => {
    if (target === 'electron') {
      const exe = electronExecutable();
      if ('reason' in exe) {
        console.log(`[electron] skipped: ${exe.reason}`);
        testInfo.skip(true, exe.reason);
        return;
      }
      const home = tempDir('cr-electron-');
      writeFileSync(join(home, 'config.json'), JSON.stringify(appConfig));
      const args = [root];
      if (process.platform === 'linux' && process.getuid?.() === 0) args.push('--no-sandbox');
      const app = await playwright._electron.launch({
        executablePath: exe.path,
        args,
        env: { ...process.env, CONTROL_ROOM_HOME: home, HOME: home },
      });
      try {
        await use(await app.firstWindow());
      } finally {
        await app.close();
      }
      return;
    }
    // Whatever step fails (the browser's launch included), what was started before it is stopped.
    const h = await startHeadless(appConfig);
    try {
      const context = await (await launchChromium()).newContext();
      try {
        const page = await context.newPage();
        // A page error fails no assertion by itself but explains one that fails later: print it.
        page.on('pageerror', (e) => console.log(`[pageerror] ${testInfo.title}: ${e.stack ?? e.message}`));
        page.on(
          'console',
          (m) => m.type() === 'error' && console.log(`[console.error] ${testInfo.title}: ${m.text()}`),
        );
        await page.goto(h.url);
        (page as Page & { headless?: Headless }).headless = h;
        await use(page);
      } finally {
        await context.close();
      }
    } finally {
      await h.stop();
    }
  },
});

/** The headless instance behind a web-target page. */
export function headlessOf(page: Page): Headless {
  const h = (page as Page & { headless?: Headless }).headless;
  if (!h) throw new Error('not a web-target page');
  return h;
}

export { expect } from '@playwright/test';
