// The pipe as the app sees it: how it is built from the config, and the contract's pipe.* handlers.
import type { PipeEvent } from '../../shared/events';
import { basics, defineService } from '../service';
import { PipeService } from './service';

/** A copy with own fields only: cached events hold their parsed form behind a getter. */
export const plainEvent = (e: PipeEvent): PipeEvent => ({
  seq: e.seq,
  receivedAt: e.receivedAt,
  event: e.event,
  line: e.line,
});

export const pipeModule = defineService({
  name: 'pipe',
  slice: (c) => [c.dataDir, c.pipe],
  enabled: () => true,
  offMessage: 'the event pipe is not running',
  create: (ctx) =>
    new PipeService({
      path: ctx.config.pipe.path,
      config: ctx.config.pipe,
      dataDir: ctx.config.dataDir,
      cache: ctx.events,
      ...basics(ctx),
    }),
  handlers: (pipe, app) => ({
    'pipe.query': ({ text, types, limit }) => {
      const byText = text === undefined ? app.events.getAll() : app.events.findContaining(text);
      const matches = types === undefined ? byText : byText.filter((e) => types.includes(e.event.type));
      return { events: matches.slice(-(limit ?? 500)).map(plainEvent), total: matches.length };
    },
    'pipe.counters': () => pipe.running()?.counters() ?? null,
  }),
  metrics: (pipe) => ({ pipeCounters: () => pipe.running()?.counters() ?? null }),
});
