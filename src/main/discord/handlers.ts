// The Discord relay as the app sees it: how it is built from the config, and the contract's
// discord.* handlers.
import { basics, defineService } from '../service';
import { DiscordService } from './service';

export const discordModule = defineService({
  name: 'discord',
  // Type switches apply in place (reconfigure), so flipping one keeps the relay and its recent lines.
  slice: (c) => [c.dataDir, { ...c.discord, types: undefined }],
  enabled: (c) => c.discord.enabled || 'discord.enabled is false',
  offMessage: 'the Discord relay is turned off (discord.enabled)',
  create: (ctx) =>
    new DiscordService({
      config: ctx.config.discord,
      dataDir: ctx.config.dataDir,
      webhookUrl: ctx.secrets.resolve(ctx.config.discord.webhookUrl, 'discord.webhookUrl') ?? null,
      ...basics(ctx),
    }),
  handlers: (discord, app) => ({
    'discord.status': () => discord.running()?.snapshot() ?? null,
    'discord.test': () => discord.require().sendTest(),
    'discord.setType': async ({ type, enabled }) => {
      app.store.amend((file) => ({
        ...file,
        discord: { ...file.discord, types: { ...file.discord.types, [type]: enabled } },
      }));
      await app.configChanged();
      return app.store.view();
    },
  }),
});
