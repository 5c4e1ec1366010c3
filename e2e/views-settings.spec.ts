// Settings: a section saves on its own (and keeps unsaved edits elsewhere), slot and pattern rows
// are validated field by field, the values in effect are shown, and the Test buttons ask the real
// local stand-ins: the W&B test server (GraphQL viewer) and an RCON test server (/version).
import { readFileSync } from 'node:fs';
import { RconTestServer } from '../src/main/slots/rcon-server.fixture';
import { WandbTestServer } from '../src/main/wandb/server.fixture';
import { expect, headlessOf, test as base } from './fixtures';

const test = base.extend<{ wandbServer: WandbTestServer; rconServer: RconTestServer }>({
  // eslint-disable-next-line no-empty-pattern
  wandbServer: async ({}, use) => {
    const server = new WandbTestServer();
    server.apiKeys.add('e2e-wandb-key-7f3a');
    await server.start();
    await use(server);
    await server.stop();
  },
  // eslint-disable-next-line no-empty-pattern
  rconServer: async ({}, use) => {
    const server = new RconTestServer({
      password: 'rcon-pw',
      handler: (c) => (c === '/version' ? 'Version: 2.0.55 (build 83138, linux64, headless)' : ''),
    });
    await server.start();
    await use(server);
    await server.stop();
  },
  appConfig: async ({ wandbServer, rconServer }, use) => {
    await use({
      wandb: { baseUrl: wandbServer.url, apiKey: 'not-the-key' },
      slots: [{ id: 'alpha', rconPort: rconServer.port, rconPassword: 'rcon-pw', pollSeconds: 3600 }],
    });
  },
});

test.describe('Settings sections', () => {
  test("one section's Save writes only that section and keeps another's unsaved edit", async ({ ui }) => {
    await ui.getByTestId('nav-settings').click();
    const configPath = (await ui.getByTestId('config-path').textContent())!;
    await ui.getByTestId('setting-engine.port').fill('50999');
    await ui.getByTestId('setting-wandb.project').fill('sections-project');
    await expect(ui.getByTestId('settings-dirty')).toContainText('Weights & Biases, Engine server');
    await ui.getByTestId('settings-save-wandb').click();
    await expect(ui.getByTestId('settings-message-wandb')).toContainText('Weights & Biases saved');
    const saved = JSON.parse(readFileSync(configPath, 'utf8'));
    expect(saved.wandb.project).toBe('sections-project');
    expect(saved.engine?.port ?? 50051).toBe(50051);
    // The engine section's edit survived the W&B save.
    await expect(ui.getByTestId('setting-engine.port')).toHaveValue('50999');
    await expect(ui.getByTestId('settings-dirty')).toHaveText('Unsaved changes in Engine server');
  });

  test('slot rows: add, per-field problems named at the field, remove', async ({ ui }) => {
    await ui.getByTestId('nav-settings').click();
    await expect(ui.getByTestId('slots-form-row')).toHaveCount(1);
    await ui.getByTestId('slots-form-add').click();
    await expect(ui.getByTestId('slots-form-row')).toHaveCount(2);
    await ui.getByTestId('setting-slots.1.id').fill('alpha');
    await ui.getByTestId('setting-slots.1.rconPort').fill('70000');
    await expect(ui.getByTestId('issue-slots.1.id')).toContainText('duplicate slot id "alpha"');
    await expect(ui.getByTestId('issue-slots.1.rconPort')).toContainText('70000');
    await expect(ui.getByTestId('setting-slots.1.rconPort')).toHaveAttribute('aria-invalid', 'true');
    await expect(ui.getByTestId('settings-save-slots')).toBeDisabled();
    await expect(ui.getByTestId('settings-save-slots-reason')).toHaveText('Fix 2 problems first');
    // Every field has an accessible name.
    await expect(ui.getByRole('textbox', { name: 'RCON port' }).nth(1)).toHaveValue('70000');
    await ui.getByTestId('slots-form-remove-1').click();
    await expect(ui.getByTestId('slots-form-row')).toHaveCount(1);
    await expect(ui.getByTestId('settings-save-slots-reason')).toHaveText('No changes');
  });

  test('values in effect: the port this page is served on, the data folder and the pipe path', async ({ ui }) => {
    await ui.getByTestId('nav-settings').click();
    const h = headlessOf(ui);
    await expect(ui.getByTestId('setting-web.port')).toHaveValue('0');
    await expect(ui.getByTestId('effective-web.port')).toHaveText(
      `In effect: this page is served on 127.0.0.1:${h.port}`,
    );
    // The harness sets --data-dir, so the field says what overrides it and the folder in effect.
    await expect(ui.locator('[data-testid="effective-dataDir"], [data-testid="override-dataDir"]')).toContainText(
      h.dir,
    );
    await expect(ui.getByTestId('effective-pipe.path')).toContainText('events.pipe');
  });

  test('Test API key asks the W&B server; Test RCON runs /version on the slot', async ({
    ui,
    wandbServer,
    rconServer,
  }) => {
    await ui.getByTestId('nav-settings').click();
    await ui.getByTestId('wandb-test-key').click();
    await expect(ui.getByTestId('wandb-test-key-result')).toHaveAttribute('data-ok', 'false');
    await expect(ui.getByTestId('wandb-test-key-result')).toContainText('refused the API key (HTTP 401)');
    // A new key must be saved before it is tested: the button says so.
    await ui.getByTestId('setting-wandb.apiKey').fill('e2e-wandb-key-7f3a');
    await expect(ui.getByTestId('wandb-test-key-reason')).toContainText('Save this section first');
    await ui.getByTestId('settings-save-wandb').click();
    await expect(ui.getByTestId('settings-message-wandb')).toContainText('saved');
    await ui.getByTestId('wandb-test-key').click();
    await expect(ui.getByTestId('wandb-test-key-result')).toHaveAttribute('data-ok', 'true');
    await expect(ui.getByTestId('wandb-test-key-result')).toContainText(`${wandbServer.url} accepted the API key`);

    await ui.getByTestId('slot-test-alpha').click();
    await expect(ui.getByTestId('slot-test-alpha-result')).toHaveAttribute('data-ok', 'true');
    await expect(ui.getByTestId('slot-test-alpha-result')).toContainText('Version: 2.0.55');
    expect(rconServer.commands).toContain('/version');
    // The page never saw either secret.
    const html = await ui.content();
    expect(html).not.toContain('rcon-pw');
    expect(html).not.toContain('e2e-wandb-key-7f3a');
  });
});
