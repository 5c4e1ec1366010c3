// W&B as the app sees it: how it is built from the config, and the contract's wandb.* handlers.
import { basics, defineService } from '../service';
import { testWandbKey } from './key-test';
import { WandbService } from './service';

export const wandbModule = defineService({
  name: 'wandb',
  slice: (c) => [c.dataDir, c.wandb],
  enabled: (c) => c.wandb.enabled || 'wandb.enabled is false',
  offMessage: 'W&B is turned off (wandb.enabled)',
  create: (ctx) =>
    new WandbService({
      config: ctx.config.wandb,
      dataDir: ctx.config.dataDir,
      apiKey: ctx.secrets.resolve(ctx.config.wandb.apiKey, 'wandb.apiKey'),
      events: ctx.events,
      ...basics(ctx),
    }),
  handlers: (wandb, app) => ({
    'wandb.status': () => wandb.running()?.snapshot() ?? null,
    'wandb.sync': () => wandb.call((w) => w.sync()),
    'wandb.testKey': () =>
      testWandbKey(
        app.store.effective.wandb.baseUrl,
        app.secrets.resolve(app.store.effective.wandb.apiKey, 'wandb.apiKey'),
      ),
  }),
});
