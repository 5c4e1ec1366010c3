// Shared set-up for the W&B tests: a real WandbService with its own data folder, fed through a
// real EventCache, against a WandbTestServer on 127.0.0.1. Everything made here is stopped by
// stopAll() (call it in afterEach).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WandbStatus } from '../../shared/api';
import { ConfigSchema, type Config } from '../../shared/config';
import type { PipeEvent } from '../../shared/events';
import { createLogger, silentLogger } from '../log';
import { EventCache } from '../lib/cache';
import { WandbService, type WandbServiceOptions } from './service';
import { WandbTestServer, type WandbTestServerOptions } from './server.fixture';

let seq = 0;
const services: WandbService[] = [];

export const ev = (event: PipeEvent['event']): PipeEvent => ({
  seq: ++seq,
  receivedAt: Date.now(),
  line: JSON.stringify(event),
  event,
});
export const init = (session: string, tick = 0) =>
  ev({ type: 'session_init', session_id: session, tick, level_name: 'open_world' });
/** The `session_init` the game writes on the first tick after a save was loaded: the cycle the save holds. */
export const resumed = (session: string, cycle: number, tick = cycle * 120) =>
  ev({ type: 'session_init', session_id: session, tick, level_name: 'open_world', resumed: true, cycle });
export const stats = (
  session: string,
  cycle: number,
  production: Record<string, number> = { 'iron-plate': cycle * 10 },
  consumption: Record<string, number> = { 'iron-ore': cycle },
) =>
  ev({
    type: 'stats',
    session_id: session,
    cycle,
    tick: cycle * 120,
    products_production: production,
    materials_consumption: consumption,
  });

export interface MakeOptions {
  dataDir?: string;
  apiKey?: string | undefined;
  mode?: 'online' | 'offline';
  finishTimeoutMs?: number;
  baseUrl?: string;
  wandb?: Partial<Config['wandb']>;
  service?: Partial<WandbServiceOptions>;
  /** Errors thrown by the service's event subscriber (the app only logs them). */
  listenerErrors?: unknown[];
}

export function makeService(server: WandbTestServer, opts: MakeOptions = {}) {
  const events = new EventCache<PipeEvent>(
    1000,
    (e) => e.line,
    (e) => opts.listenerErrors?.push(e),
  );
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'cr-wandb-'));
  const pushes: WandbStatus[] = [];
  const svc = new WandbService({
    config: {
      ...ConfigSchema.parse({}).wandb,
      enabled: true,
      baseUrl: opts.baseUrl ?? server.url,
      mode: opts.mode ?? 'online',
      flushSeconds: 0.05,
      ...opts.wandb,
    },
    dataDir,
    apiKey: 'apiKey' in opts ? opts.apiKey : 'test-key',
    events,
    logger: process.env.WANDB_TEST_LOG ? createLogger('wandb-test', 'debug') : silentLogger(),
    statusChanged() {},
    push: (name, p) => name === 'wandb' && pushes.push(p as WandbStatus),
    retryBaseMs: 20,
    retryMaxMs: 100,
    finishTimeoutMs: opts.finishTimeoutMs ?? 5000,
    ...opts.service,
  });
  services.push(svc);
  return { svc, events, dataDir, pushes };
}

export async function stopAllServices(): Promise<void> {
  await Promise.all(services.splice(0).map((s) => s.stop()));
}

export const stepsOf = (server: WandbTestServer, runId: string) =>
  server.run(runId)!.history.map((l) => JSON.parse(l)._step as number);
export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const servers: WandbTestServer[] = [];

/** A local W&B server with these rules; stopServers() stops it (call it in afterEach). */
export async function startServer(options: WandbTestServerOptions = {}): Promise<WandbTestServer> {
  const s = new WandbTestServer(options);
  servers.push(s);
  await s.start();
  return s;
}

export async function stopServers(): Promise<void> {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
}
