// A small promise-based client over the generated grpc-js client: what the Engine view (main as a
// client of its own server), the conformance suite and the benchmark use.
import {
  credentials,
  Metadata,
  status,
  type CallOptions,
  type ClientReadableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import {
  EngineClient as GeneratedClient,
  type BatchSimulateRequest,
  type Capabilities,
  type ResetResponse,
  type SimResultChunk,
  type StepResponse,
} from './gen/engine/v1/engine';

export type { ServiceError };

export class EngineRpcError extends Error {
  constructor(
    readonly code: status,
    readonly details: string,
  ) {
    super(`${status[code]}: ${details}`);
    this.name = 'EngineRpcError';
  }
}

const wrap = (e: ServiceError) => new EngineRpcError(e.code, e.details);

export class EngineClient {
  readonly raw: GeneratedClient;

  constructor(
    readonly address: string,
    options: Record<string, unknown> = {},
  ) {
    this.raw = new GeneratedClient(address, credentials.createInsecure(), options);
  }

  private opts(deadlineMs?: number): Partial<CallOptions> {
    return deadlineMs ? { deadline: Date.now() + deadlineMs } : {};
  }

  capabilities(envId: string, deadlineMs?: number): Promise<Capabilities> {
    return new Promise((resolve, reject) =>
      this.raw.getCapabilities({ envId, buildId: '' }, new Metadata(), this.opts(deadlineMs), (e, r) =>
        e ? reject(wrap(e)) : resolve(r),
      ),
    );
  }

  reset(
    envId: string,
    seed: bigint,
    hint: Uint8Array = new Uint8Array(0),
    deadlineMs?: number,
  ): Promise<ResetResponse> {
    return new Promise((resolve, reject) =>
      this.raw.reset({ id: { envId, buildId: '' }, seed, hint }, new Metadata(), this.opts(deadlineMs), (e, r) =>
        e ? reject(wrap(e)) : resolve(r),
      ),
    );
  }

  step(envId: string, state: Uint8Array, action: Uint8Array, deadlineMs?: number): Promise<StepResponse> {
    return new Promise((resolve, reject) =>
      this.raw.step({ id: { envId, buildId: '' }, state, action }, new Metadata(), this.opts(deadlineMs), (e, r) =>
        e ? reject(wrap(e)) : resolve(r),
      ),
    );
  }

  /** The raw stream (for backpressure and cancel tests). */
  batchStream(
    req: Partial<BatchSimulateRequest> & { envId: string },
    deadlineMs?: number,
  ): ClientReadableStream<SimResultChunk> {
    const { envId, ...rest } = req;
    const full: BatchSimulateRequest = {
      id: { envId, buildId: '' },
      seed: 0n,
      numEnvs: 1,
      maxSteps: 1,
      random: undefined,
      actions: undefined,
      output: 0,
      autoReset: false,
      chunkSize: 0,
      includeState: false,
      hint: new Uint8Array(0),
      ...rest,
    };
    return this.raw.batchSimulate(full, new Metadata(), this.opts(deadlineMs));
  }

  /** Collects every chunk; rejects with the stream's status if it ends in error. */
  batch(req: Partial<BatchSimulateRequest> & { envId: string }, deadlineMs?: number): Promise<SimResultChunk[]> {
    return new Promise((resolve, reject) => {
      const chunks: SimResultChunk[] = [];
      const s = this.batchStream(req, deadlineMs);
      s.on('data', (c: SimResultChunk) => chunks.push(c));
      s.on('error', (e: ServiceError) => reject(wrap(e)));
      s.on('end', () => resolve(chunks));
    });
  }

  close(): void {
    this.raw.close();
  }
}
