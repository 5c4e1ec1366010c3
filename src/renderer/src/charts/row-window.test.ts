import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildRowWindow, RowWindow } from './row-window';

const KEYS = ['iron-plate', '__proto__', 'constructor'];

/** Everything a chart reads from a RowWindow, as plain data. */
const view = (w: RowWindow) => ({
  rows: w.rows.map((r) => ({ ...r })),
  paths: [...w.paths()],
  range: w.range(),
  totals: [...w.totals()],
  samples: w.samples,
});

describe('RowWindow', () => {
  it('keeps each series’ lowest and highest value per bucket, in the order they came', () => {
    const w = new RowWindow(['a'], 10, 0);
    for (const [t, v] of [
      [1, 5],
      [2, 90],
      [3, -7],
      [4, 6],
    ])
      w.append(t, [v]);
    w.append(11, [3]);
    expect(w.rows.map((r) => [r.t, r.a])).toEqual([
      [1, 90],
      [4, -7],
      [11, 3],
    ]);
    expect(w.range()).toEqual([-7, 90]);
    expect(w.paths().get('a')).toBe('M1,90L4,-7L11,3');
  });

  it('with width 0 holds every sample as its own row, exactly', () => {
    const w = new RowWindow(['a'], 0, 100);
    w.append(100.5, [1234.56]);
    w.append(102.5, [1234.56 - 34.5]);
    expect(w.rows.map((r) => ({ ...r }))).toEqual([
      { t: 100.5, a: 1234.56 },
      { t: 102.5, a: 1234.56 - 34.5 },
    ]);
    w.dropBefore(101);
    expect(w.rows.map((r) => r.t)).toEqual([102.5]);
    expect(w.paths().get('a')).toBe('M2.500000,1200.060');
  });

  it('refuses samples out of time order, keeping what it holds', () => {
    const w = new RowWindow(['a'], 5, 0);
    w.append(3, [1]);
    expect(() => w.append(3, [2])).toThrow(/time order/);
    expect(w.rows.map((r) => ({ ...r }))).toEqual([{ t: 3, a: 1 }]);
  });

  it('appending lines and dropping what scrolls out gives what a rebuild over the same samples gives', () => {
    const step = fc.record({
      dt: fc.double({ min: 0.01, max: 20, noNaN: true }),
      values: fc.array(
        fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })),
        { minLength: KEYS.length, maxLength: KEYS.length },
      ),
      // Drop buckets before (newest - window) after this sample.
      window: fc.option(fc.double({ min: 0, max: 200, noNaN: true }), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(0, 0.5, 3, 7.2, 60),
        fc.double({ min: 0, max: 1e5, noNaN: true }),
        fc.array(step, { minLength: 1, maxLength: 120 }),
        (width, t0, steps) => {
          const w = new RowWindow(KEYS, width, t0);
          const all: [number, number[]][] = [];
          let t = t0;
          let from = -Infinity;
          for (const s of steps) {
            t += s.dt;
            if (!(t > (all.at(-1)?.[0] ?? -Infinity))) continue;
            all.push([t, s.values]);
            w.append(t, s.values);
            if (s.window !== undefined) {
              from = Math.max(from, t - s.window);
              w.dropBefore(from);
            }
          }
          const rebuilt = buildRowWindow(KEYS, width, t0, from, all);
          expect(view(w)).toEqual(view(rebuilt));
        },
      ),
      { numRuns: 300 },
    );
  });
});
