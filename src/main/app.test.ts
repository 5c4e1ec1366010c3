import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ControlRoomApp } from './app';
import { ConfigStore } from './config';
import { silentLogger } from './log';
import { SecretStore } from './secrets';
import { StatusCell, type Service, type ServiceContext } from './service';

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

function makeApp(config: object, services: ConstructorParameters<typeof ControlRoomApp>[0]['services'], stopTimeoutMs = 4500) {
  const dir = mkdtempSync(join(tmpdir(), 'cr-app-'));
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify(config));
  const secrets = new SecretStore({}, dir);
  const store = new ConfigStore({ path, env: {}, secrets, appHome: dir, keepLastGood: false });
  store.load();
  return new ControlRoomApp({ mode: 'headless', version: 't', configStore: store, secrets, logger: silentLogger(), services, stopTimeoutMs });
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
    const app = makeApp({ engine: { enabled: true } }, { engine: (ctx) => new RecordingService(ctx, { failStart: true }) });
    await app.start();
    expect(app.snapshot().services.engine).toMatchObject({ state: 'error', summary: 'failed to start: port in use' });
    expect(app.snapshot().status).toBe('degraded');
    await app.stop();
  });

  it('restarts only the service whose config section changed', async () => {
    RecordingService.log = [];
    const app = makeApp({ engine: { enabled: true, port: 6001 } }, { engine: (ctx) => new RecordingService(ctx) });
    await app.start();
    await app.handlers['config.update']({ engine: { enabled: true, port: 6001 }, wandb: { project: 'x' } } as never, { client });
    expect(RecordingService.log).toEqual(['start engine.port=6001']);
    await app.handlers['config.update']({ engine: { enabled: true, port: 6002 } } as never, { client });
    expect(RecordingService.log).toEqual(['start engine.port=6001', 'stop', 'start engine.port=6002']);
    await app.handlers['config.update']({ engine: { enabled: false, port: 6002 } } as never, { client });
    expect(app.snapshot().services.engine.state).toBe('disabled');
    await app.stop();
  });

  it('stop() returns by its deadline when a service hangs, naming it', async () => {
    const app = makeApp({ engine: { enabled: true } }, { engine: (ctx) => new RecordingService(ctx, { hangOnStop: true }) }, 200);
    await app.start();
    expect(await app.stop()).toEqual({ timedOut: ['engine'] });
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
