// Conformance suite in the spirit of dm_env_rpc's compliance tests: a real grpc-js client over
// loopback against a real engine (ENGINE_ADDRESS, or `npm run engine`'s program as a child
// process), plus a second, in-process server for cross-instance determinism.
import { join } from 'node:path';
import { loadPackageDefinition, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProto } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineClient } from './client';
import { SimResultChunk, SimulateResponse, type Transition } from './gen/engine/v1/engine';
import { listGames, SimulateStreamClient } from './simulate-client';
import { refused, startPair, type EnginePair, type EngineTarget } from './target.fixture';

let pair: EnginePair;
let target: EngineTarget;
let a: EngineClient;
let b: EngineClient;
const u8 = (...v: number[]) => Uint8Array.from(v);

beforeAll(async () => {
  pair = await startPair();
  ({ target, a, b } = pair);
}, 40_000);

afterAll(async () => {
  await pair?.stop();
});

const bytesOf = (chunks: SimResultChunk[]) => Buffer.concat(chunks.map((c) => SimResultChunk.encode(c).finish()));

describe('GetCapabilities', () => {
  it('describes tictactoe and 2048 with their spaces, horizons, batch sizes and encodings', async () => {
    const ttt = await a.capabilities('tictactoe');
    expect(ttt.id?.envId).toBe('tictactoe');
    expect(ttt.discrete).toEqual({ n: 9 });
    expect(ttt.maxHorizon).toBe(9);
    expect(ttt.preferredBatch).toBeGreaterThan(0);
    expect(ttt.encoding).toEqual({ state: 'ttt-state:v1', action: 'u8:v1', obs: 'f32x27:v1', schemaVersion: 1 });
    expect(ttt.obsBytes).toBe(108);
    const g = await a.capabilities('2048');
    expect(g.discrete).toEqual({ n: 4 });
    expect(g.encoding?.state).toBe('2048-state:v1');
  });

  it('answers NOT_FOUND for an unknown env_id, naming the games it serves', async () => {
    const e = await refused(a.capabilities('chess'));
    expect(e.code).toBe(status.NOT_FOUND);
    expect(e.details).toMatch(/unknown env_id "chess".*tictactoe/);
  });
});

describe('Reset and Step', () => {
  it('plays a TicTacToe game to a win through the wire', async () => {
    const r = await a.reset('tictactoe', 1n);
    expect([...r.state]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
    let state = r.state;
    const rewards: number[] = [];
    let done = false;
    for (const cell of [0, 3, 1, 4, 2]) {
      const s = await a.step('tictactoe', state, u8(cell));
      expect(s.obs.length).toBe(108);
      state = s.state;
      rewards.push(s.reward);
      done = s.done;
    }
    expect(rewards).toEqual([0, 0, 0, 0, 1]);
    expect(done).toBe(true);
    expect(state[10]).toBe(1);
  });

  it('answers every refusal with its code and a helpful message, and keeps serving', async () => {
    const start = (await a.reset('tictactoe', 0n)).state;
    const taken = (await a.step('tictactoe', start, u8(4))).state;
    const over = await [0, 3, 1, 4, 2].reduce(
      async (s, c) => (await a.step('tictactoe', await s, u8(c))).state,
      Promise.resolve(start),
    );
    const cases: [() => Promise<unknown>, status, RegExp][] = [
      [() => a.reset('nope', 0n), status.NOT_FOUND, /unknown env_id "nope"/],
      [() => a.step('nope', start, u8(0)), status.NOT_FOUND, /unknown env_id/],
      [() => a.step('tictactoe', taken, u8(4)), status.INVALID_ARGUMENT, /illegal move: cell 4 is taken/],
      [() => a.step('tictactoe', u8(1, 2, 3), u8(0)), status.INVALID_ARGUMENT, /state must be 11 bytes/],
      [() => a.step('tictactoe', start, u8(0, 0)), status.INVALID_ARGUMENT, /actions are at most 1 byte/],
      [() => a.step('tictactoe', start, u8(200)), status.INVALID_ARGUMENT, /one byte 0-8 .*byte 200/],
      [() => a.step('2048', start, u8(0)), status.INVALID_ARGUMENT, /65 bytes/],
      [() => a.reset('tictactoe', 0n, u8(1)), status.INVALID_ARGUMENT, /no reset hint/],
      [() => a.step('tictactoe', over, u8(8)), status.FAILED_PRECONDITION, /episode is over/],
    ];
    for (const [call, code, why] of cases) {
      const e = await refused(call());
      expect(status[e.code]).toBe(status[code]);
      expect(e.details).toMatch(why);
    }
    expect((await a.reset('tictactoe', 0n)).state).toEqual(start);
  });

  it('refuses bytes that are not a protobuf request with INVALID_ARGUMENT', async () => {
    const raw = a.raw as unknown as Client;
    const e = await new Promise<ServiceError>((resolve) =>
      raw.makeUnaryRequest(
        '/engine.v1.Engine/Step',
        (x: Buffer) => x,
        (x: Buffer) => x,
        Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]),
        (err) => resolve(err!),
      ),
    );
    expect(status[e.code]).toBe('INVALID_ARGUMENT');
    expect(e.details).toMatch(/not a valid engine.v1.StepRequest/);
  });

  it('refuses an oversized request with RESOURCE_EXHAUSTED and keeps serving', async () => {
    const e = await refused(a.step('tictactoe', new Uint8Array(8 << 20), u8(0)));
    expect(e.code).toBe(status.RESOURCE_EXHAUSTED);
    expect((await a.capabilities('tictactoe')).id?.envId).toBe('tictactoe');
  });
});

describe('determinism', () => {
  it('1,000 TicTacToe episodes are byte-identical run to run and across two server instances', async () => {
    const req = {
      envId: 'tictactoe',
      seed: 12_345n,
      numEnvs: 1000,
      maxSteps: 9,
      random: { seed: 99n },
      includeState: true,
    };
    const [first, second, other] = await Promise.all([a.batch(req), a.batch(req), b.batch(req)]);
    const done = first.flatMap((c) => c.transitions).filter((t) => t.done);
    expect(done).toHaveLength(1000);
    expect(new Set(done.map((t) => t.envIndex)).size).toBe(1000);
    expect(bytesOf(second).equals(bytesOf(first))).toBe(true);
    expect(bytesOf(other).equals(bytesOf(first))).toBe(true);
  });

  it('2048 with chance is byte-identical across instances, and unary Reset(seed + i)/Step replays any environment', async () => {
    const req = {
      envId: '2048',
      seed: 2n ** 64n - 2n,
      numEnvs: 50,
      maxSteps: 120,
      random: { seed: 5n },
      includeState: true,
    };
    const [fromA, fromB] = await Promise.all([a.batch(req), b.batch(req)]);
    expect(bytesOf(fromB).equals(bytesOf(fromA))).toBe(true);
    const all = fromA.flatMap((c) => c.transitions);
    for (const i of [0, 1, 2, 49]) {
      const mine = all.filter((t) => t.envIndex === i);
      expect(mine.length).toBeGreaterThan(0);
      // seed + i wraps at 2^64: env 2 of seed 2^64 - 2 is seed 0.
      let state = (await b.reset('2048', BigInt.asUintN(64, req.seed + BigInt(i)))).state;
      for (const t of mine) {
        if (t.episode > 0) break;
        const s = await b.step('2048', state, t.action);
        expect([Buffer.from(s.state).equals(t.state), Buffer.from(s.obs).equals(t.obs), s.reward, s.done]).toEqual([
          true,
          true,
          t.reward,
          t.done,
        ]);
        state = s.state;
      }
    }
  });

  it('auto-reset starts episode k of environment i from Reset(seed + i + k * 2^32)', async () => {
    const seed = 77n;
    const chunks = await a.batch({
      envId: '2048',
      seed,
      numEnvs: 2,
      maxSteps: 1500,
      random: { seed: 1n },
      autoReset: true,
      includeState: true,
    });
    const env1 = chunks.flatMap((c) => c.transitions).filter((t) => t.envIndex === 1);
    const second: Transition[] = env1.filter((t) => t.episode === 1).slice(0, 25);
    expect(second.length).toBeGreaterThan(0);
    expect(second[0].step).toBe(0);
    let state = (await b.reset('2048', seed + 1n + (1n << 32n))).state;
    for (const t of second) {
      const s = await b.step('2048', state, t.action);
      expect(Buffer.from(s.state).equals(t.state)).toBe(true);
      state = s.state;
    }
  });
});

describe('standard tools', () => {
  it('serves grpc.health.v1: SERVING for the server and for engine.v1.Engine', async () => {
    const pkg = loadPackageDefinition(loadSync(healthProto, { enums: String })) as unknown as {
      grpc: {
        health: {
          v1: {
            Health: new (
              addr: string,
              creds: unknown,
            ) => Client & { check: (req: object, cb: (e: ServiceError | null, r: { status: string }) => void) => void };
          };
        };
      };
    };
    const { credentials } = await import('@grpc/grpc-js');
    const health = new pkg.grpc.health.v1.Health(target.address, credentials.createInsecure());
    const check = (service: string) =>
      new Promise<string>((resolve, reject) =>
        health.check({ service }, (e, r) => (e ? reject(e) : resolve(r.status))),
      );
    expect(await check('')).toBe('SERVING');
    expect(await check('engine.v1.Engine')).toBe('SERVING');
    health.close();
  });

  it('serves reflection (v1): lists the engine and health services and returns the engine file', async () => {
    const proto = join(
      import.meta.dirname,
      '../../../node_modules/@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto',
    );
    const pkg = loadPackageDefinition(loadSync(proto)) as unknown as Record<string, never>;
    const { credentials } = await import('@grpc/grpc-js');
    const Reflection = (
      pkg as unknown as {
        grpc: {
          reflection: {
            v1: {
              ServerReflection: new (
                addr: string,
                creds: unknown,
              ) => Client & {
                serverReflectionInfo: () => NodeJS.ReadWriteStream & { write(m: object): void; end(): void };
              };
            };
          };
        };
      }
    ).grpc.reflection.v1.ServerReflection;
    const client = new Reflection(target.address, credentials.createInsecure());
    const ask = (req: object) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const call = client.serverReflectionInfo();
        call.on('data', (r: Record<string, unknown>) => resolve(r));
        call.on('error', reject);
        call.write(req);
        call.end();
      });
    const list = (await ask({ listServices: '' })) as { listServicesResponse: { service: { name: string }[] } };
    const names = list.listServicesResponse.service.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['engine.v1.Engine', 'grpc.health.v1.Health']));
    const file = (await ask({ fileContainingSymbol: 'engine.v1.Engine' })) as {
      fileDescriptorResponse: { fileDescriptorProto: Buffer[] };
    };
    expect(Buffer.concat(file.fileDescriptorResponse.fileDescriptorProto).toString('latin1')).toContain(
      'BatchSimulate',
    );
    client.close();
  });

  it('exposes Prometheus metrics: steps, step latency histogram, errors by env and code', async ({ skip }) => {
    if (!target.metricsUrl) skip('ENGINE_METRICS_URL not set for the external engine');
    const start = (await a.reset('tictactoe', 3n)).state;
    await a.step('tictactoe', start, u8(0));
    await refused(a.step('tictactoe', start, u8(9)));
    const res = await fetch(target.metricsUrl!);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0.0.4/);
    const text = await res.text();
    expect(Number(/engine_steps_total\{env_id="tictactoe"\} (\d+)/.exec(text)?.[1])).toBeGreaterThan(0);
    expect(text).toMatch(/engine_step_latency_seconds_bucket\{env_id="tictactoe",le="\+Inf"\} [1-9]/);
    expect(
      Number(/engine_errors_total\{env_id="tictactoe",code="INVALID_ARGUMENT"\} (\d+)/.exec(text)?.[1]),
    ).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/engine_errors_total\{env_id="unknown",code="NOT_FOUND"\} \d+/);
  });
});

// The RPCs v1 gained by addition: ListGames and Simulate, held to what Reset and Step answer.
describe('ListGames and Simulate', () => {
  it('lists the same capabilities GetCapabilities answers, on both engines', async () => {
    const games = await listGames(a);
    expect(games.map((g) => g.id?.envId)).toEqual(['2048', 'tictactoe']);
    for (const g of games) expect(g).toEqual(await a.capabilities(g.id!.envId));
    expect(await listGames(b)).toEqual(games);
  });

  it('answers every environment of a stream exactly as Reset and Step would, on both engines', async () => {
    const n = 5;
    const sa = new SimulateStreamClient(a, 20_000);
    const sb = new SimulateStreamClient(b, 20_000);
    try {
      const [fa, fb] = await Promise.all([
        sa.open({ envId: '2048', numEnvs: n, seed: 77n, includeState: true, maxEpisodeSteps: 12 }),
        sb.open({ envId: '2048', numEnvs: n, seed: 77n, includeState: true, maxEpisodeSteps: 12 }),
      ]);
      expect(SimulateResponse.encode(fa).finish()).toEqual(SimulateResponse.encode(fb).finish());
      const states: Uint8Array[] = [];
      for (let i = 0; i < n; i++) {
        const r = await a.reset('2048', 77n + BigInt(i));
        expect(Buffer.from(fa.states[i])).toEqual(Buffer.from(r.state));
        states.push(r.state);
      }
      let mask = fa.actionMask;
      const steps = [0, 0, 0, 0, 0];
      for (let round = 0; round < 30; round++) {
        // The last legal move of each environment (deterministic, always legal).
        const actions = Array.from({ length: n }, (_, i) => mask.subarray(i * 4, i * 4 + 4).lastIndexOf(1));
        const [ra, rb] = await Promise.all([sa.step(actions), sb.step(actions)]);
        expect(ra.error).toBe('');
        expect(SimulateResponse.encode(ra).finish()).toEqual(SimulateResponse.encode(rb).finish());
        const rewards = new Float32Array(new Uint8Array(ra.rewards).buffer);
        let d = 0;
        for (let i = 0; i < n; i++) {
          let s = await a.step('2048', states[i], u8(actions[i]));
          expect(rewards[i]).toBe(s.reward);
          steps[i]++;
          expect(ra.terminated[i]).toBe(s.done ? 1 : 0);
          expect(ra.truncated[i]).toBe(!s.done && steps[i] === 12 ? 1 : 0);
          if (ra.terminated[i] || ra.truncated[i]) {
            expect(Buffer.from(ra.finalObs.subarray(d * 80, (d + 1) * 80))).toEqual(Buffer.from(s.obs));
            const r = await a.reset('2048', ra.resetSeeds[d]);
            s = { ...s, state: r.state, obs: r.obs };
            steps[i] = 0;
            d++;
          }
          expect(Buffer.from(ra.obs.subarray(i * 80, (i + 1) * 80))).toEqual(Buffer.from(s.obs));
          expect(Buffer.from(ra.states[i])).toEqual(Buffer.from(s.state));
          states[i] = s.state;
        }
        expect(ra.resetSeeds).toHaveLength(d);
        mask = ra.actionMask;
      }
    } finally {
      sa.cancel();
      sb.cancel();
    }
  });
});
