// The gRPC engine server (grpc-js): the Engine service over the game registry, plus
// grpc.health.v1 and server reflection so grpcurl and grpc_health_probe work. The main thread only
// moves bytes: Reset/Step and BatchSimulate run in worker threads (pool.ts), so no request can
// stall the event loop the rest of the app shares. Errors never escape a handler: EngineError maps
// to its status code, anything else to INTERNAL (and a log line); messages are capped in length.
import {
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type ServerWritableStream,
} from '@grpc/grpc-js';
import { loadFileDescriptorSetFromBuffer, loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import type { Logger } from '../log';
import { DEFAULT_BATCH_LIMITS, validateBatch, type BatchLimits } from './batch';
import { EngineError, invalid, type ErasedGame, type GameInfo, type GameRegistry } from './game';
import { capabilitiesOf, clip, CODES, isMalformed, SERVICE, type Malformed } from './wire';
import { ENGINE_DESCRIPTOR_SET_BASE64 } from './gen/engine/v1/descriptor';
import { StreamAdmission } from './admission';
import { BatchSimulateRequest, type Capabilities, type EngineId, type ListGamesResponse } from './gen/engine/v1/engine';
import { EngineMetrics } from './metrics';
import { WorkerLost, WorkerPool } from './pool';
import { builtInGames } from './registry';
import { runSimulate, type SimulateHost } from './simulate';
import { runStream, streamBytes, WorkerFailure } from './stream';

/** A BatchSimulate or Simulate call: what admission and shutdown keep track of. */
type EngineStream = ServerWritableStream<Buffer, Buffer> | ServerDuplexStream<Buffer, Buffer>;

export const ENGINE_SERVICE_NAME = 'engine.v1.Engine';

export interface EngineServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  logger: Logger;
  registry?: GameRegistry;
  metrics?: EngineMetrics;
  /** Requests larger than this are refused with RESOURCE_EXHAUSTED (default 1 MiB). */
  maxMessageBytes?: number;
  batch?: Partial<BatchLimits>;
  buildId?: string;
  /** Batch workers (default one per core, one on two cores) and unary lanes (default 2). */
  workers?: number;
  unaryWorkers?: number;
  /** Workers for Simulate streams, at the main thread's priority (default: pool's defaultSimWorkers). */
  simWorkers?: number;
  /** Nice value of batch worker threads on Linux (default 10; 0: the main thread's). */
  batchNice?: number;
  /** Longest one Reset/Step may keep a worker busy (default 3 s); one slice of a stream, 10× that. */
  budgetMs?: number;
  sliceBudgetMs?: number;
  /** Worker time one BatchSimulate may use in all (default 600 s; 0: unlimited). */
  batchBudgetMs?: number;
  /** Concurrent BatchSimulate streams (default 32) and the memory they may hold (default 512 MiB). */
  maxStreams?: number;
  maxStreamBytes?: number;
  /** A module whose default export returns the GameRegistry the workers serve (default: built-in games). */
  registryModule?: string;
}

export class EngineServer {
  readonly metrics: EngineMetrics;
  readonly registry: GameRegistry;
  private readonly games = new Map<string, ErasedGame>();
  private readonly limits: BatchLimits;
  private readonly buildId: string;
  private server: Server | null = null;
  private health: HealthImplementation | null = null;
  private pool: WorkerPool | null = null;
  private boundPort = 0;
  /** Admitted streams and the bytes each may hold; a cancel gives both back at once. */
  private readonly streams: StreamAdmission<EngineStream>;
  /** Stream handlers still running, each with what ends it at once (they finish right after a cancel). */
  private readonly running = new Map<EngineStream, () => void>();

  constructor(private readonly opts: EngineServerOptions) {
    this.registry = opts.registry ?? builtInGames();
    this.metrics = opts.metrics ?? new EngineMetrics();
    this.limits = { ...DEFAULT_BATCH_LIMITS, ...opts.batch };
    this.buildId = opts.buildId ?? 'factorio-control-room';
    this.streams = new StreamAdmission(opts.maxStreams ?? 32, opts.maxStreamBytes ?? 512 << 20);
  }

  get port(): number {
    return this.boundPort;
  }

  get address(): string {
    return `${this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host}:${this.boundPort}`;
  }

  /** BatchSimulate and Simulate streams still running. */
  get activeStreams(): number {
    return this.running.size;
  }

  /** Streams holding an admission slot (cancelled ones give theirs back at once). */
  get admittedStreams(): number {
    return this.streams.size;
  }

  /** Estimated bytes the running streams hold (admission control counts this). */
  get heldStreamBytes(): number {
    return this.streams.bytes;
  }

  get listening(): boolean {
    return this.server !== null;
  }

  /** Batch workers in the pool (0 before start). */
  get workers(): number {
    return this.pool?.size ?? 0;
  }

  gameInfos(): GameInfo[] {
    return this.registry.ids().map((id) => this.game(id).info);
  }

  capabilities(): Capabilities[] {
    return this.gameInfos().map((i) => capabilitiesOf(i, this.buildId));
  }

  async start(): Promise<void> {
    if (this.server) return;
    const max = this.opts.maxMessageBytes ?? 1 << 20;
    const pool = new WorkerPool({
      workers: this.opts.workers,
      unaryWorkers: this.opts.unaryWorkers,
      simWorkers: this.opts.simWorkers,
      batchNice: this.opts.batchNice,
      budgetMs: this.opts.budgetMs ?? 3000,
      sliceBudgetMs: this.opts.sliceBudgetMs,
      registryModule: this.opts.registryModule,
      logger: this.opts.logger,
      onRestart: (reason) => this.metrics.workerRestarted(reason),
    });
    // Workers boot while the port is bound; calls that arrive meanwhile wait in their queues.
    const poolReady = pool.start();
    this.pool = pool;
    const server = new Server({ 'grpc.max_receive_message_length': max });
    server.addService(SERVICE, {
      getCapabilities: (call: ServerUnaryCall<EngineId | Malformed, Capabilities>, cb: sendUnaryData<Capabilities>) =>
        this.capabilitiesCall(call.request, cb),
      reset: (call: ServerUnaryCall<Buffer, Buffer>, cb: sendUnaryData<Buffer>) =>
        void this.unary('Reset', call.request, cb),
      step: (call: ServerUnaryCall<Buffer, Buffer>, cb: sendUnaryData<Buffer>) =>
        void this.unary('Step', call.request, cb),
      batchSimulate: (call: ServerWritableStream<Buffer, Buffer>) => void this.batch(call),
      listGames: (_call: ServerUnaryCall<object, ListGamesResponse>, cb: sendUnaryData<ListGamesResponse>) =>
        cb(null, { games: this.capabilities() }),
      simulate: (call: ServerDuplexStream<Buffer, Buffer>) => void runSimulate(this.simulateHost(), call),
    });
    this.health = new HealthImplementation({ '': 'SERVING', [ENGINE_SERVICE_NAME]: 'SERVING' });
    this.health.addToServer(server);
    // Reflection describes the engine and the health service (grpcurl list/describe both).
    const described = {
      ...loadFileDescriptorSetFromBuffer(Buffer.from(ENGINE_DESCRIPTOR_SET_BASE64, 'base64')),
      ...loadSync(healthProtoPath),
    };
    new ReflectionService(described).addToServer(server);
    try {
      this.boundPort = await new Promise<number>((resolve, reject) =>
        server.bindAsync(
          `${this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host}:${this.opts.port}`,
          ServerCredentials.createInsecure(),
          (err, port) => (err ? reject(err) : resolve(port)),
        ),
      );
    } catch (e) {
      this.pool = null;
      await poolReady.catch(() => {});
      await pool.stop();
      throw e;
    }
    await poolReady;
    this.server = server;
    this.opts.logger.info(
      { address: this.address, games: this.registry.ids(), workers: pool.size, lanes: pool.lanes.length },
      'engine listening',
    );
  }

  /** Refuses new calls, cancels running streams, waits up to `graceMs` for the rest, then ends the workers. */
  async stop(graceMs = 2000): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    this.health?.setStatus('', 'NOT_SERVING');
    this.health?.setStatus(ENGINE_SERVICE_NAME, 'NOT_SERVING');
    for (const [s, abort] of this.running) {
      abort();
      s.emit('error', { code: status.UNAVAILABLE, details: 'the engine is shutting down' });
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, graceMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    await this.pool?.stop();
    this.pool = null;
    this.opts.logger.info({ address: this.address }, 'engine stopped');
  }

  private game(envId: string): ErasedGame {
    let g = this.games.get(envId);
    if (!g) {
      g = this.registry.create(envId);
      this.games.set(envId, g);
    }
    return g;
  }

  /** Env ids from the wire go into metrics only when they are ours (bounded label values). */
  private envLabel(envId: string): string {
    return this.games.has(envId) ? envId : 'unknown';
  }

  private capabilitiesCall(req: EngineId | Malformed, cb: sendUnaryData<Capabilities>): void {
    const t0 = performance.now();
    let envId = 'unknown';
    try {
      if (isMalformed(req)) throw invalid(req.malformed);
      envId = req.envId;
      const caps = capabilitiesOf(this.game(envId).info, this.buildId);
      this.metrics.observeCall('GetCapabilities', envId, 'OK', (performance.now() - t0) / 1000);
      cb(null, caps);
    } catch (e) {
      const err = this.toStatus(e, 'GetCapabilities');
      this.metrics.observeCall(
        'GetCapabilities',
        this.envLabel(envId),
        status[err.code],
        (performance.now() - t0) / 1000,
      );
      cb(err);
    }
  }

  private async unary(method: 'Reset' | 'Step', req: Buffer, cb: sendUnaryData<Buffer>): Promise<void> {
    const t0 = performance.now();
    const pool = this.pool;
    let envId = 'unknown';
    try {
      if (!pool) throw new WorkerLost('stopped', false, 'the engine is shutting down');
      const r = await pool.unary(method, req);
      if ('envId' in r && r.envId) envId = r.envId;
      if (!r.ok) {
        if (r.code === 'internal') throw new WorkerFailure(r.details);
        throw new EngineError(r.code, r.details);
      }
      const out = r as { res: Uint8Array; steps: number };
      if (out.steps) this.metrics.addSteps(envId, out.steps);
      this.metrics.observeCall(method, envId, 'OK', (performance.now() - t0) / 1000);
      cb(null, Buffer.from(out.res.buffer, out.res.byteOffset, out.res.byteLength));
    } catch (e) {
      const err = this.toStatus(e, method);
      this.metrics.observeCall(method, envId, status[err.code], (performance.now() - t0) / 1000);
      cb(err);
    }
  }

  private toStatus(e: unknown, method: string): { code: status; details: string } {
    if (e instanceof EngineError) return { code: CODES[e.code], details: clip(e.message) };
    if (e instanceof WorkerLost) {
      if (e.reason === 'budget' && !e.queuedBehind) {
        this.metrics.overBudget(method);
        const budget =
          method === 'BatchSimulate'
            ? (this.opts.sliceBudgetMs ?? (this.opts.budgetMs ?? 3000) * 10)
            : (this.opts.budgetMs ?? 3000);
        return {
          code: status.RESOURCE_EXHAUSTED,
          details: `${method === 'BatchSimulate' ? 'a slice of this BatchSimulate' : method} ran past its budget of ${budget} ms of worker time; its worker was replaced`,
        };
      }
      return { code: status.UNAVAILABLE, details: e.message };
    }
    this.opts.logger.error({ err: e, method }, 'engine call failed');
    return {
      code: status.INTERNAL,
      details: clip(`internal error in ${method}: ${e instanceof Error ? e.message : String(e)}`),
    };
  }

  /** What simulate.ts needs: the pool, the games, admission (shared with BatchSimulate) and status mapping. */
  private simulateHost(): SimulateHost {
    // A Simulate call is admitted, tracked and released exactly like a BatchSimulate one.
    return {
      pool: this.pool,
      game: (id) => this.game(id),
      maxEnvs: this.limits.maxEnvs,
      budgetMs: this.opts.batchBudgetMs ?? 600_000,
      metrics: this.metrics,
      serving: () => this.server !== null,
      admit: (c, bytes) => this.streams.admit(c, bytes),
      release: (c) => this.streams.release(c),
      track: (c, abort) => this.running.set(c, abort),
      untrack: (c) => this.running.delete(c),
      toStatus: (e) => this.toStatus(e, 'Simulate'),
      statusName: (code) => status[code],
    };
  }

  private async batch(call: ServerWritableStream<Buffer, Buffer>): Promise<void> {
    const t0 = performance.now();
    let envId = 'unknown';
    let finished = false;
    // A cancelled stream gives its admission back at once (its workers drop their shards next).
    let abort = () => {};
    const aborted = new Promise<void>((resolve) => (abort = resolve));
    const onCancel = () => {
      this.streams.release(call);
      abort();
    };
    call.on('cancelled', onCancel);
    this.running.set(call, abort);
    try {
      let req: BatchSimulateRequest;
      try {
        req = BatchSimulateRequest.decode(call.request);
      } catch (e) {
        throw invalid(
          `request is not a valid engine.v1.BatchSimulateRequest: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
      const game = this.game(req.id?.envId ?? '');
      envId = game.info.envId;
      validateBatch(req, game, this.limits);
      this.streams.admit(call, streamBytes(req, game.info));
      if (!this.pool) throw new WorkerLost('stopped', false, 'the engine is shutting down');
      const batchBudget = this.opts.batchBudgetMs ?? 600_000;
      await runStream(
        this.pool,
        req,
        call.request,
        game.info,
        { defaultChunk: this.limits.defaultChunk, maxChunkBytes: this.limits.maxChunkBytes, budgetMs: batchBudget },
        {
          stopped: () => call.cancelled || finished || this.server === null,
          aborted,
          onSteps: (n) => this.metrics.addSteps(envId, n),
          write: (chunk) =>
            new Promise<void>((resolve) => {
              // Yield between chunks even when the transport takes them at once, so a stream's
              // slice never holds the event loop for all its chunks.
              if (call.write(chunk)) return setImmediate(resolve);
              // Wait for the transport to drain, or for the client to go away.
              const done = () => {
                call.off('drain', done);
                call.off('cancelled', done);
                resolve();
              };
              call.on('drain', done);
              call.on('cancelled', done);
            }),
        },
      );
      if (call.cancelled)
        this.metrics.observeCall('BatchSimulate', envId, 'CANCELLED', (performance.now() - t0) / 1000);
      else if (this.server !== null) {
        this.metrics.observeCall('BatchSimulate', envId, 'OK', (performance.now() - t0) / 1000);
        call.end();
      }
    } catch (e) {
      if (e instanceof EngineError && e.code === 'resource_exhausted' && /budget/.test(e.message))
        this.metrics.overBudget('BatchSimulate');
      const err = this.toStatus(e, 'BatchSimulate');
      this.metrics.observeCall(
        'BatchSimulate',
        this.envLabel(envId),
        call.cancelled ? 'CANCELLED' : status[err.code],
        (performance.now() - t0) / 1000,
      );
      if (!call.cancelled) call.emit('error', err);
    } finally {
      finished = true;
      call.off('cancelled', onCancel);
      this.streams.release(call);
      this.running.delete(call);
    }
  }
}
