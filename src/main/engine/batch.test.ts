// BatchSimulate over the wire: chunking, env index on every result, episode summaries, client
// action lists, validation, and (against an in-process server whose counters we can read)
// backpressure, cancel and deadline.
import { status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineClient } from './client';
import { BatchSimulateRequest_Output, type SimResultChunk } from './gen/engine/v1/engine';
import { EngineServer } from './server';
import { refused, startPair, type EnginePair } from './target.fixture';

let pair: EnginePair;
let local: EngineServer;
let a: EngineClient;
let b: EngineClient;
const u8 = (...v: number[]) => Uint8Array.from(v);

beforeAll(async () => {
  pair = await startPair();
  ({ local, a, b } = pair);
}, 40_000);

afterAll(async () => {
  await pair?.stop();
});

const stepsOf = (s: EngineServer, env: string) => s.metrics.steps.get(env) ?? 0;

/** Polls (bounded) until `read` gives the same value twice in a row, 50 ms apart. */
async function settled(read: () => number): Promise<number> {
  let last = read();
  for (let i = 0; i < 200; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const now = read();
    if (now === last) return now;
    last = now;
  }
  throw new Error('the value never settled');
}

describe('BatchSimulate results', () => {
  it('streams transitions in chunks of chunk_size with the env index on every result and a last chunk', async () => {
    const chunks = await a.batch({
      envId: '2048',
      seed: 3n,
      numEnvs: 3,
      maxSteps: 10,
      random: { seed: 4n },
      chunkSize: 7,
    });
    expect(chunks.map((c) => c.transitions.length)).toEqual([7, 7, 7, 7, 2]);
    expect(chunks.map((c) => Number(c.stepsSoFar))).toEqual([7, 14, 21, 28, 30]);
    expect(chunks.map((c) => c.last)).toEqual([false, false, false, false, true]);
    const all = chunks.flatMap((c) => c.transitions);
    for (const i of [0, 1, 2]) {
      const mine = all.filter((t) => t.envIndex === i);
      expect(mine.map((t) => t.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(mine.every((t) => t.obs.length === 80 && t.action.length === 1 && t.state.length === 0)).toBe(true);
    }
  });

  it('summarises episodes with the same totals the transitions add up to', async () => {
    const req = { envId: 'tictactoe', seed: 9n, numEnvs: 8, maxSteps: 40, random: { seed: 10n }, autoReset: true };
    const [transitions, episodes] = await Promise.all([
      a.batch(req),
      a.batch({ ...req, output: BatchSimulateRequest_Output.OUTPUT_EPISODES }),
    ]);
    const ts = transitions.flatMap((c) => c.transitions);
    const es = episodes.flatMap((c) => c.episodes);
    expect(episodes.flatMap((c) => c.transitions)).toHaveLength(0);
    for (const e of es) {
      const mine = ts.filter((t) => t.envIndex === e.envIndex && t.episode === e.episode);
      expect(e.steps).toBe(mine.length);
      expect(e.totalReward).toBe(mine.reduce((s, t) => s + t.reward, 0));
      expect(e.finished).toBe(mine.at(-1)!.done);
      expect(Buffer.from(e.finalObs).equals(Buffer.from(mine.at(-1)!.obs))).toBe(true);
    }
    expect(es.filter((e) => e.finished).length).toBe(ts.filter((t) => t.done).length);
    expect(new Set(es.map((e) => e.envIndex)).size).toBe(8);
  });

  it('plays client-supplied action lists, stopping each environment when its list ends', async () => {
    const lists = [{ actions: [u8(4), u8(0), u8(8)] }, { actions: [u8(0), u8(3), u8(1), u8(4), u8(2)] }];
    const chunks = await a.batch({ envId: 'tictactoe', numEnvs: 2, maxSteps: 100, actions: { lists } });
    const ts = chunks.flatMap((c) => c.transitions);
    expect(ts.filter((t) => t.envIndex === 0).map((t) => t.action[0])).toEqual([4, 0, 8]);
    const env1 = ts.filter((t) => t.envIndex === 1);
    expect(env1.map((t) => t.action[0])).toEqual([0, 3, 1, 4, 2]);
    expect(env1.at(-1)).toMatchObject({ done: true, reward: 1 });
  });

  it('ends with INVALID_ARGUMENT naming the environment and action when a listed move is illegal', async () => {
    const lists = [{ actions: [u8(4), u8(4)] }];
    const e = await refused(a.batch({ envId: 'tictactoe', numEnvs: 1, maxSteps: 10, actions: { lists } }));
    expect(e.code).toBe(status.INVALID_ARGUMENT);
    expect(e.details).toMatch(/environment 0, action 1: illegal move: cell 4 is taken/);
  });

  it('validates the request: NOT_FOUND for unknown games, INVALID_ARGUMENT for bad sizes and policies', async () => {
    const cases: [Parameters<EngineClient['batch']>[0], status, RegExp][] = [
      [{ envId: 'chess', numEnvs: 1, maxSteps: 1, random: { seed: 0n } }, status.NOT_FOUND, /unknown env_id/],
      [
        { envId: 'tictactoe', numEnvs: 0, maxSteps: 1, random: { seed: 0n } },
        status.INVALID_ARGUMENT,
        /num_envs must be/,
      ],
      [{ envId: 'tictactoe', numEnvs: 1, maxSteps: 0, random: { seed: 0n } }, status.INVALID_ARGUMENT, /max_steps/],
      [{ envId: 'tictactoe', numEnvs: 1, maxSteps: 1 }, status.INVALID_ARGUMENT, /choose a policy/],
      [
        { envId: 'tictactoe', numEnvs: 2, maxSteps: 1, actions: { lists: [{ actions: [] }] } },
        status.INVALID_ARGUMENT,
        /one list per environment/,
      ],
      [
        { envId: 'tictactoe', numEnvs: 1, maxSteps: 1, random: { seed: 0n }, chunkSize: 1_000_000 },
        status.INVALID_ARGUMENT,
        /chunk_size/,
      ],
    ];
    for (const [req, code, why] of cases) {
      const e = await refused(a.batch(req));
      expect([status[e.code], e.details]).toEqual([status[code], expect.stringMatching(why)]);
    }
  });
});

describe('BatchSimulate flow control', () => {
  const huge = {
    envId: '2048',
    seed: 1n,
    numEnvs: 64,
    maxSteps: 10_000_000,
    random: { seed: 2n },
    autoReset: true,
    includeState: true,
    chunkSize: 500,
  };
  const total = 64 * 10_000_000;

  it('stops simulating while the client does not read (backpressure), resumes when it does, and stops on cancel', async () => {
    const before = stepsOf(local, '2048');
    const call = b.batchStream(huge);
    let received = 0;
    let pausedOnce = false;
    const first = new Promise<void>((resolve) =>
      call.on('data', (c: SimResultChunk) => {
        received += c.transitions.length;
        if (!pausedOnce && received >= 500) {
          pausedOnce = true;
          call.pause();
          resolve();
        }
      }),
    );
    call.on('error', () => {});
    await first;
    const paused = (await settled(() => stepsOf(local, '2048'))) - before;
    // Transport buffers hold a bounded number of chunks; nothing near the requested run.
    expect(paused).toBeLessThan(2_000_000);
    expect(paused).toBeLessThan(total / 100);
    call.resume();
    await new Promise<void>((resolve) => {
      const check = () => (stepsOf(local, '2048') - before > paused + 5000 ? resolve() : setTimeout(check, 20));
      check();
    });
    const cancelled = new Promise<ServiceError>((resolve) => call.on('error', resolve));
    call.cancel();
    expect((await cancelled).code).toBe(status.CANCELLED);
    await settled(() => stepsOf(local, '2048'));
    await expect.poll(() => local.activeStreams).toBe(0);
  });

  it('ends at the deadline with DEADLINE_EXCEEDED and stops simulating', async () => {
    const e = await refused(b.batch({ ...huge, numEnvs: 4 }, 300));
    expect(e.code).toBe(status.DEADLINE_EXCEEDED);
    await expect.poll(() => local.activeStreams).toBe(0);
    const after = await settled(() => stepsOf(local, '2048'));
    expect(after).toBeLessThan(total);
    expect(local.metrics.calls.get('BatchSimulate 2048 CANCELLED')).toBeGreaterThanOrEqual(2);
  });
});
