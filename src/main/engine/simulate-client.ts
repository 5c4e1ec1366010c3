// A grpc-js client of Simulate and ListGames for the tests and benchmarks: one request, one
// answer, in order (the stream answers every request in order, so a queue of waiters suffices).
import { Metadata, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { EngineRpcError, type EngineClient } from './client';
import type { Capabilities, SimulateOpen, SimulateRequest, SimulateResponse } from './gen/engine/v1/engine';

export function listGames(c: EngineClient): Promise<Capabilities[]> {
  return new Promise((resolve, reject) =>
    c.raw.listGames({}, (e, r) => (e ? reject(new EngineRpcError(e.code, e.details)) : resolve(r.games))),
  );
}

export class SimulateStreamClient {
  readonly call: ClientDuplexStream<SimulateRequest, SimulateResponse>;
  private readonly waiting: { resolve(r: SimulateResponse): void; reject(e: Error): void }[] = [];
  private failure: EngineRpcError | null = null;
  /** Settles when the server ends the stream (with its status, or OK). */
  readonly ended: Promise<EngineRpcError | null>;

  constructor(client: EngineClient, deadlineMs?: number) {
    this.call = client.raw.simulate(new Metadata(), deadlineMs ? { deadline: Date.now() + deadlineMs } : {});
    this.call.on('data', (r: SimulateResponse) => this.waiting.shift()?.resolve(r));
    this.ended = new Promise((resolve) => {
      this.call.on('error', (e: ServiceError) => {
        this.failure = new EngineRpcError(e.code, e.details);
        for (const w of this.waiting.splice(0)) w.reject(this.failure);
        resolve(this.failure);
      });
      this.call.on('status', (st: { code: number }) => {
        if (st.code !== 0) return;
        for (const w of this.waiting.splice(0)) w.reject(new Error('the stream ended'));
        resolve(null);
      });
    });
  }

  private send(req: SimulateRequest): Promise<SimulateResponse> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.call.write(req);
    });
  }

  open(o: Partial<SimulateOpen> & { envId: string; numEnvs: number }): Promise<SimulateResponse> {
    const { envId, ...rest } = o;
    return this.send({
      open: {
        id: { envId, buildId: '' },
        seed: 0n,
        seeds: [],
        maxEpisodeSteps: 0,
        includeState: false,
        hint: new Uint8Array(0),
        ...rest,
      },
      step: undefined,
    });
  }

  /** Steps with one Discrete action per environment (all, or those in `envIndices`). */
  step(actions: number[], envIndices: number[] = []): Promise<SimulateResponse> {
    return this.stepRaw(new Uint8Array(Int32Array.from(actions).buffer), envIndices);
  }

  stepRaw(actions: Uint8Array, envIndices: number[] = []): Promise<SimulateResponse> {
    return this.send({ open: undefined, step: { actions, envIndices } });
  }

  close(): void {
    this.call.end();
  }

  cancel(): void {
    this.call.cancel();
  }
}

/** Typed views of an answer's packed arrays. */
export function unpack(r: SimulateResponse, obsFloats: number, numActions: number, players: number) {
  // A copy: a received Buffer may be a view into a shared pool at any offset.
  const f32 = (b: Uint8Array) => new Float32Array(new Uint8Array(b).buffer);
  const k = r.terminated.length;
  return {
    k,
    obs: f32(r.obs),
    rewards: f32(r.rewards),
    terminated: [...r.terminated].map(Boolean),
    truncated: [...r.truncated].map(Boolean),
    mask: r.actionMask,
    player: [...r.currentPlayer],
    finalObs: f32(r.finalObs),
    episodes: [...new Uint32Array(new Uint8Array(r.episodes).buffer)],
    obsRow: (j: number) => f32(r.obs).subarray(j * obsFloats, (j + 1) * obsFloats),
    maskRow: (j: number) => [...r.actionMask.subarray(j * numActions, (j + 1) * numActions)],
    rewardRow: (j: number) => [...f32(r.rewards).subarray(j * players, (j + 1) * players)],
  };
}
