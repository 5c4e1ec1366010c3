// A Simulate stream split over two workers answers the very bytes one worker does: in process,
// two shards (sharing their masks) joined by simulate-merge.ts against one unsharded Sim, over
// whole requests, subsets whose indices jump between the halves, refusals, auto-resets, truncation
// and state bytes; then over gRPC, an engine with two Simulate workers against one with one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../log';
import { EngineClient } from './client';
import { specsOf } from './game';
import { SimulateOpen, SimulateRequest, SimulateResponse } from './gen/engine/v1/engine';
import { builtInGames } from './registry';
import { EngineServer } from './server';
import { SimulateStreamClient } from './simulate-client';
import { mergeParts } from './simulate-merge';
import { Sim } from './simulate-worker';

const games = builtInGames();

/** Row j's legal actions from an answer's mask. */
const legalOf = (mask: Uint8Array, j: number, nA: number) =>
  [...mask.subarray(j * nA, (j + 1) * nA).keys()].filter((a) => mask[j * nA + a] === 1);

/** Requests: whole ones, subsets in a scrambled order across both halves, and an illegal one. */
function* requests(n: number, rounds: number): Generator<number[]> {
  for (let k = 0; k < rounds; k++) {
    // 11 is prime to every n used here, so the scramble names each environment once.
    if (k % 4 === 1) yield Array.from({ length: n }, (_, i) => (i * 11 + k) % n).filter((i) => i % 3 !== k % 3);
    else yield [];
  }
}

function compare(envId: string, open: Partial<SimulateOpen>, rounds: number): number {
  const g = games.create(envId);
  const nA = g.info.actionSpace.kind === 'discrete' ? g.info.actionSpace.n : 0;
  const n = open.numEnvs!;
  const o = SimulateOpen.fromPartial(open);
  const half = Math.ceil(n / 2);
  const masks = new SharedArrayBuffer(2 * n * nA);
  const one = new Sim(g, o);
  const halves = [
    new Sim(games.create(envId), o, { lo: 0, hi: half, masks }),
    new Sim(games.create(envId), o, { lo: half, hi: n, masks }),
  ];
  const shape = { obsBytes: g.info.obsBytes, players: specsOf(g.info).numPlayers, actions: nA };
  const joined = (parts: Uint8Array[], idx: number[]) =>
    mergeParts(parts, idx.length || n, (j) => ((idx.length ? idx[j] : j) < half ? 0 : 1), idx, shape);
  const full = one.first();
  expect(
    Buffer.from(
      joined(
        halves.map((h) => h.first()),
        [],
      ),
    ).equals(Buffer.from(full)),
  ).toBe(true);
  const mask = SimulateResponse.decode(full).actionMask.slice();
  let ended = 0;
  let k = 0;
  for (const idx of requests(n, rounds)) {
    const rows = idx.length ? idx : Array.from({ length: n }, (_, i) => i);
    const acts = Int32Array.from(rows, (i, j) => {
      const legal = legalOf(mask, i, nA);
      return legal[(k + j) % legal.length];
    });
    // Now and then an illegal action in the second half: every shard must refuse, nothing moves.
    const bad = k % 5 === 3;
    if (bad)
      acts[rows.length - 1] =
        legalOf(mask, rows[rows.length - 1], nA).length < nA
          ? mask.subarray(rows[rows.length - 1] * nA).indexOf(0)
          : -1;
    k++;
    const req = SimulateRequest.encode({ step: { actions: new Uint8Array(acts.buffer), envIndices: idx } }).finish();
    const answer = (s: Sim): Uint8Array => {
      try {
        return s.step(s.check(SimulateRequest.decode(req).step!));
      } catch (e) {
        return SimulateResponse.encode({
          ...SimulateResponse.fromPartial({}),
          error: (e as Error).message,
          errorCode: 'INVALID_ARGUMENT',
        }).finish();
      }
    };
    const a = answer(one);
    const b = joined(halves.map(answer), idx);
    expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true);
    const r = SimulateResponse.decode(a);
    if (bad) expect(r.error).toMatch(/illegal|outside/);
    rows.forEach((i, j) => mask.set(r.actionMask.subarray(j * nA, (j + 1) * nA), i * nA));
    ended += r.resetSeeds.length;
  }
  return ended;
}

describe('a Simulate stream sharded over two workers', () => {
  it('joins to the bytes of one worker: TicTacToe, whole and scrambled subset requests, refusals, state bytes', () => {
    expect(compare('tictactoe', { numEnvs: 301, seed: 9n, includeState: true }, 40)).toBeGreaterThan(100);
  });

  it('joins to the bytes of one worker: 2048 truncated by max_episode_steps, seeds of every varint length', () => {
    const seeds = Array.from({ length: 64 }, (_, i) => (i === 63 ? (1n << 64n) - 1n : (1n << BigInt(i)) - 1n));
    expect(compare('2048', { numEnvs: 64, seeds, maxEpisodeSteps: 6 }, 30)).toBeGreaterThan(64);
  });
});

describe('Simulate over gRPC: two Simulate workers and one give the same answers', () => {
  const servers: EngineServer[] = [];
  const clients: EngineClient[] = [];
  beforeAll(async () => {
    for (const simWorkers of [1, 2]) {
      const s = new EngineServer({
        host: '127.0.0.1',
        port: 0,
        logger: silentLogger(),
        workers: 1,
        unaryWorkers: 1,
        simWorkers,
      });
      await s.start();
      servers.push(s);
      clients.push(new EngineClient(s.address));
    }
  }, 30_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all(servers.map((s) => s.stop(500)));
  });

  it('a 1,000-env TicTacToe stream: every answer, subsets and a refusal included, encodes to the same bytes', async () => {
    const n = 1000;
    const streams = clients.map((c) => new SimulateStreamClient(c, 60_000));
    try {
      let rs = await Promise.all(
        streams.map((s) => s.open({ envId: 'tictactoe', numEnvs: n, seed: 3n, includeState: true })),
      );
      const bytes = (r: SimulateResponse) => Buffer.from(SimulateResponse.encode(r).finish());
      expect(bytes(rs[1]).equals(bytes(rs[0]))).toBe(true);
      const mask = rs[0].actionMask.slice();
      let k = 0;
      for (const idx of requests(n, 16)) {
        const rows = idx.length ? idx : Array.from({ length: n }, (_, i) => i);
        const acts = rows.map((i, j) => legalOf(mask, i, 9)[(k + j) % legalOf(mask, i, 9).length]);
        if (k++ === 6) acts[acts.length - 1] = 9;
        rs = await Promise.all(streams.map((s) => s.step(acts, idx)));
        expect(bytes(rs[1]).equals(bytes(rs[0]))).toBe(true);
        rows.forEach((i, j) => mask.set(rs[0].actionMask.subarray(j * 9, (j + 1) * 9), i * 9));
      }
      expect(rs[0].error).toBe('');
    } finally {
      for (const s of streams) s.cancel();
    }
  }, 60_000);
});
