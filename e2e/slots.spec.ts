// The Slots view and the slots CLI against a stand-in headless server that runs our scenario in
// Lua behind a real RCON socket, a local deploy target, and a stand-in client that joins by
// loading the server's save.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolSkipReason } from '../scripts/system-deps.mjs';
import { FactorioHost } from '../src/main/slots/factorio-host.fixture';
import { expect, test as base } from './fixtures';
import { root, run } from './harness';

const noLua = toolSkipReason('lua5.2');

const test = base.extend<{ factorio: FactorioHost; slotDir: string }>({
  // eslint-disable-next-line no-empty-pattern
  factorio: async ({}, use) => {
    const h = new FactorioHost({ password: 'rcon-secret', players: ['alice'] });
    await h.start();
    try {
      await use(h);
    } finally {
      await h.stop();
    }
  },
  // eslint-disable-next-line no-empty-pattern
  slotDir: async ({}, use) => {
    await use(join(mkdtempSync(join(tmpdir(), 'cr-e2e-slot-')), 'scenarios', 'open_world'));
  },
  appConfig: async ({ factorio, slotDir }, use) => {
    await use({
      slots: [
        {
          id: 'alpha',
          name: 'Alpha',
          rconPort: factorio.rcon.port,
          rconPassword: 'rcon-secret',
          deploy: { kind: 'local', dir: slotDir },
          restartCommand: 'echo rotating saves; echo restarted',
        },
      ],
      joinTest: { clientPath: factorio.clientExecutable(), timeoutSeconds: 30 },
    });
  },
});

test.describe('Slots', () => {
  test.skip(noLua !== null, noLua ?? '');

  test('the slot shows live status; Deploy shows progress and verification, then Join test passes step by step', async ({
    ui,
    slotDir,
  }, testInfo) => {
    await ui.getByTestId('nav-slots').click();
    const row = ui.getByTestId('slot-alpha');
    await expect(row).toHaveAttribute('data-state', 'reachable', { timeout: 15_000 });
    await expect(row.getByTestId('slot-players')).toHaveText('1');
    await expect(row.getByTestId('slot-registrations')).toHaveText('✓');
    await expect(row.getByTestId('slot-versions')).toHaveAttribute('data-match', 'true');

    await row.getByTestId('slot-deploy-button').click();
    const deploy = ui.getByTestId('slot-deploy');
    await expect(deploy).toHaveAttribute('data-phase', 'done', { timeout: 15_000 });
    await expect(deploy).toContainText('every SHA-256 verified');
    await expect(deploy).toContainText('older runtime are not joinable');
    expect(readFileSync(join(slotDir, 'control.lua'), 'utf8')).toBe(
      readFileSync(join(root, 'scenario/open_world/control.lua'), 'utf8'),
    );

    await row.getByTestId('slot-join-button').click();
    const runBox = ui.getByTestId('slot-join-run').first();
    await expect(runBox).toHaveAttribute('data-ok', 'true', { timeout: 30_000 });
    const steps = runBox.getByTestId('slot-join-step');
    await expect(steps).toHaveCount(6);
    for (let i = 0; i < 6; i++) await expect(steps.nth(i)).toHaveAttribute('data-state', 'passed');
    await expect(steps.nth(5)).toContainText('to(InGame)');

    await row.getByTestId('slot-restart-button').click();
    await expect(ui.getByTestId('slot-restart-output')).toContainText('restart command exited 0');
    await expect(ui.getByTestId('slot-restart-output')).toContainText('rotating saves');
    if (testInfo.project.name === 'web') {
      const shot = testInfo.outputPath('slots.png');
      await ui.screenshot({ path: shot, fullPage: true });
      if (process.env.SCREENSHOTS === '1') copyFileSync(shot, join(root, 'docs/slots.png'));
    }
  });

  test('a handler registered at run time fails the join test, with the evidence shown', async ({ ui, factorio }) => {
    await factorio.execute('/sc script.on_event(defines.events.on_built_entity, function() end)');
    await ui.getByTestId('nav-slots').click();
    const row = ui.getByTestId('slot-alpha');
    await expect(row.getByTestId('slot-registrations')).toHaveText('✗', { timeout: 15_000 });
    await row.getByTestId('slot-join-button').click();
    const runBox = ui.getByTestId('slot-join-run').first();
    await expect(runBox).toHaveAttribute('data-ok', 'false', { timeout: 30_000 });
    await expect(runBox.getByTestId('slot-join-step').nth(4)).toHaveAttribute('data-state', 'failed');
    await expect(runBox.getByTestId('slot-join-step').nth(4)).toContainText('on_built_entity');
    await expect(runBox.getByTestId('slot-join-step').nth(5)).toContainText('script-event-mismatch');
  });

  test('npm run slots: status, deploy and join-test with exit codes', async ({ factorio }, testInfo) => {
    test.skip(testInfo.project.name !== 'web', 'process-level check, run once in the web project');
    const dir = mkdtempSync(join(tmpdir(), 'cr-e2e-slots-cli-'));
    const target = join(dir, 'open_world');
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        slots: [
          {
            id: 'alpha',
            rconPort: factorio.rcon.port,
            rconPassword: { env: 'SLOT_PW' },
            deploy: { kind: 'local', dir: target },
          },
        ],
        joinTest: { clientPath: factorio.clientExecutable() },
      }),
    );
    const cli = async (...args: string[]) => {
      const r = run([join(root, 'out/main/slots.js'), ...args, '--config', config, '--data-dir', join(dir, 'data')], {
        HOME: dir,
        SLOT_PW: 'rcon-secret',
      });
      return { code: await r.exited, out: r.stdout(), err: r.stderr() };
    };
    const status = await cli('status');
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/^ok {3}alpha {2}127\.0\.0\.1:34197 {2}reachable/m);
    expect(status.out).not.toContain('rcon-secret');
    // Files not deployed yet: the join test fails at step 1 and says which files.
    const before = await cli('join-test', '--slot', 'alpha');
    expect(before.code).toBe(1);
    expect(before.out).toMatch(/failed {2}Scenario files on the slot match ours: .*control\.lua/);
    const deploy = await cli('deploy');
    expect(deploy.code).toBe(0);
    expect(existsSync(join(target, 'control.lua'))).toBe(true);
    const after = await cli('join-test', '--slot', 'alpha');
    expect(after.code).toBe(0);
    expect(after.out.match(/^ {5}passed/gm)).toHaveLength(6);
    expect((await cli('join-test', '--slot', 'nope')).code).toBe(2);
    expect((await cli('launch')).code).toBe(2);
  });
});
