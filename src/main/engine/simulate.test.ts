// Simulate and ListGames against a real in-process engine (grpc-js over loopback, real workers).
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../log';
import { EngineClient } from './client';
import { EngineServer } from './server';
import { listGames, SimulateStreamClient, unpack } from './simulate-client';
import testGames from './games.fixture';

let server: EngineServer;
let client: EngineClient;
const TWO_32 = 1n << 32n;

beforeAll(async () => {
  server = new EngineServer({
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger(),
    workers: 2,
    unaryWorkers: 1,
    maxStreams: 3,
  });
  await server.start();
  client = new EngineClient(server.address);
}, 30_000);

afterAll(async () => {
  client?.close();
  await server?.stop();
});

const streams: SimulateStreamClient[] = [];
function stream(): SimulateStreamClient {
  const s = new SimulateStreamClient(client, 20_000);
  streams.push(s);
  return s;
}
afterEach(() => {
  for (const s of streams.splice(0)) s.cancel();
});

describe('ListGames and specs', () => {
  it('lists every game with its observation, reward and player specs', async () => {
    const games = await listGames(client);
    expect(games.map((g) => g.id?.envId)).toEqual(['2048', 'tictactoe']);
    const ttt = games[1];
    expect(ttt.numPlayers).toBe(2);
    expect(ttt.observation?.dtype).toBe('float32');
    expect(ttt.observation?.shape).toEqual([27]);
    expect(ttt.observation?.slices.find((s) => s.name === 'action_mask')).toMatchObject({ start: 18, length: 9 });
    expect(ttt.reward).toMatchObject({ low: -1, high: 1, zeroSum: true });
    const g = await client.capabilities('2048');
    expect(g.numPlayers).toBe(1);
    expect(g.observation?.high.length).toBe(20);
    expect(g.observation?.slices.map((s) => s.name)).toEqual(['exponents', 'action_mask']);
  });
});

describe('Simulate', () => {
  it('answers the open with every first observation, and episodes replay with one Reset', async () => {
    const s = stream();
    const first = await s.open({ envId: '2048', numEnvs: 4, seed: 7n });
    const u = unpack(first, 20, 4, 1);
    expect(u.k).toBe(4);
    expect(first.envIndices).toEqual([]);
    for (let i = 0; i < 4; i++) {
      const r = await client.reset('2048', 7n + BigInt(i));
      expect(Buffer.from(first.obs.subarray(i * 80, (i + 1) * 80))).toEqual(Buffer.from(r.obs));
      expect(u.maskRow(i)).toEqual([...new Float32Array(new Uint8Array(r.obs).buffer).subarray(16, 20)]);
    }
    s.close();
    expect(await s.ended).toBeNull();
  });

  it('plays TicTacToe to a win: per-player rewards, same-step auto-reset, final observation, replayable seed', async () => {
    const s = stream();
    await s.open({ envId: 'tictactoe', numEnvs: 2, seeds: [5n, 9n], includeState: true });
    // Env 0: X plays 0,1,2 (wins on the 5th move); env 1 mirrors on other cells.
    const moves = [
      [0, 3],
      [3, 0],
      [1, 4],
      [4, 1],
    ];
    for (const [a, b] of moves) {
      const r = await s.step([a, b]);
      expect([...r.terminated]).toEqual([0, 0]);
    }
    const before = unpack(await s.step([2, 5]), 27, 9, 2);
    expect(before.terminated).toEqual([true, true]);
    expect(before.truncated).toEqual([false, false]);
    // X (player 0) won in env 0 and env 1: +1 / -1.
    expect(before.rewardRow(0)).toEqual([1, -1]);
    expect(before.rewardRow(1)).toEqual([1, -1]);
    // Same step: obs is the next episode's first (empty board, X to move), final_obs the last board.
    expect([...before.obsRow(0)].slice(0, 18).every((v) => v === 0)).toBe(true);
    expect(before.player).toEqual([0, 0]);
    expect(before.episodes).toEqual([1, 1]);
    expect(before.finalObs.length).toBe(2 * 27);
    // In the final board O is to move: its opponent (X) holds cells 0, 1, 2.
    expect([...before.finalObs.subarray(9, 12)]).toEqual([1, 1, 1]);
    const last = await s.step([4, 4]);
    expect(last.resetSeeds).toEqual([]);
    expect(last.states).toHaveLength(2);
    s.close();
  });

  it('names the reset seed of each new episode, and a Reset with it gives the same start', async () => {
    const s = stream();
    const first = await s.open({ envId: '2048', numEnvs: 1, seed: 123n, maxEpisodeSteps: 2 });
    let mask = [...first.actionMask];
    let r = await s.step([mask.indexOf(1)]);
    mask = [...r.actionMask];
    r = await s.step([mask.indexOf(1)]);
    expect([...r.truncated]).toEqual([1]);
    expect([...r.terminated]).toEqual([0]);
    expect(r.resetSeeds).toEqual([123n + TWO_32]);
    const replay = await client.reset('2048', 123n + TWO_32);
    expect(Buffer.from(r.obs)).toEqual(Buffer.from(replay.obs));
    s.close();
  });

  it('steps a subset for async use and answers only those environments', async () => {
    const s = stream();
    await s.open({ envId: 'tictactoe', numEnvs: 3 });
    const r = await s.step([4, 0], [2, 0]);
    expect(r.envIndices).toEqual([2, 0]);
    expect(r.terminated.length).toBe(2);
    const u = unpack(r, 27, 9, 2);
    // Both now have O to move and X's stone where it was played.
    expect(u.player).toEqual([1, 1]);
    expect(u.obsRow(0)[9 + 4]).toBe(1);
    expect(u.obsRow(1)[9 + 0]).toBe(1);
    const all = unpack(await s.step([4, 4, 0]), 27, 9, 2);
    expect(all.player).toEqual([0, 1, 0]);
    s.close();
  });

  it('refuses a bad request with a clear error, changes nothing and keeps the stream', async () => {
    const s = stream();
    await s.open({ envId: 'tictactoe', numEnvs: 2 });
    await s.step([0, 1]);
    const bad = await s.step([3, 1]);
    expect(bad.errorCode).toBe('INVALID_ARGUMENT');
    expect(bad.error).toMatch(/environment 1: action 1 is illegal/);
    expect(bad.obs.length).toBe(0);
    const short = await s.stepRaw(new Uint8Array(3));
    expect(short.error).toMatch(/expected 2 int32/);
    const dup = await s.step([1, 2], [0, 0]);
    expect(dup.error).toMatch(/twice/);
    // Env 0's move 3 was not applied: 3 is still legal there.
    const ok = unpack(await s.step([3, 2]), 27, 9, 2);
    expect(ok.player).toEqual([0, 0]);
    expect(ok.obsRow(0)[0]).toBe(1);
    expect(ok.obsRow(0)[9 + 3]).toBe(1);
    s.close();
  });

  it('ends the stream with a status when the open is wrong', async () => {
    const s = stream();
    await expect(s.open({ envId: 'chess', numEnvs: 1 })).rejects.toMatchObject({ code: status.NOT_FOUND });
    const t = stream();
    await expect(t.open({ envId: 'tictactoe', numEnvs: 0 })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    const u = stream();
    await expect(u.open({ envId: 'tictactoe', numEnvs: 2, seeds: [1n] })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
    });
    const v = stream();
    await expect(v.step([0])).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/first Simulate request must be an open/),
    });
  });

  it('counts against the stream cap; a cancelled stream gives its slot back at once', async () => {
    await expect.poll(() => server.admittedStreams).toBe(0);
    const held = [stream(), stream(), stream()];
    for (const h of held) await h.open({ envId: 'tictactoe', numEnvs: 1 });
    expect(server.admittedStreams).toBe(3);
    const over = stream();
    await expect(over.open({ envId: 'tictactoe', numEnvs: 1 })).rejects.toMatchObject({
      code: status.RESOURCE_EXHAUSTED,
    });
    held[0].cancel();
    await expect.poll(() => server.admittedStreams).toBe(2);
    const again = stream();
    await again.open({ envId: 'tictactoe', numEnvs: 1 });
    for (const h of [...held.slice(1), again]) h.close();
    await expect.poll(() => server.admittedStreams).toBe(0);
  });
});

describe('Simulate budgets', () => {
  it('cuts off a step that never returns: RESOURCE_EXHAUSTED, worker replaced, the engine serves on', async () => {
    const s = new EngineServer({
      host: '127.0.0.1',
      port: 0,
      logger: silentLogger(),
      registry: testGames(),
      registryModule: join(import.meta.dirname, 'games.fixture.ts'),
      workers: 1,
      unaryWorkers: 1,
      budgetMs: 300,
      sliceBudgetMs: 300,
    });
    await s.start();
    const c = new EngineClient(s.address);
    try {
      const spin = new SimulateStreamClient(c, 20_000);
      await spin.open({ envId: 'spin', numEnvs: 1 });
      await expect(spin.step([0])).rejects.toMatchObject({
        code: status.RESOURCE_EXHAUSTED,
        details: expect.stringMatching(/budget/),
      });
      expect(s.metrics.budgetExceeded.get('Simulate')).toBe(1);
      await expect.poll(() => s.admittedStreams).toBe(0);
      // The replacement worker takes new streams; unary calls never stopped.
      expect((await c.reset('tictactoe', 1n)).obs.length).toBe(108);
      const ok = new SimulateStreamClient(c, 20_000);
      await ok.open({ envId: 'tictactoe', numEnvs: 2 });
      expect((await ok.step([0, 1])).error).toBe('');
      ok.close();
    } finally {
      c.close();
      await s.stop();
    }
  }, 30_000);
});
