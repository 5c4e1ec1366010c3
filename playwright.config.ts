import { defineConfig } from '@playwright/test';

// One spec set, two targets: `web` drives headless mode in Debian's Chromium; `electron` launches
// the built app (skipped, with the reason printed, where no Electron binary is installed).
export default defineConfig<{ target: 'web' | 'electron' }>({
  testDir: 'e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json', { outputFile: 'reports/e2e.json' }]],
  outputDir: 'test-results',
  projects: [
    { name: 'web', use: { target: 'web' } },
    { name: 'electron', use: { target: 'electron' } },
  ],
});
