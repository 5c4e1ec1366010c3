// The engine as one of the app's services: runs the gRPC server on engine.host:engine.port and,
// for the Engine view, acts as a grpc-js client of it, so a move played in the UI takes the same
// path over the wire as a training loop's.
import type { EnginePlayResult, EngineStatus } from '../../shared/api';
import { ApiError } from '../../shared/api';
import type { Config } from '../../shared/config';
import { isWildcardHost } from '../lib/net';
import { StatusCell, type Service, type ServiceBasics } from '../service';
import { EngineClient, EngineRpcError } from './client';
import type { ActionSpace } from './game';
import { EngineServer } from './server';

export interface EngineServiceOptions extends ServiceBasics {
  config: Config['engine'];
  /** How often the view's figures are refreshed while calls come in. */
  pushMs?: number;
}

export function describeSpace(s: ActionSpace): string {
  if (s.kind === 'discrete') return `discrete(${s.n})`;
  if (s.kind === 'multi_discrete') return `multi-discrete(${s.nvec.join(',')})`;
  return `box(${s.shape.join('x')})`;
}

export class EngineService implements Service {
  private readonly cell: StatusCell;
  private server: EngineServer | null = null;
  private client: EngineClient | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastCalls = 0;
  private lastAt = 0;
  private rate = 0;

  constructor(private readonly opts: EngineServiceOptions) {
    this.cell = new StatusCell('stopped', 'not started', opts.statusChanged);
  }

  async start(): Promise<void> {
    if (this.server) return;
    const { host, port } = this.opts.config;
    this.cell.set('starting', `starting on ${host}:${port}`);
    const c = this.opts.config;
    const server = new EngineServer({
      host,
      port,
      logger: this.opts.logger,
      workers: c.workers,
      unaryWorkers: c.unaryWorkers,
      batchNice: c.batchNice,
      budgetMs: c.budgetMs,
      batchBudgetMs: c.batchBudgetSeconds * 1000,
      maxStreams: c.maxStreams,
      maxStreamBytes: c.streamMemoryMB * 2 ** 20,
    });
    try {
      await server.start();
    } catch (e) {
      // An operational failure is the service's state, not the caller's exception (as with every service).
      this.opts.logger.error({ err: e, host, port }, 'engine server cannot listen');
      this.cell.set('error', `cannot listen on ${host}:${port}: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    this.server = server;
    // The UI's client dials loopback when the server listens on every interface.
    this.client = new EngineClient(
      `${isWildcardHost(host) ? '127.0.0.1' : server.address.replace(/:\d+$/, '')}:${server.port}`,
    );
    this.lastAt = Date.now();
    this.cell.set('running', `serving ${server.registry.ids().join(', ')} on ${server.address}`);
    this.tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.client?.close();
    this.client = null;
    const s = this.server;
    this.server = null;
    if (s) await s.stop(1000);
    this.cell.set('stopped', 'stopped');
    this.opts.push('engine', this.snapshot());
  }

  status() {
    const s = this.cell.get();
    if (!this.server) return s;
    return {
      ...s,
      details: {
        address: this.server.address,
        calls: this.server.metrics.totalCalls,
        callsPerSec: Math.round(this.rate),
      },
    };
  }

  /** Chained timer: recomputes calls/s and pushes only when something changed. */
  private tick = (): void => {
    if (!this.server) return;
    const now = Date.now();
    const calls = this.server.metrics.totalCalls;
    const rate = ((calls - this.lastCalls) * 1000) / Math.max(1, now - this.lastAt);
    const changed = calls !== this.lastCalls || rate !== this.rate;
    this.rate = rate;
    this.lastCalls = calls;
    this.lastAt = now;
    if (changed) this.opts.push('engine', this.snapshot());
    this.timer = setTimeout(this.tick, this.opts.pushMs ?? 1000);
  };

  snapshot(): EngineStatus {
    const s = this.server;
    const pct = s?.metrics.stepPercentiles() ?? null;
    const steps = s ? [...s.metrics.steps.values()].reduce((a, b) => a + b, 0) : 0;
    return {
      address: s?.address ?? `${this.opts.config.host}:${this.opts.config.port}`,
      listening: s !== null,
      games: (s?.gameInfos() ?? []).map((g) => ({
        envId: g.envId,
        description: g.description,
        actionSpace: describeSpace(g.actionSpace),
        maxHorizon: g.maxHorizon,
        preferredBatch: g.preferredBatch,
        obsBytes: g.obsBytes,
        encoding: g.encoding,
      })),
      calls: s?.metrics.totalCalls ?? 0,
      callsPerSec: Math.round(this.rate * 10) / 10,
      steps,
      stepP50Ms: pct ? pct.p50 * 1000 : null,
      stepP99Ms: pct ? pct.p99 * 1000 : null,
      errors: s?.metrics.errorList() ?? [],
    };
  }

  /** Prometheus text for the headless web server's /metrics; null while stopped. */
  metricsText(): string | null {
    return this.server?.metrics.render() ?? null;
  }

  async reset(envId: string, seed: number): Promise<EnginePlayResult> {
    const r = await this.call((c) => c.reset(envId, BigInt(seed), new Uint8Array(0), 5000));
    return { state: [...r.state], obs: floats(r.obs), reward: 0, done: false };
  }

  async step(envId: string, state: number[], action: number[]): Promise<EnginePlayResult> {
    const r = await this.call((c) => c.step(envId, Uint8Array.from(state), Uint8Array.from(action), 5000));
    return { state: [...r.state], obs: floats(r.obs), reward: r.reward, done: r.done };
  }

  private async call<T>(fn: (c: EngineClient) => Promise<T>): Promise<T> {
    if (!this.client) throw new ApiError('unavailable', 'the engine is not running (engine.enabled)');
    try {
      return await fn(this.client);
    } catch (e) {
      if (e instanceof EngineRpcError)
        throw new ApiError(e.code === 3 || e.code === 5 || e.code === 9 ? 'bad_request' : 'unavailable', e.details);
      throw e;
    }
  }
}

/** float32 LE bytes as numbers. `new Uint8Array(b)` copies: a decoded Buffer is a view into a shared pool. */
function floats(b: Uint8Array): number[] {
  const copy = new Uint8Array(b);
  return Array.from(new Float32Array(copy.buffer, 0, copy.length >> 2));
}
