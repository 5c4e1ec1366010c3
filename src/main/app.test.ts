import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { methods, type MethodName } from '../shared/api';
import { parseEventLine } from '../shared/events';
import { ControlRoomApp } from './app';
import { ConfigStore } from './config';
import { silentLogger } from './log';
import { SecretStore } from './secrets';
import { StatusCell, type Service, type ServiceContext } from './service';
import { notLinux, noFifo, skipTitle } from '../../scripts/system-deps.mjs';

/** A minimal Service for exercising the composition root's lifecycle. */
class RecordingService implements Service {
  static log: string[] = [];
  private cell: StatusCell;
  constructor(
    private readonly ctx: ServiceContext,
    private readonly opts: { hangOnStop?: boolean; failStart?: boolean } = {},
  ) {
    this.cell = new StatusCell('stopped', 'new', ctx.statusChanged);
  }
  async start() {
    if (this.opts.failStart) throw new Error('port in use');
    RecordingService.log.push(`start engine.port=${this.ctx.config.engine.port}`);
    this.cell.set('running', `listening on ${this.ctx.config.engine.port}`);
  }
  async stop() {
    RecordingService.log.push('stop');
    if (this.opts.hangOnStop) await new Promise(() => {});
    this.cell.set('stopped', 'stopped');
  }
  status() {
    return this.cell.get();
  }
}

type AppServices = ConstructorParameters<typeof ControlRoomApp>[0]['services'];

function makeApp(config: object, services: AppServices, stopTimeoutMs = 4500) {
  const dir = mkdtempSync(join(tmpdir(), 'cr-app-'));
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify(config));
  const secrets = new SecretStore({}, dir);
  const store = new ConfigStore({ path, env: {}, secrets, appHome: dir, keepLastGood: false });
  store.load();
  return new ControlRoomApp({
    mode: 'headless',
    version: 't',
    configStore: store,
    secrets,
    logger: silentLogger(),
    services,
    stopTimeoutMs,
  });
}

const client = { markReady() {}, reset() {}, detach() {}, dropped: 0 };

describe('ControlRoomApp', () => {
  it('reports disabled, unavailable and running services, and ok overall', async () => {
    RecordingService.log = [];
    const app = makeApp({ engine: { enabled: true, port: 6001 } }, { engine: (ctx) => new RecordingService(ctx) });
    await app.start();
    const s = app.snapshot();
    expect(s.status).toBe('ok');
    expect(s.services.engine).toMatchObject({ state: 'running', summary: 'listening on 6001' });
    expect(s.services.wandb).toMatchObject({ state: 'disabled', summary: 'off: wandb.enabled is false' });
    expect(s.services.pipe).toMatchObject({ state: 'unavailable' });
    await app.stop();
    expect(RecordingService.log).toEqual(['start engine.port=6001', 'stop']);
  });

  it('a service that fails to start is an error in status and degrades overall health', async () => {
    const app = makeApp(
      { engine: { enabled: true } },
      { engine: (ctx) => new RecordingService(ctx, { failStart: true }) },
    );
    await app.start();
    expect(app.snapshot().services.engine).toMatchObject({ state: 'error', summary: 'failed to start: port in use' });
    expect(app.snapshot().status).toBe('degraded');
    await app.stop();
  });

  it('answers every contract method, from the app or a service folder', () => {
    const app = makeApp({}, {});
    for (const m of Object.keys(methods) as MethodName[]) expect(typeof app.handlers[m], m).toBe('function');
  });

  it("a service's handlers reach only the instance their own module built", async () => {
    // A stand-in runs under the engine's name: engine.* must not treat it as an EngineService.
    const app = makeApp({ engine: { enabled: true, port: 6001 } }, { engine: (ctx) => new RecordingService(ctx) });
    await app.start();
    expect(app.snapshot().services.engine.state).toBe('running');
    expect(await app.handlers['engine.status'](undefined, { client })).toBeNull();
    await expect(
      Promise.resolve().then(() => app.handlers['engine.reset']({ envId: 'x', seed: 1 }, { client })),
    ).rejects.toMatchObject({ code: 'unavailable' });
    expect(await app.metrics()).not.toContain('engine_');
    await app.stop();
  });

  it('restarts only the service whose config section changed', async () => {
    RecordingService.log = [];
    const app = makeApp({ engine: { enabled: true, port: 6001 } }, { engine: (ctx) => new RecordingService(ctx) });
    await app.start();
    await app.handlers['config.update']({ engine: { enabled: true, port: 6001 }, wandb: { project: 'x' } } as never, {
      client,
    });
    expect(RecordingService.log).toEqual(['start engine.port=6001']);
    await app.handlers['config.update']({ engine: { enabled: true, port: 6002 } } as never, { client });
    expect(RecordingService.log).toEqual(['start engine.port=6001', 'stop', 'start engine.port=6002']);
    await app.handlers['config.update']({ engine: { enabled: false, port: 6002 } } as never, { client });
    expect(app.snapshot().services.engine.state).toBe('disabled');
    await app.stop();
  });

  it('stop() returns by its deadline when a service hangs, naming it', async () => {
    const app = makeApp(
      { engine: { enabled: true } },
      { engine: (ctx) => new RecordingService(ctx, { hangOnStop: true }) },
      200,
    );
    await app.start();
    expect(await app.stop()).toEqual({ timedOut: ['engine'] });
  });

  it('pipe.query searches the whole cache by text (on each line as read, case-sensitive) and by type, newest last', async () => {
    const app = makeApp({ pipe: { capacity: 100 } }, {});
    const lines = [
      '{"type":"session_init","session_id":"aa11","tick":0,"level_name":"Iron"}',
      '{"type":"stats","session_id":"aa11","cycle":1,"tick":120,"products_production":{"iron-plate":1},"materials_consumption":{}}',
      '{"type":"chat","text":"iron is low"}',
      '{"type":"stats","session_id":"bb22","cycle":1,"tick":120,"products_production":{"copper-plate":2},"materials_consumption":{}}',
    ];
    lines.forEach((line, i) => {
      const r = parseEventLine(line);
      if (!r.ok) throw new Error(r.message);
      app.events.push({ seq: i + 1, receivedAt: 0, event: r.event, line });
    });
    const q = (input: Parameters<(typeof app.handlers)['pipe.query']>[0]) =>
      app.handlers['pipe.query'](input, { client });
    const seqs = async (input: Parameters<(typeof app.handlers)['pipe.query']>[0]) => {
      const r = await q(input);
      return { seqs: r.events.map((e) => e.seq), total: r.total };
    };
    expect(await seqs({ text: 'iron' })).toEqual({ seqs: [2, 3], total: 2 });
    expect(await seqs({ text: 'Iron' })).toEqual({ seqs: [1], total: 1 });
    expect(await seqs({ text: 'iron', types: ['stats'] })).toEqual({ seqs: [2], total: 1 });
    expect(await seqs({ text: 'plate', limit: 1 })).toEqual({ seqs: [4], total: 2 });
    expect(await seqs({ types: ['stats', 'session_init'] })).toEqual({ seqs: [1, 2, 4], total: 3 });
    expect(await seqs({})).toEqual({ seqs: [1, 2, 3, 4], total: 4 });
    // What crosses the contract is the event's own fields, the line included.
    expect((await q({ text: 'chat' })).events).toEqual([
      { seq: 3, receivedAt: 0, event: { type: 'chat', text: 'iron is low' }, line: lines[2] },
    ]);
    await app.stop();
  });

  it('publishes status changes to ready clients', async () => {
    const app = makeApp({ engine: { enabled: true } }, { engine: (ctx) => new RecordingService(ctx) });
    const seen: unknown[] = [];
    app.hub.attach({ send: (name, p) => seen.push([name, p]) }).markReady();
    await app.start();
    app.hub.flush();
    expect(seen).toContainEqual(['status', app.snapshot()]);
    await app.stop();
  });
});

describe('ControlRoomApp with the event pipe and the demo feed', () => {
  const feed = { feedScript: join(__dirname, 'demo', 'feed.ts'), feedExecArgv: ['--import', 'tsx'] };

  function pipeApp(
    config: object,
    demo: 'auto' | 'on' | 'off',
    more: { services?: AppServices; stopTimeoutMs?: number } = {},
  ) {
    const dir = mkdtempSync(join(tmpdir(), 'cr-app-'));
    const path = join(dir, 'config.json');
    writeFileSync(path, JSON.stringify({ dataDir: join(dir, 'data'), ...config }));
    const secrets = new SecretStore({}, dir);
    const store = new ConfigStore({ path, env: {}, secrets, appHome: dir, keepLastGood: false });
    store.load();
    return {
      dir,
      app: new ControlRoomApp({
        mode: 'headless',
        version: 't',
        configStore: store,
        secrets,
        logger: silentLogger(),
        ...feed,
        demo,
        ...more,
      }),
    };
  }

  it.skipIf(noFifo)(
    skipTitle('with no Factorio folder, auto mode feeds the pipe from the demo in our data folder', noFifo),
    async () => {
      const { dir, app } = pipeApp({ pipe: { path: '/nonexistent-factorio-dir/script-output/events.pipe' } }, 'auto');
      const pushed: unknown[] = [];
      app.hub.attach({ send: (name, p) => name === 'events' && pushed.push(...(p as unknown[])) }).markReady();
      await app.start();
      const demo = await app.handlers['demo.status'](undefined, { client });
      expect(demo).toMatchObject({ running: true, auto: true, path: join(dir, 'data', 'demo', 'events.pipe') });
      await vi.waitFor(() => expect(app.events.size()).toBeGreaterThanOrEqual(1), { timeout: 10_000, interval: 20 });
      expect(app.events.getAll()[0].event.type).toBe('session_init');
      app.hub.flush();
      expect(pushed.length).toBeGreaterThanOrEqual(1);
      expect(app.snapshot().services.pipe.summary).toContain(join('demo', 'events.pipe'));
      await app.stop();
      expect(existsSync(join(dir, 'data', 'demo', 'events.pipe'))).toBe(false);
    },
  );

  it.skipIf(noFifo)(
    skipTitle('the demo writes into pipe.path when its folder exists; stop and start from the contract', noFifo),
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cr-factorio-'));
      const pipePath = join(dir, 'events.pipe');
      const { app } = pipeApp({ pipe: { path: pipePath } }, 'off');
      await app.start();
      expect((await app.handlers['demo.status'](undefined, { client })).running).toBe(false);
      const started = await app.handlers['demo.start']({ rate: 50 }, { client });
      expect(started).toMatchObject({ running: true, auto: false, path: pipePath, rate: 50 });
      await vi.waitFor(() => expect(app.events.size()).toBeGreaterThanOrEqual(5), { timeout: 10_000, interval: 20 });
      const q = await app.handlers['pipe.query']({ types: ['session_init'] }, { client });
      expect(q.total).toBe(1);
      const counters = await app.handlers['pipe.counters'](undefined, { client });
      expect(counters).toMatchObject({ mode: 'file', path: pipePath, rejectedTotal: 0 });
      const stopped = await app.handlers['demo.stop'](undefined, { client });
      expect(stopped.running).toBe(false);
      await app.stop();
    },
  );

  /** Linux: whether a child of this process is blocked opening a FIFO that has no reader. */
  function childBlockedOpeningFifo(): boolean {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid === process.pid && /fifo|partner/.test(readFileSync(`/proc/${pid}/wchan`, 'utf8'))) return true;
      } catch {
        // The process ended while we looked.
      }
    }
    return false;
  }

  it.skipIf(notLinux)(
    skipTitle(
      'one stop deadline covers the demo feed and the services: a feed stuck on a FIFO is killed, a hung service named',
      notLinux,
    ),
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cr-factorio-'));
      const pipePath = join(dir, 'events.pipe');
      // A FIFO nobody reads (no pipe service here): the feed blocks opening it and cannot see SIGTERM,
      // so its own stop would wait out a 1 s grace before killing it, longer than the whole deadline.
      execFileSync('mkfifo', [pipePath]);
      RecordingService.log = [];
      const { app } = pipeApp({ pipe: { path: pipePath }, engine: { enabled: true } }, 'on', {
        services: { engine: (ctx) => new RecordingService(ctx, { hangOnStop: true }) },
        stopTimeoutMs: 200,
      });
      await app.start();
      expect((await app.handlers['demo.status'](undefined, { client })).running).toBe(true);
      await vi.waitFor(() => expect(childBlockedOpeningFifo()).toBe(true), { timeout: 10_000, interval: 20 });

      expect(await app.stop()).toEqual({ timedOut: ['demo', 'engine'] });
      // The services were still asked to stop, after the feed.
      expect(RecordingService.log).toEqual(['start engine.port=50051', 'stop']);
      // And no writer outlives the app: the feed was killed, not left blocked on the FIFO.
      await vi.waitFor(
        async () =>
          expect(await app.handlers['demo.status'](undefined, { client })).toMatchObject({
            running: false,
            message: 'stopped',
          }),
        { timeout: 5_000, interval: 20 },
      );
      expect(childBlockedOpeningFifo()).toBe(false);
    },
  );
});
