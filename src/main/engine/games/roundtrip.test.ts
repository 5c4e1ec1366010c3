// Properties every game keeps, over long random play: whatever state the game returns, its own
// loader accepts and re-encodes to the same bytes, and stepping the reloaded state gives the same
// result as stepping the original. Arbitrary bytes are either played or refused as EngineErrors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../game';
import { builtInGames } from '../registry';
import { ChaCha20Rng } from '../rng';

const reg = builtInGames();
const STEPS_PER_GAME = 12_000;

describe.each(reg.ids())('%s over random play', (envId) => {
  it(`${STEPS_PER_GAME.toLocaleString('en-US')} steps: every returned state decodes, re-encodes to the same bytes and replays identically`, () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        (seed, policySeed) => {
          const game = reg.create(envId);
          const twin = reg.create(envId);
          const env = game.newEnv();
          const probe = twin.newEnv();
          const policy = ChaCha20Rng.fromU64(policySeed);
          let episode = 0n;
          env.reset(seed, new Uint8Array(0));
          for (let i = 0; i < STEPS_PER_GAME / 4; i++) {
            if (env.done) env.reset(seed + ++episode, new Uint8Array(0));
            const before = env.state().slice();
            env.stepLegal(policy.below(env.legalCount));
            const action = env.lastAction().slice();
            const after = env.state().slice();
            // Unary path: the bytes before, stepped by another instance, give the same bytes after.
            const out = twin.step(before, action);
            expect(Buffer.from(out.state).equals(after)).toBe(true);
            expect(Buffer.from(out.obs).equals(env.obs())).toBe(true);
            // The returned state is accepted back as input and re-encodes to the same bytes.
            probe.load(after);
            expect(Buffer.from(probe.state()).equals(after)).toBe(true);
            expect(probe.done).toBe(env.done);
          }
        },
      ),
      { numRuns: 4 },
    );
  });
});

describe('untrusted bytes', () => {
  it('any state and action bytes, for every game, step or are refused with an EngineError (property)', () => {
    const games = reg.ids().map((id) => reg.create(id));
    fc.assert(
      fc.property(
        fc.constantFrom(...games),
        fc.uint8Array({ maxLength: 80 }),
        fc.uint8Array({ maxLength: 3 }),
        (g, state, action) => {
          try {
            expect(g.step(state, action).obs.length).toBe(g.info.obsBytes);
          } catch (e) {
            expect(e).toBeInstanceOf(EngineError);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('2048 states of the right length with plausible cells are stepped or refused, and whatever is returned is accepted back (property)', () => {
    const g = reg.create('2048');
    const back = reg.create('2048').newEnv();
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }).map((c) => c.map((e) => e % 19)),
        fc.nat(),
        fc.nat(),
        fc.uint8Array({ minLength: 40, maxLength: 40 }),
        fc.integer({ min: 0, max: 3 }),
        (cells, score, moves, rng, dir) => {
          const b = new Uint8Array(65);
          b.set(cells, 0);
          const v = Buffer.from(b.buffer);
          v.writeUInt32LE(score >>> 0, 16);
          v.writeUInt32LE(moves >>> 0, 20);
          b.set(rng, 25);
          let out: Uint8Array;
          try {
            out = g.step(b, Uint8Array.of(dir)).state;
          } catch (e) {
            expect(e).toBeInstanceOf(EngineError);
            return;
          }
          // What it returns, it accepts back.
          back.load(out);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
