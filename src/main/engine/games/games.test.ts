import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EngineError, eraseGame } from '../game';
import { builtInGames } from '../registry';
import { Game2048 } from './game2048';
import { TicTacToe } from './tictactoe';

const f32s = (b: Uint8Array) => Array.from(new Float32Array(b.slice().buffer));
const u8 = (...v: number[]) => Uint8Array.from(v);

/** Plays cells in order from a fresh TicTacToe; returns every StepOut copied. */
function play(cells: number[]) {
  const g = eraseGame(new TicTacToe());
  let out = g.reset(0n, new Uint8Array(0));
  let state = out.state.slice();
  const steps = [];
  for (const c of cells) {
    out = g.step(state, u8(c));
    state = out.state.slice();
    steps.push({ state, obs: out.obs.slice(), reward: out.reward, done: out.done });
  }
  return steps;
}

function refusal(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    return e as EngineError;
  }
  throw new Error('expected a refusal');
}

describe('TicTacToe', () => {
  it('starts empty with X to move and every cell legal', () => {
    const g = eraseGame(new TicTacToe());
    const out = g.reset(42n, new Uint8Array(0));
    expect([...out.state]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
    expect(f32s(out.obs)).toEqual([...Array(18).fill(0), ...Array(9).fill(1)]);
    expect(out.done).toBe(false);
  });

  it('rewards +1 to the player completing a row, column or diagonal, and ends the episode', () => {
    for (const [xs, os] of [
      [
        [0, 1, 2],
        [3, 4],
      ],
      [
        [0, 3, 6],
        [1, 2],
      ],
      [
        [2, 4, 6],
        [0, 1],
      ],
      [
        [0, 4, 8],
        [1, 2],
      ],
    ]) {
      const moves = [xs[0], os[0], xs[1], os[1], xs[2]];
      const steps = play(moves);
      expect(steps.map((s) => s.reward)).toEqual([0, 0, 0, 0, 1]);
      expect(steps.map((s) => s.done)).toEqual([false, false, false, false, true]);
      expect(steps[4].state[10]).toBe(1);
      expect(f32s(steps[4].obs).slice(18)).toEqual(Array(9).fill(0));
    }
    const oWins = play([0, 3, 1, 4, 8, 5]);
    expect(oWins.at(-1)!.reward).toBe(1);
    expect(oWins.at(-1)!.state[10]).toBe(2);
  });

  it('ends in a draw with reward 0 when the board fills without a line', () => {
    const steps = play([0, 1, 2, 4, 3, 5, 7, 6, 8]);
    expect(steps.at(-1)!.done).toBe(true);
    expect(steps.at(-1)!.reward).toBe(0);
    expect(steps.at(-1)!.state[10]).toBe(3);
    expect(steps.slice(0, -1).every((s) => !s.done)).toBe(true);
  });

  it("observes from the mover's side: own stones, opponent's stones, legal mask", () => {
    const [afterX] = play([4]);
    const obs = f32s(afterX.obs);
    // O to move: X's centre stone is the opponent's.
    expect(obs.slice(0, 9)).toEqual(Array(9).fill(0));
    expect(obs[9 + 4]).toBe(1);
    expect(obs.slice(18)).toEqual([1, 1, 1, 1, 0, 1, 1, 1, 1]);
  });

  it('refuses taken cells, out-of-range actions, moves after the end, and hints', () => {
    const g = eraseGame(new TicTacToe());
    const s = g.step(g.reset(0n, new Uint8Array(0)).state.slice(), u8(4)).state.slice();
    expect(refusal(() => g.step(s, u8(4))).message).toMatch(/cell 4 is taken by X/);
    expect(refusal(() => g.step(s, u8(9))).message).toMatch(/one byte 0-8/);
    expect(refusal(() => g.step(s, u8())).message).toMatch(/0 bytes/);
    const over = play([0, 3, 1, 4, 2]).at(-1)!.state;
    expect(refusal(() => g.step(over, u8(8))).code).toBe('failed_precondition');
    expect(refusal(() => g.reset(0n, u8(1))).message).toMatch(/no reset hint/);
  });

  it('refuses malformed and unreachable states with a reason', () => {
    const g = eraseGame(new TicTacToe());
    const cases: [number[], RegExp][] = [
      [[0, 0, 0], /11 bytes/],
      [[3, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0], /cell 0 is 3/],
      [[0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0], /player to move is 7/],
      [[1, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0], /unreachable: 2 X, 0 O/],
      [[1, 1, 1, 2, 2, 0, 0, 0, 0, 2, 0], /outcome byte is 0 but the board says 1/],
      [[1, 1, 1, 2, 2, 2, 1, 0, 0, 2, 1], /both players/],
    ];
    for (const [bytes, why] of cases) expect(refusal(() => g.step(u8(...bytes), u8(8))).message).toMatch(why);
  });

  it('round-trips every reachable state through encode/decode (property)', () => {
    const ttt = new TicTacToe();
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 9 }), (picks) => {
        const s = ttt.newState();
        ttt.reset(s, null as never, new Uint8Array(0));
        const legal: number[] = [];
        for (const p of picks) {
          const n = ttt.legalActions(s, legal);
          if (n === 0) break;
          ttt.step(s, legal[p % n]);
        }
        const bytes = new Uint8Array(11);
        ttt.encodeState(s, bytes);
        const back = ttt.newState();
        ttt.decodeState(bytes, back);
        expect(back).toEqual(s);
      }),
    );
  });
});

describe('2048', () => {
  const g2048 = new Game2048();

  /**
   * A state with the given cells (and the RNG of seed 1), as bytes, with the moves and score a game
   * reaching that board with only 2s spawned would have (the loader checks both against the board).
   */
  function bytesWith(cells: number[]): Uint8Array {
    const g = eraseGame(g2048);
    const b = g.reset(1n, new Uint8Array(0)).state.slice();
    b.set(cells, 0);
    const tiles = cells.filter((e) => e > 0);
    const sum = tiles.reduce((a, e) => a + 2 ** e, 0);
    const view = Buffer.from(b.buffer, b.byteOffset, b.length);
    view.writeUInt32LE(
      tiles.reduce((a, e) => a + (e - 1) * 2 ** e, 0),
      16,
    );
    view.writeUInt32LE(sum / 2 - 2, 20);
    b[24] = 0;
    return b;
  }

  it('starts with two tiles (2 or 4) drawn from the seed, and the same seed gives the same board', () => {
    const g = eraseGame(new Game2048());
    const a = g.reset(7n, new Uint8Array(0)).state.slice();
    const b = eraseGame(new Game2048()).reset(7n, new Uint8Array(0)).state.slice();
    expect(a).toEqual(b);
    const tiles = [...a.subarray(0, 16)].filter((e) => e !== 0);
    expect(tiles).toHaveLength(2);
    expect(tiles.every((e) => e === 1 || e === 2)).toBe(true);
    const seeds = new Set(
      Array.from({ length: 20 }, (_, i) =>
        Buffer.from(g.reset(BigInt(i), new Uint8Array(0)).state.subarray(0, 16)).toString('hex'),
      ),
    );
    expect(seeds.size).toBeGreaterThan(10);
  });

  it('slides and merges each pair once, rewarding the merged tiles, then spawns one tile', () => {
    const g = eraseGame(new Game2048());
    // Row 0: 2 2 4 4 -> left: 4 8 . . ; reward 4 + 8.
    const out = g.step(bytesWith([1, 1, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), u8(3));
    expect(out.reward).toBe(12);
    expect([...out.state.subarray(0, 2)]).toEqual([2, 3]);
    const tiles = [...out.state.subarray(0, 16)].filter((e) => e !== 0);
    expect(tiles).toHaveLength(3);
    // 2 2 2 . -> right: . . 2 4 (the pair nearest the wall merges).
    const r = g.step(bytesWith([1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), u8(1));
    expect([...r.state.subarray(2, 4)]).toEqual([1, 2]);
    expect(r.reward).toBe(4);
    // Column 0 up: 2 / 2 / 4 / 0 -> 4 / 4 / . / .
    const u = g.step(bytesWith([1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]), u8(0));
    expect([u.state[0], u.state[4]]).toEqual([2, 2]);
  });

  it('refuses a move that changes nothing, bad actions and inconsistent states', () => {
    const g = eraseGame(new Game2048());
    const corner = bytesWith([1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(refusal(() => g.step(corner, u8(3))).message).toMatch(/left changes nothing/);
    expect(refusal(() => g.step(corner, u8(4))).message).toMatch(/one byte 0-3/);
    expect(refusal(() => g.step(corner.subarray(0, 64), u8(1))).message).toMatch(/65 bytes/);
    const tooBig = corner.slice();
    tooBig[0] = 18;
    expect(refusal(() => g.step(tooBig, u8(1))).message).toMatch(/exponent 18/);
    const liar = corner.slice();
    liar[24] = 1;
    expect(refusal(() => g.step(liar, u8(1))).message).toMatch(/over flag/);
  });

  it('refuses boards no game reaches: two 2^17 tiles, a lone tile, moves or score that do not fit the board', () => {
    const g = eraseGame(new Game2048());
    // Once accepted, and stepped into a 2^18 tile the loader then refused.
    const twins = bytesWith([17, 17, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const e = refusal(() => g.step(twins, u8(3)));
    expect([e.code, e.message]).toEqual(['invalid_argument', expect.stringMatching(/tiles add up to 262144/)]);
    expect(refusal(() => g.step(bytesWith([3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), u8(1))).message).toMatch(
      /1 tile/,
    );
    const fast = bytesWith([5, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    Buffer.from(fast.buffer, fast.byteOffset).writeUInt32LE(1, 20);
    expect(refusal(() => g.step(fast, u8(1))).message).toMatch(/1 moves cannot leave tiles adding up to 48/);
    const rich = bytesWith([5, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    rich[16] ^= 4;
    expect(refusal(() => g.step(rich, u8(1))).message).toMatch(/score \d+ does not match/);
  });

  it('a full board with no merges is over, with an all-zero legal mask', () => {
    const g = eraseGame(new Game2048());
    const full = bytesWith([1, 2, 1, 2, 2, 1, 2, 1, 1, 2, 1, 2, 2, 1, 2, 3]);
    full[24] = 1;
    expect(refusal(() => g.step(full, u8(0))).code).toBe('failed_precondition');
    const playing = bytesWith([1, 2, 1, 2, 2, 1, 2, 1, 1, 2, 1, 2, 2, 1, 2, 0]);
    const last = g.step(playing, u8(1));
    expect(last.done).toBe(
      f32s(last.obs)
        .slice(16)
        .every((v) => v === 0),
    );
  });

  it('round-trips states through encode/decode and continues identically from the bytes (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.array(fc.nat(), { maxLength: 60 }),
        (seed, picks) => {
          const g = eraseGame(new Game2048());
          const env = g.newEnv();
          env.reset(seed, new Uint8Array(0));
          for (const p of picks) {
            if (env.done) break;
            env.stepLegal(p % env.legalCount);
          }
          const bytes = env.state().slice();
          const twin = g.newEnv();
          (twin as unknown as { load(b: Uint8Array): void }).load(bytes);
          expect(twin.state()).toEqual(bytes);
          if (!env.done) {
            env.stepLegal(0);
            twin.stepLegal(0);
            expect(twin.state()).toEqual(env.state());
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('decoding untrusted bytes', () => {
  it('any bytes as state or action either step or are refused with an EngineError, never anything else (property)', () => {
    const reg = builtInGames();
    const games = reg.ids().map((id) => reg.create(id));
    fc.assert(
      fc.property(
        fc.constantFrom(...games),
        fc.uint8Array({ maxLength: 80 }),
        fc.uint8Array({ maxLength: 3 }),
        (g, state, action) => {
          try {
            const out = g.step(state, action);
            expect(out.obs.length).toBe(g.info.obsBytes);
          } catch (e) {
            expect(e).toBeInstanceOf(EngineError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
