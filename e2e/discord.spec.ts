import { appendFileSync, copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiscordTestServer } from '../src/main/discord/server.fixture';
import { expect, test as base } from './fixtures';
import { root } from './harness';

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
    const path = join(mkdtempSync(join(tmpdir(), 'cr-e2e-console-')), 'console.log');
    writeFileSync(path, '   0.000 2019-01-20 10:00:00; Factorio 2.0.12 (build 79000, linux64, headless)\n');
    await use(path);
  },
  appConfig: async ({ discordServer, consoleLog }, use) => {
    await use({ discord: { enabled: true, webhookUrl: discordServer.webhookUrl, consoleLogPath: consoleLog } });
  },
});

test.describe('Discord relay', () => {
  test('lines appended to console.log are listed as delivered; switches and the test message work', async ({
    ui,
    discordServer,
    consoleLog,
  }, testInfo) => {
    await ui.getByTestId('nav-discord').click();
    await expect(ui.getByTestId('discord-webhook')).toHaveText('Webhook set');
    await expect(ui.getByTestId('discord-tail')).toHaveAttribute('data-state', 'following');
    appendFileSync(
      consoleLog,
      '2019-01-20 10:30:04 [JOIN] Alice joined the game\n2019-01-20 10:30:07 [CHAT] Alice: hello *factory*\n',
    );
    const lines = ui.getByTestId('discord-line');
    await expect(lines).toHaveCount(2);
    await expect(lines.nth(0)).toHaveAttribute('data-state', 'sent');
    await expect(lines.nth(1)).toHaveAttribute('data-state', 'sent');
    // What went to Discord (escaped markdown), shown as Discord shows it: bold name, the player's own asterisks.
    await expect(lines.nth(0)).toHaveAttribute('data-raw', '💬 **Alice:** hello \\*factory\\*');
    await expect(lines.nth(0)).toContainText('💬 Alice: hello *factory*');
    await expect(lines.nth(0).locator('strong')).toHaveText('Alice:');
    await expect(lines.nth(1)).toContainText('✅ Alice joined the game');
    await expect(lines.nth(0).getByTestId('discord-line-state')).toHaveText('delivered');
    await expect(ui.getByTestId('discord-lines-heading')).toHaveText('Delivered lines (last 2)');
    expect(discordServer.lines()).toEqual(['✅ **Alice** joined the game', '💬 **Alice:** hello \\*factory\\*']);
    await expect(ui.getByTestId('discord-sent-events')).toHaveText('2');

    // Turning chat off is saved in the config; a chat line is then read but not relayed.
    await ui.getByTestId('discord-type-chat').locator('input').click();
    await expect(ui.getByTestId('discord-type-chat').locator('input')).not.toBeChecked();
    appendFileSync(
      consoleLog,
      '2019-01-20 10:31:00 [CHAT] Alice: not for Discord\n2019-01-20 10:31:01 [LEAVE] Alice left the game\n',
    );
    await expect(lines).toHaveCount(3);
    await expect(lines.nth(0)).toContainText('❌ Alice left the game');
    await expect(lines.nth(0)).toHaveAttribute('data-state', 'sent');

    await ui.getByTestId('discord-test').click();
    await expect(lines.nth(0)).toContainText('Test message');
    await expect(lines.nth(0)).toHaveAttribute('data-state', 'sent');
    await expect(ui.getByTestId('discord-message')).toHaveText('Test message delivered to Discord.');
    expect(discordServer.lines().at(-1)).toBe('🧪 Test message from Factorio Control Room');
    expect(discordServer.lines()).not.toContain('💬 **Alice:** not for Discord');
    if (testInfo.project.name === 'web') {
      const shot = testInfo.outputPath('discord.png');
      await ui.screenshot({ path: shot, fullPage: true });
      if (process.env.SCREENSHOTS === '1') copyFileSync(shot, join(root, 'docs/discord.png'));
    }
  });
});
