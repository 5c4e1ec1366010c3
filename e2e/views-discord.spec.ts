// The Discord view's failure states against the local Discord stand-in: a refused message is an
// error card and a red "failed" line, a deleted webhook stops delivery with a card saying so and
// the held lines say "held", and with no webhook "Send test message" says why it cannot.
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiscordTestServer } from '../src/main/discord/server.fixture';
import { expect, test as base } from './fixtures';

const consoleLogFile = () => {
  const path = join(mkdtempSync(join(tmpdir(), 'cr-e2e-views-discord-')), 'console.log');
  writeFileSync(path, '');
  return path;
};

const test = base.extend<{ discordServer: DiscordTestServer; consoleLog: string }>({
  // eslint-disable-next-line no-empty-pattern
  discordServer: async ({}, use) => {
    const server = new DiscordTestServer();
    await server.start();
    await use(server);
    await server.stop();
  },
  // eslint-disable-next-line no-empty-pattern
  consoleLog: async ({}, use) => {
    await use(consoleLogFile());
  },
  appConfig: async ({ discordServer, consoleLog }, use) => {
    await use({ discord: { enabled: true, webhookUrl: discordServer.webhookUrl, consoleLogPath: consoleLog } });
  },
});

test.describe('Discord view failure states', () => {
  test('a refused message is an error card; a deleted webhook stops delivery and the lines are held', async ({
    ui,
    discordServer,
    consoleLog,
  }) => {
    await ui.getByTestId('nav-discord').click();
    await expect(ui.getByTestId('discord-tail')).toHaveAttribute('data-state', 'following');
    await expect(ui.getByTestId('discord-empty')).toBeVisible();

    discordServer.faults.push({ status: 400 });
    appendFileSync(consoleLog, '2019-01-20 10:30:04 [JOIN] Bob joined the game\n');
    const lines = ui.getByTestId('discord-line');
    await expect(lines.first()).toHaveAttribute('data-state', 'failed');
    await expect(lines.first().getByTestId('discord-line-state')).toHaveText('failed');
    await expect(lines.first().getByTestId('discord-line-state')).toHaveClass(/tone-bad/);
    const card = ui.getByTestId('discord-failed-card');
    await expect(card).toHaveAttribute('role', 'alert');
    await expect(card).toContainText('Discord refused 1 event for good');
    await expect(card).toContainText('Bob joined the game');

    discordServer.deleted = true;
    appendFileSync(consoleLog, '2019-01-20 10:31:00 [LEAVE] Bob left the game\n');
    await expect(ui.getByTestId('discord-error')).toContainText('Delivery to Discord is stopped');
    await expect(lines.first()).toContainText('Bob left the game');
    await expect(lines.first().getByTestId('discord-line-state')).toHaveText('held (delivery stopped)');
    await expect(ui.getByTestId('discord-lines-heading')).toHaveText(/0 delivered, 1 queued, 1 failed/);

    // Circuit open: a test message is queued and the report says it is not delivered.
    await ui.getByTestId('discord-test').click();
    await expect(ui.getByTestId('discord-message')).toContainText('delivery is stopped');
  });
});

test.describe('Discord view without a webhook', () => {
  test.use({ appConfig: { discord: { enabled: true, consoleLogPath: consoleLogFile() } } });

  test('"Send test message" is disabled and says why', async ({ ui }) => {
    await ui.getByTestId('nav-discord').click();
    await expect(ui.getByTestId('discord-test')).toBeDisabled();
    await expect(ui.getByTestId('discord-test-reason')).toHaveText(/No webhook URL set/);
  });
});
