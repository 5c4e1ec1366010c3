// Simulate answers packed in place (simulate-pack.ts) are the bytes the generated encoder makes of
// the same message: decoded and encoded again they come out equal, over whole episodes of both
// games with auto-resets, truncation, subsets, state bytes and seeds needing every varint length.
import { describe, expect, it } from 'vitest';
import { SimulateOpen, SimulateResponse } from './gen/engine/v1/engine';
import { builtInGames } from './registry';
import { Sim } from './simulate-worker';

const games = builtInGames();

/** Plays `rounds` requests with the first legal action (or a rotating one), checking every answer. */
function play(
  envId: string,
  open: Partial<SimulateOpen>,
  rounds: number,
  subsetEvery = 0,
): { ended: number; answers: number } {
  const g = games.create(envId);
  const nA = g.info.actionSpace.kind === 'discrete' ? g.info.actionSpace.n : 0;
  const sim = new Sim(g, SimulateOpen.fromPartial(open));
  const n = open.numEnvs!;
  const same = (bytes: Uint8Array): SimulateResponse => {
    const r = SimulateResponse.decode(bytes);
    expect(Buffer.from(SimulateResponse.encode(r).finish()).equals(Buffer.from(bytes))).toBe(true);
    return r;
  };
  let r = same(sim.first());
  const masks = new Map<number, Uint8Array>();
  for (let i = 0; i < n; i++) masks.set(i, r.actionMask.slice(i * nA, (i + 1) * nA));
  let ended = 0;
  for (let k = 0; k < rounds; k++) {
    const idx =
      subsetEvery && k % subsetEvery === 1
        ? Array.from({ length: n }, (_, i) => i).filter((i) => (i + k) % 3 === 0)
        : [];
    const rows = idx.length ? idx : Array.from({ length: n }, (_, i) => i);
    const acts = Int32Array.from(rows, (i, j) => {
      const legal = [...masks.get(i)!.keys()].filter((a) => masks.get(i)![a] === 1);
      return legal[(k + j) % legal.length];
    });
    const c = sim.check({ actions: new Uint8Array(acts.buffer), envIndices: idx });
    r = same(sim.step(c));
    expect(r.envIndices).toEqual(idx);
    expect(r.terminated.length).toBe(rows.length);
    rows.forEach((i, j) => masks.set(i, r.actionMask.slice(j * nA, (j + 1) * nA)));
    const d = r.resetSeeds.length;
    expect(r.finalObs.length).toBe(d * g.info.obsBytes);
    ended += d;
    if (open.includeState) expect(r.states.length).toBe(rows.length);
  }
  return { ended, answers: rounds + 1 };
}

describe('Simulate answers packed in place', () => {
  it("are the generated encoder's bytes: TicTacToe, whole episodes with auto-reset, subsets, state bytes", () => {
    const { ended } = play('tictactoe', { numEnvs: 300, seed: 5n, includeState: true }, 40, 4);
    expect(ended).toBeGreaterThan(300);
  });

  it("are the generated encoder's bytes: 2048 truncated by max_episode_steps, seeds of every varint length", () => {
    // Per-env seeds from 0 up to 2^64 - 1: reset seeds then take 1 to 10 varint bytes.
    const seeds = Array.from({ length: 64 }, (_, i) => (i === 63 ? (1n << 64n) - 1n : (1n << BigInt(i)) - 1n));
    const { ended } = play('2048', { numEnvs: 64, seeds, maxEpisodeSteps: 7 }, 30, 5);
    expect(ended).toBeGreaterThan(64);
  });
});
