// Composition root: config -> services -> the contract's handlers and the status bus. Both the
// Electron shell (index.ts) and headless mode (headless.ts) build exactly this; neither adds logic.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ApiError, SERVICE_NAMES, type AppInfo, type DemoStatus, type ServiceName, type ServiceStatus, type StatusSnapshot } from '../shared/api';
import type { Config } from '../shared/config';
import type { PipeEvent } from '../shared/events';
import type { ConfigStore } from './config';
import { DemoFeed } from './demo/controller';
import { EventCache } from './lib/cache';
import { HistoryFeed } from './history/feed';
import { GameMetrics } from './history/metrics';
import { PipeService } from './pipe/service';
import { WandbService } from './wandb/service';
import { DiscordService } from './discord/service';
import { EngineService } from './engine/service';
import { SlotsService } from './slots/service';
import { bundledScenarioDir, slotOps } from './slots/ops-impl';
import { factorioHandlers } from './factorio/handlers';
import { detect } from './factorio/userData';
import { testSlotRcon } from './slots/rcon-test';
import { testWandbKey } from './wandb/key-test';
import type { Logger } from './log';
import type { SecretStore } from './secrets';
import type { Service, ServiceTable } from './service';
import type { Handlers } from './transport/dispatch';
import { PushHub } from './transport/push';

/** The services this build ships. Later services register here. */
export const BUILT_IN_SERVICES: ServiceTable = {
  pipe: (ctx) =>
    new PipeService({
      path: ctx.config.pipe.path!,
      config: ctx.config.pipe,
      dataDir: ctx.config.dataDir!,
      cache: ctx.events,
      logger: ctx.logger,
      statusChanged: ctx.statusChanged,
      push: ctx.push,
    }),
  wandb: (ctx) =>
    new WandbService({
      config: ctx.config.wandb,
      dataDir: ctx.config.dataDir!,
      apiKey: ctx.secrets.resolve(ctx.config.wandb.apiKey, 'wandb.apiKey'),
      events: ctx.events,
      logger: ctx.logger,
      statusChanged: ctx.statusChanged,
      push: ctx.push,
    }),
  slots: (ctx) =>
    new SlotsService({
      slots: ctx.config.slots,
      joinTest: ctx.config.joinTest,
      dataDir: ctx.config.dataDir!,
      scenarioDir: bundledScenarioDir(),
      secret: (ref, path) => ctx.secrets.resolve(ref, path),
      ops: slotOps(ctx.secrets, ctx.logger),
      logger: ctx.logger,
      statusChanged: ctx.statusChanged,
      push: ctx.push,
    }),
  discord: (ctx) =>
    new DiscordService({
      config: ctx.config.discord,
      dataDir: ctx.config.dataDir!,
      webhookUrl: ctx.secrets.resolve(ctx.config.discord.webhookUrl, 'discord.webhookUrl') ?? null,
      logger: ctx.logger,
      statusChanged: ctx.statusChanged,
      push: ctx.push,
    }),
  engine: (ctx) =>
    new EngineService({
      config: ctx.config.engine,
      logger: ctx.logger,
      statusChanged: ctx.statusChanged,
      push: ctx.push,
    }),
};

/** The part of the config each service is built from: a change there restarts that service only. */
const SLICES: Record<ServiceName, (c: Config) => unknown> = {
  pipe: (c) => [c.dataDir, c.pipe],
  wandb: (c) => [c.dataDir, c.wandb],
  // Type switches apply in place (reconfigure), so flipping one keeps the relay and its recent lines.
  discord: (c) => [c.dataDir, { ...c.discord, types: undefined }],
  engine: (c) => c.engine,
  slots: (c) => [c.dataDir, c.slots, c.joinTest],
};

/** Whether a service should run, and if not, the config key that says so. */
const ENABLED: Record<ServiceName, (c: Config) => true | string> = {
  pipe: () => true,
  wandb: (c) => c.wandb.enabled || 'wandb.enabled is false',
  discord: (c) => c.discord.enabled || 'discord.enabled is false',
  engine: (c) => c.engine.enabled || 'engine.enabled is false',
  slots: (c) => c.slots.length > 0 || 'no slots configured',
};

export interface AppOptions {
  mode: AppInfo['mode'];
  version: string;
  configStore: ConfigStore;
  secrets: SecretStore;
  logger: Logger;
  services?: ServiceTable;
  /** Stop deadline for every service together. */
  stopTimeoutMs?: number;
  /** The built demo feed program; without it the demo cannot run. */
  feedScript?: string;
  feedExecArgv?: string[];
  /** `auto`: start the demo feed when no Factorio is found at start-up. */
  demo?: 'auto' | 'on' | 'off';
}

/** A copy with own fields only: cached events hold their parsed form behind a getter. */
const plainEvent = (e: PipeEvent): PipeEvent => ({ seq: e.seq, receivedAt: e.receivedAt, event: e.event, line: e.line });

/** Stats lines per second of the demo feed: the scenario's pace at 60 UPS (one per 120 ticks). */
const DEMO_RATE = 0.5;

interface Running {
  service: Service;
  slice: string;
}

export class ControlRoomApp {
  readonly hub = new PushHub();
  /** Every accepted game event, newest last; survives pipe restarts. */
  readonly events: EventCache<PipeEvent>;
  private readonly demo: DemoFeed | null;
  /** Set while the demo feed writes somewhere other than pipe.path (no Factorio folder here). */
  private demoPath: string | null = null;
  private readonly runId = randomUUID();
  private readonly running = new Map<ServiceName, Running>();
  private readonly idle = new Map<ServiceName, ServiceStatus>();
  private readonly table: ServiceTable;
  private started = false;
  /** Stats lines on disk, fed from the event cache; open while the app runs. */
  readonly history: HistoryFeed;
  private readonly gameMetrics: GameMetrics;
  readonly handlers: Handlers;

  constructor(private readonly opts: AppOptions) {
    this.table = opts.services ?? BUILT_IN_SERVICES;
    const store = opts.configStore;
    this.events = new EventCache<PipeEvent>(store.effective.pipe.capacity, (e) => e.line, (e) => opts.logger.error({ err: e }, 'event subscriber failed'));
    this.events.subscribe((e) => this.hub.publish('events', [plainEvent(e)]));
    this.history = new HistoryFeed(this.events, opts.logger.child({ service: 'history' }), (dir) => detect(dir).userDataDir);
    this.gameMetrics = new GameMetrics({
      pipe: () => (this.running.get('pipe')?.service as PipeService | undefined)?.counters() ?? null,
      status: () => this.snapshot(),
      history: () => this.history.store?.status() ?? null,
    });
    this.events.subscribe(this.gameMetrics.add);
    this.demo = opts.feedScript ? new DemoFeed({ script: opts.feedScript, execArgv: opts.feedExecArgv, logger: opts.logger.child({ service: 'demo' }), onChange: (s) => this.hub.publish('demo', s) }) : null;
    this.handlers = {
      'app.info': () => this.info(),
      'status.get': () => this.snapshot(),
      'config.get': () => store.view(),
      'config.update': async (edit) => {
        store.update(edit);
        opts.logger.info({ path: store.path }, 'configuration saved');
        await this.reconcile();
        const view = store.view();
        this.hub.publish('config', view);
        return view;
      },
      'pipe.query': ({ text, types, limit }) => {
        const byText = text === undefined ? this.events.getAll() : this.events.findContaining(text);
        const matches = types === undefined ? byText : byText.filter((e) => types.includes(e.event.type));
        return { events: matches.slice(-(limit ?? 500)).map(plainEvent), total: matches.length };
      },
      'pipe.counters': () => (this.running.get('pipe')?.service as PipeService | undefined)?.counters() ?? null,
      'history.query': (q) =>
        this.history
          .require()
          .queryOffThread(q)
          .catch((e: Error) => {
            throw new ApiError('unavailable', e.message);
          }),
      'history.sessions': () => this.history.require().sessionList(),
      'history.status': () => this.history.store?.status() ?? null,
      'history.names': () => this.history.names(),
      'history.icons': (q) => this.history.icons(q.items),
      'demo.status': () => this.demoStatus(),
      'wandb.status': () => (this.running.get('wandb')?.service as WandbService | undefined)?.snapshot() ?? null,
      'wandb.sync': async () => {
        const w = this.running.get('wandb')?.service as WandbService | undefined;
        if (!w) throw new ApiError('unavailable', 'W&B is turned off (wandb.enabled)');
        try {
          return await w.sync();
        } catch (e) {
          throw new ApiError('unavailable', (e as Error).message);
        }
      },
      'wandb.testKey': () => testWandbKey(store.effective.wandb.baseUrl, opts.secrets.resolve(store.effective.wandb.apiKey, 'wandb.apiKey')),
      'engine.status': () => this.engine()?.snapshot() ?? null,
      'engine.reset': ({ envId, seed }) => this.requireEngine().reset(envId, seed),
      'engine.step': ({ envId, state, action }) => this.requireEngine().step(envId, state, action),
      'slots.status': () => this.slots()?.snapshot() ?? null,
      'slots.check': ({ id }) =>
        this.slotsCall(async (s) => {
          await s.pollNow(id);
          return s.snapshot();
        }),
      'slots.deploy': ({ id }) =>
        this.slotsCall((s) => {
          const ids = id ? [id] : s.snapshot().slots.filter((x) => x.deployable).map((x) => x.id);
          if (!ids.length) throw new Error('no slot has a deploy target (slots[].deploy)');
          return Promise.all(ids.map(async (i) => ({ id: i, ...(await s.deploy(i)) })));
        }),
      'slots.restart': ({ id }) => this.slotsCall((s) => s.restart(id)),
      'slots.joinTest': ({ id }) => this.slotsCall((s) => s.joinTest(id)),
      'slots.testRcon': ({ id }) => {
        const slot = store.effective.slots.find((s) => s.id === id);
        if (!slot) throw new ApiError('bad_request', `no saved slot "${id}" (save the slot first)`);
        return testSlotRcon({ host: slot.host, port: slot.rconPort, password: opts.secrets.resolve(slot.rconPassword, `slots.${id}.rconPassword`) });
      },
      'discord.status': () => (this.running.get('discord')?.service as DiscordService | undefined)?.snapshot() ?? null,
      'discord.test': () => {
        const d = this.running.get('discord')?.service as DiscordService | undefined;
        if (!d) throw new ApiError('unavailable', 'the Discord relay is turned off (discord.enabled)');
        return d.sendTest();
      },
      'discord.setType': async ({ type, enabled }) => {
        store.amend((file) => ({ ...file, discord: { ...file.discord, types: { ...file.discord.types, [type]: enabled } } }));
        await this.reconcile();
        const view = store.view();
        this.hub.publish('config', view);
        return view;
      },
      'demo.start': async (input) => {
        await this.startDemo(input?.rate ?? DEMO_RATE, false);
        return this.demoStatus();
      },
      'demo.stop': async () => {
        await this.stopDemo();
        return this.demoStatus();
      },
      ...factorioHandlers({
        store,
        logger: opts.logger.child({ service: 'factorio' }),
        configChanged: async () => {
          await this.reconcile();
          this.hub.publish('config', store.view());
        },
      }),
      'ui.ready': (_input, ctx) => {
        ctx.client.markReady();
        return { ok: true as const };
      },
    };
  }

  private slots(): SlotsService | undefined {
    return this.running.get('slots')?.service as SlotsService | undefined;
  }

  /** Runs a slot action; its failures cross the contract as `unavailable` with their message. */
  private async slotsCall<T>(fn: (s: SlotsService) => Promise<T>): Promise<T> {
    const s = this.slots();
    if (!s) throw new ApiError('unavailable', 'no slots are configured (slots[])');
    try {
      return await fn(s);
    } catch (e) {
      throw e instanceof ApiError ? e : new ApiError('unavailable', (e as Error).message);
    }
  }

  private engine(): EngineService | undefined {
    return this.running.get('engine')?.service as EngineService | undefined;
  }

  private requireEngine(): EngineService {
    const e = this.engine();
    if (!e) throw new ApiError('unavailable', 'the engine server is turned off (engine.enabled)');
    return e;
  }

  /** Prometheus text for headless /metrics: the game's rates, pipe and services, then the engine server's when it runs. */
  async metrics(): Promise<string> {
    const engine = this.engine()?.metricsText();
    return (await this.gameMetrics.text()) + (engine ? '\n' + engine : '');
  }

  info(): AppInfo {
    return {
      name: 'Factorio Control Room',
      version: this.opts.version,
      mode: this.opts.mode,
      platform: process.platform,
      configPath: this.opts.configStore.path,
      dataDir: this.opts.configStore.effective.dataDir!,
      runId: this.runId,
    };
  }

  private demoStatus(): DemoStatus {
    if (!this.demo) return { running: false, path: null, rate: null, startedAt: null, auto: false, message: 'the demo feed is not available in this build' };
    return this.demo.status();
  }

  /** No Factorio here: the folder the pipe would live in does not exist. */
  private factorioMissing(): boolean {
    return !existsSync(dirname(this.opts.configStore.effective.pipe.path!));
  }

  /** The config services run with: the effective config, with the demo's pipe path when it has one. */
  private serviceConfig(): Config {
    const c = this.opts.configStore.effective;
    return this.demoPath ? { ...c, pipe: { ...c.pipe, path: this.demoPath } } : c;
  }

  private async startDemo(rate: number, auto: boolean): Promise<void> {
    if (!this.demo) throw new ApiError('unavailable', 'the demo feed is not available in this build');
    // Without a Factorio folder the feed writes into our data folder, and the pipe reads it there.
    this.demoPath = this.factorioMissing() ? join(this.opts.configStore.effective.dataDir!, 'demo', 'events.pipe') : null;
    if (this.demoPath) mkdirSync(dirname(this.demoPath), { recursive: true });
    await this.reconcile();
    await this.demo.start(this.serviceConfig().pipe.path!, rate, auto);
  }

  private async stopDemo(): Promise<void> {
    await this.demo?.stop();
    if (this.demoPath) {
      const path = this.demoPath;
      this.demoPath = null;
      await this.reconcile();
      // The demo's file in our data folder is ours alone: it must not grow across sessions.
      rmSync(path, { force: true });
    }
  }

  snapshot(): StatusSnapshot {
    const services = {} as Record<ServiceName, ServiceStatus>;
    for (const name of SERVICE_NAMES) {
      services[name] = this.running.get(name)?.service.status() ?? this.idle.get(name) ?? { state: 'stopped', summary: 'not started', since: Date.now() };
    }
    const bad = Object.values(services).some((s) => s.state === 'error' || s.state === 'degraded');
    return { status: bad || this.opts.configStore.loadError ? 'degraded' : 'ok', services };
  }

  private statusChanged = (): void => {
    if (this.started) this.hub.publish('status', this.snapshot());
  };

  private setIdle(name: ServiceName, state: ServiceStatus['state'], summary: string): void {
    const prev = this.idle.get(name);
    this.idle.set(name, { state, summary, since: prev?.state === state ? prev.since : Date.now() });
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.reconcile();
    const demo = this.opts.demo ?? 'off';
    if (this.demo && (demo === 'on' || (demo === 'auto' && this.factorioMissing()))) {
      try {
        await this.startDemo(DEMO_RATE, demo === 'auto');
        this.opts.logger.info({ path: this.demoPath ?? this.opts.configStore.effective.pipe.path }, demo === 'auto' ? 'no Factorio found: demo feed started' : 'demo feed started');
      } catch (e) {
        this.opts.logger.warn({ err: e }, 'demo feed failed to start');
      }
    }
    this.statusChanged();
  }

  /** Starts, stops or restarts each service so that it matches the current effective config. */
  private async reconcile(): Promise<void> {
    const config = this.serviceConfig();
    if (config.pipe.capacity !== this.events.capacity) this.events.resize(config.pipe.capacity);
    this.history.configure(config);
    await Promise.all(
      SERVICE_NAMES.map(async (name) => {
        const slice = JSON.stringify(SLICES[name](config));
        const current = this.running.get(name);
        if (current && current.slice === slice) return current.service.reconfigure?.(config);
        if (current) {
          this.running.delete(name);
          await this.stopOne(name, current.service);
        }
        const enabled = ENABLED[name](config);
        const factory = this.table[name];
        if (enabled !== true) return this.setIdle(name, 'disabled', `off: ${enabled}`);
        if (!factory) return this.setIdle(name, 'unavailable', 'not part of this build yet');
        this.idle.delete(name);
        try {
          const service = factory({
            config,
            secrets: this.opts.secrets,
            logger: this.opts.logger.child({ service: name }),
            statusChanged: this.statusChanged,
            push: (n, p) => this.hub.publish(n, p),
            events: this.events,
          });
          this.running.set(name, { service, slice });
          await service.start();
        } catch (e) {
          this.running.delete(name);
          this.opts.logger.error({ service: name, err: e }, 'service failed to start');
          this.setIdle(name, 'error', `failed to start: ${e instanceof Error ? e.message : String(e)}`);
        }
      }),
    );
    this.statusChanged();
  }

  private async stopOne(name: ServiceName, service: Service): Promise<void> {
    try {
      await service.stop();
      this.setIdle(name, 'stopped', 'stopped');
    } catch (e) {
      this.opts.logger.error({ service: name, err: e }, 'service failed to stop');
      this.setIdle(name, 'error', `failed to stop: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /**
   * Stops the demo feed, then every service in parallel, all within one deadline; resolves by it
   * even if something hangs, and says what did not stop in time.
   */
  async stop(): Promise<{ timedOut: (ServiceName | 'demo')[] }> {
    const end = Date.now() + (this.opts.stopTimeoutMs ?? 4500);
    /** Whether `work` finished before the deadline. */
    const inTime = async (work: Promise<unknown>): Promise<boolean> => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<false>((r) => (timer = setTimeout(() => r(false), Math.max(0, end - Date.now()))));
      try {
        return await Promise.race([work.then(() => true as const), late]);
      } finally {
        clearTimeout(timer);
      }
    };
    const timedOut: (ServiceName | 'demo')[] = [];
    // The feed first: a writer left behind would block on the FIFO we are about to remove.
    if (this.demo && !(await inTime(this.demo.stop()))) {
      this.demo.kill();
      timedOut.push('demo');
    }
    const pending = new Set<ServiceName>(this.running.keys());
    await inTime(
      Promise.all(
        [...this.running].map(async ([name, r]) => {
          await this.stopOne(name, r.service);
          pending.delete(name);
        }),
      ),
    );
    this.running.clear();
    if (this.demoPath) rmSync(this.demoPath, { force: true });
    this.history.close();
    timedOut.push(...pending);
    if (timedOut.length) this.opts.logger.warn({ services: timedOut }, 'services did not stop in time');
    this.hub.close();
    this.started = false;
    return { timedOut };
  }
}
