// What every service is to the composition root: start/stop (idempotent) and a status snapshot.
// Services never import electron; what they need from the outside arrives in ServiceContext.
import {
  ApiError,
  type PushName,
  type PushPayload,
  type ServiceName,
  type ServiceState,
  type ServiceStatus,
} from '../shared/api';
import type { PipeCounters, PipeEvent } from '../shared/events';
import type { ConfigStore, EffectiveConfig } from './config';
import type { EventCache } from './lib/cache';
import type { Logger } from './log';
import type { SecretStore } from './secrets';
import type { Handlers } from './transport/dispatch';

export interface Service {
  /** Never rejects for an operational failure (a port taken, a folder missing): that is recorded in `status()`. */
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): ServiceStatus;
  /** Takes config changes outside the service's restart slice (see app.ts SLICES) without restarting. */
  reconfigure?(config: EffectiveConfig): void;
}

export interface ServiceContext {
  config: EffectiveConfig;
  secrets: SecretStore;
  logger: Logger;
  /** Call whenever `status()` would answer differently; the app pushes it to the UI. */
  statusChanged(): void;
  /** Pushes to the UI (batched by the app). */
  push<P extends PushName>(name: P, payload: PushPayload<P>): void;
  /** The app's event cache: the pipe fills it, other services subscribe to it. */
  events: EventCache<PipeEvent>;
}

export type ServiceFactory = (ctx: ServiceContext) => Service;

/** What every service takes from its context, whatever else its options hold: where to log, and how to tell the UI. */
export type ServiceBasics = Pick<ServiceContext, 'logger' | 'statusChanged' | 'push'>;

export function basics(ctx: ServiceContext): ServiceBasics {
  return { logger: ctx.logger, statusChanged: ctx.statusChanged, push: ctx.push };
}

/** Tracks a service's state and when it last changed, so each service need not. */
export class StatusCell {
  private current: ServiceStatus;

  constructor(
    state: ServiceState,
    summary: string,
    private readonly onChange: () => void = () => {},
  ) {
    this.current = { state, summary, since: Date.now() };
  }

  set(state: ServiceState, summary: string, details?: ServiceStatus['details']): void {
    const since = state === this.current.state ? this.current.since : Date.now();
    this.current = details ? { state, summary, since, details } : { state, summary, since };
    this.onChange();
  }

  get(): ServiceStatus {
    return this.current;
  }
}

export type ServiceTable = Partial<Record<ServiceName, ServiceFactory>>;

/** What a service folder's handlers may use of the app besides their own service. */
export interface AppLink {
  store: ConfigStore;
  secrets: SecretStore;
  logger: Logger;
  /** The app's event cache (see ServiceContext.events). */
  events: EventCache<PipeEvent>;
  /** Applies a saved config change to the services it affects and pushes the new config to the UI. */
  configChanged(): Promise<void>;
}

/** A module's own running instance, as its handlers see it. */
export interface ServiceHandle<S> {
  /** The instance this module built, while the app runs it. */
  running(): S | undefined;
  /** The running instance, else an `unavailable` error saying why there is none. */
  require(): S;
  /** Runs `fn` on the running instance; its failures cross the contract as `unavailable` with their message. */
  call<T>(fn: (s: S) => Promise<T> | T): Promise<T>;
}

/** Figures a service adds to headless /metrics. */
export interface MetricFeeds {
  pipeCounters?(): PipeCounters | null;
  /** Prometheus text appended after the game's. */
  prometheus?(): string | undefined;
}

/** Everything the app needs to know of one service; each service folder's handlers.ts exports one. */
export interface ServiceDefinition<S extends Service> {
  name: ServiceName;
  /** The part of the config the service is built from: a change there restarts this service only. */
  slice(c: EffectiveConfig): unknown;
  /** Whether the service should run, and if not, the config key that says so. */
  enabled(c: EffectiveConfig): true | string;
  /** Why calls fail while the service does not run, e.g. "the engine server is turned off (engine.enabled)". */
  offMessage: string;
  create(ctx: ServiceContext): S;
  handlers(service: ServiceHandle<S>, app: AppLink): Partial<Handlers>;
  metrics?(service: ServiceHandle<S>): MetricFeeds;
}

/** A service definition bound to one app: its factory, its handlers, its metric feeds. */
export interface BoundService {
  create: ServiceFactory;
  handlers: Partial<Handlers>;
  metrics: MetricFeeds;
}

/** A service definition with its instance type hidden, so the app can hold them in one list. */
export interface ServiceModule {
  name: ServiceName;
  slice(c: EffectiveConfig): unknown;
  enabled(c: EffectiveConfig): true | string;
  /** `current` answers the instance the app runs under this name (possibly a test's own factory's). */
  bind(app: AppLink, current: () => Service | undefined): BoundService;
}

/**
 * Keeps the instance type inside the module: handlers see the instance its own `create` built,
 * and only while the app still runs that very instance, so no caller needs a cast.
 */
export function defineService<S extends Service>(def: ServiceDefinition<S>): ServiceModule {
  return {
    name: def.name,
    slice: def.slice,
    enabled: def.enabled,
    bind(app, current) {
      let built: S | undefined;
      const running = (): S | undefined => (built !== undefined && current() === built ? built : undefined);
      const require = (): S => {
        const s = running();
        if (!s) throw new ApiError('unavailable', def.offMessage);
        return s;
      };
      const handle: ServiceHandle<S> = {
        running,
        require,
        async call(fn) {
          const s = require();
          try {
            return await fn(s);
          } catch (e) {
            throw e instanceof ApiError ? e : new ApiError('unavailable', e instanceof Error ? e.message : String(e));
          }
        },
      };
      return {
        create: (ctx) => (built = def.create(ctx)),
        handlers: def.handlers(handle, app),
        metrics: def.metrics?.(handle) ?? {},
      };
    },
  };
}
