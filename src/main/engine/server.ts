// The gRPC engine server (grpc-js): the Engine service over the game registry, plus
// grpc.health.v1 and server reflection so grpcurl and grpc_health_probe work. Errors never escape
// a handler: EngineError maps to its status code, anything else to INTERNAL (and a log line).
import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream, type ServiceDefinition } from '@grpc/grpc-js';
import { loadFileDescriptorSetFromBuffer, loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import type { Logger } from '../log';
import { DEFAULT_BATCH_LIMITS, runBatch, validateBatch, type BatchLimits } from './batch';
import { EngineError, invalid, type ErasedGame, type GameInfo, type GameRegistry } from './game';
import { ENGINE_DESCRIPTOR_SET_BASE64 } from './gen/engine/v1/descriptor';
import { BatchSimulateRequest, Capabilities, EngineId, EngineService, ResetRequest, ResetResponse, StepRequest, StepResponse } from './gen/engine/v1/engine';
import { EngineMetrics } from './metrics';
import { builtInGames } from './registry';

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
}

const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
const identity = (b: Buffer): Buffer => b;

/** Marks a request that did not parse; grpc-js would answer INTERNAL, the handler says INVALID_ARGUMENT. */
interface Malformed {
  malformed: string;
}
const isMalformed = (r: object): r is Malformed => 'malformed' in r;

function tolerant<T>(name: string, decode: (b: Uint8Array) => T): (b: Buffer) => T | Malformed {
  return (b) => {
    try {
      return decode(b);
    } catch (e) {
      return { malformed: `request is not a valid ${name}: ${e instanceof Error ? e.message : String(e)}` };
    }
  };
}

// Unary responses and stream chunks are encoded inside the handler (so reused scratch buffers
// are read before the next call can touch them) and handed to grpc-js as ready bytes.
const SERVICE = {
  getCapabilities: { ...EngineService.getCapabilities, requestDeserialize: tolerant('engine.v1.EngineId', (b) => EngineId.decode(b)) },
  reset: { ...EngineService.reset, requestDeserialize: tolerant('engine.v1.ResetRequest', (b) => ResetRequest.decode(b)), responseSerialize: identity },
  step: { ...EngineService.step, requestDeserialize: tolerant('engine.v1.StepRequest', (b) => StepRequest.decode(b)), responseSerialize: identity },
  batchSimulate: { ...EngineService.batchSimulate, requestDeserialize: tolerant('engine.v1.BatchSimulateRequest', (b) => BatchSimulateRequest.decode(b)), responseSerialize: identity },
} as unknown as ServiceDefinition;

const CODES: Record<EngineError['code'], status> = {
  not_found: status.NOT_FOUND,
  invalid_argument: status.INVALID_ARGUMENT,
  failed_precondition: status.FAILED_PRECONDITION,
  resource_exhausted: status.RESOURCE_EXHAUSTED,
};

export function capabilitiesOf(info: GameInfo, buildId: string): Capabilities {
  const space = info.actionSpace;
  return {
    id: { envId: info.envId, buildId },
    encoding: { ...info.encoding },
    maxHorizon: info.maxHorizon,
    discrete: space.kind === 'discrete' ? { n: space.n } : undefined,
    multiDiscrete: space.kind === 'multi_discrete' ? { nvec: space.nvec } : undefined,
    box: space.kind === 'box' ? { shape: space.shape, low: space.low, high: space.high } : undefined,
    preferredBatch: info.preferredBatch,
    obsBytes: info.obsBytes,
    description: info.description,
  };
}

export class EngineServer {
  readonly metrics: EngineMetrics;
  readonly registry: GameRegistry;
  private readonly games = new Map<string, ErasedGame>();
  private readonly limits: BatchLimits;
  private readonly buildId: string;
  private server: Server | null = null;
  private health: HealthImplementation | null = null;
  private boundPort = 0;
  private readonly streams = new Set<ServerWritableStream<BatchSimulateRequest | Malformed, Buffer>>();

  constructor(private readonly opts: EngineServerOptions) {
    this.registry = opts.registry ?? builtInGames();
    this.metrics = opts.metrics ?? new EngineMetrics();
    this.limits = { ...DEFAULT_BATCH_LIMITS, ...opts.batch };
    this.buildId = opts.buildId ?? 'factorio-control-room';
  }

  get port(): number {
    return this.boundPort;
  }

  get address(): string {
    return `${this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host}:${this.boundPort}`;
  }

  /** BatchSimulate streams still running. */
  get activeStreams(): number {
    return this.streams.size;
  }

  get listening(): boolean {
    return this.server !== null;
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
    const server = new Server({ 'grpc.max_receive_message_length': max });
    server.addService(SERVICE, {
      getCapabilities: (call: ServerUnaryCall<EngineId | Malformed, Capabilities>, cb: sendUnaryData<Capabilities>) =>
        this.unary('GetCapabilities', call.request, (r) => r.envId, cb, (g) => capabilitiesOf(g.info, this.buildId)),
      reset: (call: ServerUnaryCall<ResetRequest | Malformed, Buffer>, cb: sendUnaryData<Buffer>) =>
        this.unary('Reset', call.request, (r) => r.id?.envId ?? '', cb, (g, r) => {
          const out = g.reset(r.seed, r.hint);
          return asBuffer(ResetResponse.encode({ state: out.state, obs: out.obs }).finish());
        }),
      step: (call: ServerUnaryCall<StepRequest | Malformed, Buffer>, cb: sendUnaryData<Buffer>) =>
        this.unary('Step', call.request, (r) => r.id?.envId ?? '', cb, (g, r) => {
          const out = g.step(r.state, r.action);
          this.metrics.addSteps(g.info.envId, 1);
          return asBuffer(StepResponse.encode(out).finish());
        }),
      batchSimulate: (call: ServerWritableStream<BatchSimulateRequest | Malformed, Buffer>) => void this.batch(call),
    });
    this.health = new HealthImplementation({ '': 'SERVING', [ENGINE_SERVICE_NAME]: 'SERVING' });
    this.health.addToServer(server);
    // Reflection describes the engine and the health service (grpcurl list/describe both).
    const described = { ...loadFileDescriptorSetFromBuffer(Buffer.from(ENGINE_DESCRIPTOR_SET_BASE64, 'base64')), ...loadSync(healthProtoPath) };
    new ReflectionService(described).addToServer(server);
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host}:${this.opts.port}`, ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
    this.server = server;
    this.opts.logger.info({ address: this.address, games: this.registry.ids() }, 'engine listening');
  }

  /** Refuses new calls, cancels running streams, and waits up to `graceMs` for the rest. */
  async stop(graceMs = 2000): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    this.health?.setStatus('', 'NOT_SERVING');
    this.health?.setStatus(ENGINE_SERVICE_NAME, 'NOT_SERVING');
    for (const s of this.streams) s.emit('error', { code: status.UNAVAILABLE, details: 'the engine is shutting down' });
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

  private unary<R extends object, T>(method: string, req: R | Malformed, envIdOf: (r: R) => string, cb: sendUnaryData<T>, run: (g: ErasedGame, r: R) => T): void {
    const t0 = performance.now();
    let value: T;
    let envId = 'unknown';
    try {
      if (isMalformed(req)) throw invalid(req.malformed);
      envId = envIdOf(req);
      value = run(this.game(envId), req);
    } catch (e) {
      const err = this.toStatus(e, method);
      this.metrics.observeCall(method, this.envLabel(envId), status[err.code], (performance.now() - t0) / 1000);
      cb(err);
      return;
    }
    this.metrics.observeCall(method, envId, 'OK', (performance.now() - t0) / 1000);
    cb(null, value);
  }

  private toStatus(e: unknown, method: string): { code: status; details: string } {
    if (e instanceof EngineError) return { code: CODES[e.code], details: e.message };
    this.opts.logger.error({ err: e, method }, 'engine call failed');
    return { code: status.INTERNAL, details: `internal error in ${method}: ${e instanceof Error ? e.message : String(e)}` };
  }

  private async batch(call: ServerWritableStream<BatchSimulateRequest | Malformed, Buffer>): Promise<void> {
    const t0 = performance.now();
    const req = call.request;
    const envId = isMalformed(req) ? 'unknown' : (req.id?.envId ?? '');
    let finished = false;
    this.streams.add(call);
    const fail = (e: unknown) => {
      const err = this.toStatus(e, 'BatchSimulate');
      this.metrics.observeCall('BatchSimulate', this.envLabel(envId), status[err.code], (performance.now() - t0) / 1000);
      if (!call.cancelled) call.emit('error', err);
    };
    try {
      if (isMalformed(req)) throw invalid(req.malformed);
      const game = this.game(envId);
      validateBatch(req, game, this.limits);
      await runBatch(
        req,
        game,
        this.limits,
        {
          stopped: () => call.cancelled || finished || this.server === null,
          write: (chunk) =>
            new Promise<void>((resolve) => {
              if (call.write(asBuffer(chunk))) return setImmediate(resolve);
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
        (n) => this.metrics.addSteps(game.info.envId, n),
      );
      if (call.cancelled) this.metrics.observeCall('BatchSimulate', envId, 'CANCELLED', (performance.now() - t0) / 1000);
      else {
        this.metrics.observeCall('BatchSimulate', envId, 'OK', (performance.now() - t0) / 1000);
        call.end();
      }
    } catch (e) {
      fail(e);
    } finally {
      finished = true;
      this.streams.delete(call);
    }
  }
}
