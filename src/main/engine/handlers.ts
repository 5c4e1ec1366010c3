// The engine server as the app sees it: how it is built from the config, the contract's engine.*
// handlers, and its Prometheus text for headless /metrics.
import { basics, defineService } from '../service';
import { EngineService } from './service';

export const engineModule = defineService({
  name: 'engine',
  slice: (c) => c.engine,
  enabled: (c) => c.engine.enabled || 'engine.enabled is false',
  offMessage: 'the engine server is turned off (engine.enabled)',
  create: (ctx) => new EngineService({ config: ctx.config.engine, ...basics(ctx) }),
  handlers: (engine) => ({
    'engine.status': () => engine.running()?.snapshot() ?? null,
    'engine.reset': ({ envId, seed }) => engine.require().reset(envId, seed),
    'engine.step': ({ envId, state, action }) => engine.require().step(envId, state, action),
  }),
  metrics: (engine) => ({ prometheus: () => engine.running()?.metricsText() ?? undefined }),
});
