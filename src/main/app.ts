// Composition root: config -> services -> the contract's handlers and the status bus. Both the
// Electron shell (index.ts) and headless mode (headless.ts) build exactly this; neither adds logic.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  ApiError,
  methods,
  SERVICE_NAMES,
  type AppInfo,
  type DemoStatus,
  type MethodName,
  type ServiceName,
  type ServiceStatus,
  type StatusSnapshot,
} from '../shared/api';
import type { PipeEvent } from '../shared/events';
import type { ConfigStore, EffectiveConfig } from './config';
import { DemoFeed } from './demo/controller';
import { discordModule } from './discord/handlers';
import { engineModule } from './engine/handlers';
import { factorioHandlers } from './factorio/handlers';
import { detect } from './factorio/userData';
import { HistoryFeed } from './history/feed';
import { historyHandlers } from './history/handlers';
import { GameMetrics } from './history/metrics';
import { EventCache } from './lib/cache';
import type { Logger } from './log';
import { pipeModule, plainEvent } from './pipe/handlers';
import type { SecretStore } from './secrets';
import type { AppLink, BoundService, MetricFeeds, Service, ServiceModule, ServiceTable } from './service';
import { slotsModule } from './slots/handlers';
import type { Handlers } from './transport/dispatch';
import { PushHub } from './transport/push';
import { wandbModule } from './wandb/handlers';

/** The services this build ships, one entry per service folder (see the README's "Adding a service"). */
export const SERVICE_MODULES: readonly ServiceModule[] = [
  pipeModule,
  wandbModule,
  slotsModule,
  discordModule,
  engineModule,
];

export interface AppOptions {
  mode: AppInfo['mode'];
  version: string;
  configStore: ConfigStore;
  secrets: SecretStore;
  logger: Logger;
  /** Factories to run instead of the modules' own (tests); a name left out is not part of the build. */
  services?: ServiceTable;
  /** Stop deadline for every service together. */
  stopTimeoutMs?: number;
  /** The built demo feed program; without it the demo cannot run. */
  feedScript?: string;
  feedExecArgv?: string[];
  /** `auto`: start the demo feed when no Factorio is found at start-up. */
  demo?: 'auto' | 'on' | 'off';
}

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
  private readonly modules = new Map<ServiceName, { module: ServiceModule; bound: BoundService }>();
  private started = false;
  /** Stats lines on disk, fed from the event cache; open while the app runs. */
  readonly history: HistoryFeed;
  private readonly gameMetrics: GameMetrics;
  readonly handlers: Handlers;
  private readonly metricFeeds: readonly MetricFeeds[];

  constructor(private readonly opts: AppOptions) {
    const store = opts.configStore;
    this.events = new EventCache<PipeEvent>(
      store.effective.pipe.capacity,
      (e) => e.line,
      (e) => opts.logger.error({ err: e }, 'event subscriber failed'),
    );
    this.events.subscribe((e) => this.hub.publish('events', [plainEvent(e)]));
    this.history = new HistoryFeed(
      this.events,
      opts.logger.child({ service: 'history' }),
      (dir) => detect(dir).userDataDir,
    );
    const configChanged = async (): Promise<void> => {
      await this.reconcile();
      this.hub.publish('config', store.view());
    };
    const link: AppLink = { store, secrets: opts.secrets, logger: opts.logger, events: this.events, configChanged };
    const serviceHandlers: Partial<Handlers>[] = [];
    const feeds: MetricFeeds[] = [];
    for (const module of SERVICE_MODULES) {
      const bound = module.bind(link, () => this.running.get(module.name)?.service);
      this.modules.set(module.name, { module, bound });
      serviceHandlers.push(bound.handlers);
      feeds.push(bound.metrics);
    }
    this.metricFeeds = feeds;
    this.gameMetrics = new GameMetrics({
      pipe: () => feeds.find((f) => f.pipeCounters)?.pipeCounters?.() ?? null,
      status: () => this.snapshot(),
      history: () => this.history.store?.status() ?? null,
    });
    this.events.subscribe(this.gameMetrics.add);
    this.demo = opts.feedScript
      ? new DemoFeed({
          script: opts.feedScript,
          execArgv: opts.feedExecArgv,
          logger: opts.logger.child({ service: 'demo' }),
          onChange: (s) => this.hub.publish('demo', s),
        })
      : null;
    const appHandlers: Partial<Handlers> = {
      'app.info': () => this.info(),
      'status.get': () => this.snapshot(),
      'config.get': () => store.view(),
      'config.update': async (edit) => {
        store.update(edit);
        opts.logger.info({ path: store.path }, 'configuration saved');
        await configChanged();
        return store.view();
      },
      'demo.status': () => this.demoStatus(),
      'demo.start': async (input) => {
        await this.startDemo(input?.rate ?? DEMO_RATE, false);
        return this.demoStatus();
      },
      'demo.stop': async () => {
        await this.stopDemo();
        return this.demoStatus();
      },
      'ui.ready': (_input, ctx) => {
        ctx.client.markReady();
        return { ok: true as const };
      },
    };
    const parts: Partial<Handlers> = {
      ...appHandlers,
      ...historyHandlers(this.history),
      ...factorioHandlers({ store, logger: opts.logger.child({ service: 'factorio' }), configChanged }),
    };
    for (const h of serviceHandlers) {
      const twice = Object.keys(h).filter((m) => m in parts);
      if (twice.length) throw new Error(`two handlers for ${twice.join(', ')}`);
      Object.assign(parts, h);
    }
    this.handlers = complete(parts);
  }

  /** Prometheus text for headless /metrics: the game's rates, pipe and services, then the engine server's when it runs. */
  async metrics(): Promise<string> {
    const more = this.metricFeeds.map((f) => f.prometheus?.()).filter((t) => t);
    return [await this.gameMetrics.text(), ...more].join('\n');
  }

  info(): AppInfo {
    return {
      name: 'Factorio Control Room',
      version: this.opts.version,
      mode: this.opts.mode,
      platform: process.platform,
      configPath: this.opts.configStore.path,
      dataDir: this.opts.configStore.effective.dataDir,
      runId: this.runId,
    };
  }

  private demoStatus(): DemoStatus {
    if (!this.demo)
      return {
        running: false,
        path: null,
        rate: null,
        startedAt: null,
        auto: false,
        message: 'the demo feed is not available in this build',
      };
    return this.demo.status();
  }

  /** No Factorio here: the folder the pipe would live in does not exist. */
  private factorioMissing(): boolean {
    return !existsSync(dirname(this.opts.configStore.effective.pipe.path));
  }

  /** The config services run with: the effective config, with the demo's pipe path when it has one. */
  private serviceConfig(): EffectiveConfig {
    const c = this.opts.configStore.effective;
    return this.demoPath ? { ...c, pipe: { ...c.pipe, path: this.demoPath } } : c;
  }

  private async startDemo(rate: number, auto: boolean): Promise<void> {
    if (!this.demo) throw new ApiError('unavailable', 'the demo feed is not available in this build');
    // Without a Factorio folder the feed writes into our data folder, and the pipe reads it there.
    this.demoPath = this.factorioMissing()
      ? join(this.opts.configStore.effective.dataDir, 'demo', 'events.pipe')
      : null;
    if (this.demoPath) mkdirSync(dirname(this.demoPath), { recursive: true });
    await this.reconcile();
    await this.demo.start(this.serviceConfig().pipe.path, rate, auto);
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
      services[name] = this.running.get(name)?.service.status() ??
        this.idle.get(name) ?? { state: 'stopped', summary: 'not started', since: Date.now() };
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
        this.opts.logger.info(
          { path: this.demoPath ?? this.opts.configStore.effective.pipe.path },
          demo === 'auto' ? 'no Factorio found: demo feed started' : 'demo feed started',
        );
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
        const mod = this.modules.get(name);
        const slice = JSON.stringify(mod?.module.slice(config) ?? null);
        const current = this.running.get(name);
        if (current && current.slice === slice) return current.service.reconfigure?.(config);
        if (current) {
          this.running.delete(name);
          await this.stopOne(name, current.service);
        }
        const enabled = mod ? mod.module.enabled(config) : true;
        const factory = this.opts.services ? this.opts.services[name] : mod?.bound.create;
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

/** The handlers of every contract method, or an error naming those no module answers (a build mistake, caught at start-up and by app.test.ts). */
function complete(parts: Partial<Handlers>): Handlers {
  const missing = (Object.keys(methods) as MethodName[]).filter((m) => typeof parts[m] !== 'function');
  if (missing.length) throw new Error(`no handler for ${missing.join(', ')}`);
  // Every key checked just above: this is the one place the partial tables become the whole contract.
  return parts as Handlers;
}
