// What every service is to the composition root: start/stop (idempotent) and a status snapshot.
// Services never import electron; what they need from the outside arrives in ServiceContext.
import type { PushName, PushPayload, ServiceName, ServiceState, ServiceStatus } from '../shared/api';
import type { Config } from '../shared/config';
import type { PipeEvent } from '../shared/events';
import type { EventCache } from './lib/cache';
import type { Logger } from './log';
import type { SecretStore } from './secrets';

export interface Service {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): ServiceStatus;
  /** Takes config changes outside the service's restart slice (see app.ts SLICES) without restarting. */
  reconfigure?(config: Config): void;
}

export interface ServiceContext {
  /** The effective config (dataDir and pipe.path filled in). */
  config: Config;
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
