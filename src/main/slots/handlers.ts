// Headless slots as the app sees them: how they are built from the config, and the contract's
// slots.* handlers. Slot actions' failures cross the contract as `unavailable` with their message.
import { ApiError } from '../../shared/api';
import { basics, defineService } from '../service';
import { bundledScenarioDir, slotOps } from './ops-impl';
import { testSlotRcon } from './rcon-test';
import { SlotsService } from './service';

export const slotsModule = defineService({
  name: 'slots',
  slice: (c) => [c.dataDir, c.slots, c.joinTest],
  enabled: (c) => c.slots.length > 0 || 'no slots configured',
  offMessage: 'no slots are configured (slots[])',
  create: (ctx) =>
    new SlotsService({
      slots: ctx.config.slots,
      joinTest: ctx.config.joinTest,
      dataDir: ctx.config.dataDir,
      scenarioDir: bundledScenarioDir(),
      secret: (ref, path) => ctx.secrets.resolve(ref, path),
      ops: slotOps(ctx.secrets, ctx.logger),
      ...basics(ctx),
    }),
  handlers: (slots, app) => ({
    'slots.status': () => slots.running()?.snapshot() ?? null,
    'slots.check': ({ id }) =>
      slots.call(async (s) => {
        await s.pollNow(id);
        return s.snapshot();
      }),
    'slots.deploy': ({ id }) =>
      slots.call((s) => {
        const ids = id
          ? [id]
          : s
              .snapshot()
              .slots.filter((x) => x.deployable)
              .map((x) => x.id);
        if (!ids.length) throw new Error('no slot has a deploy target (slots[].deploy)');
        return Promise.all(ids.map(async (i) => ({ id: i, ...(await s.deploy(i)) })));
      }),
    'slots.restart': ({ id }) => slots.call((s) => s.restart(id)),
    'slots.joinTest': ({ id }) => slots.call((s) => s.joinTest(id)),
    'slots.testRcon': ({ id }) => {
      const slot = app.store.effective.slots.find((s) => s.id === id);
      if (!slot) throw new ApiError('bad_request', `no saved slot "${id}" (save the slot first)`);
      return testSlotRcon({
        host: slot.host,
        port: slot.rconPort,
        password: app.secrets.resolve(slot.rconPassword, `slots.${id}.rconPassword`),
      });
    },
  }),
});
