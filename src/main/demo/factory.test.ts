import { describe, expect, it } from 'vitest';
import { parseEventLine, type Stats } from '../../shared/events';
import { DemoFactory } from './factory';

describe('DemoFactory', () => {
  it('tells the same story for the same seed, and a different one for another', () => {
    const run = (seed: number) => {
      const f = new DemoFactory({ seed });
      return Array.from({ length: 20 }, () => JSON.stringify(f.next()));
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('starts with session_init, then stats every 120 ticks with ~20 valid, non-negative rates', () => {
    const f = new DemoFactory({ seed: 1 });
    const first = f.next();
    expect(first).toMatchObject({ type: 'session_init', tick: 0 });
    for (let cycle = 1; cycle <= 50; cycle++) {
      const line = JSON.stringify(f.next());
      const r = parseEventLine(line);
      expect(r.ok && r.known).toBe(true);
      const s = (r.ok ? r.event : null) as Stats;
      expect(s).toMatchObject({ cycle, tick: cycle * 120, session_id: first.session_id });
      expect(Object.keys(s.products_production)).toHaveLength(20);
      for (const v of [...Object.values(s.products_production), ...Object.values(s.materials_consumption)])
        expect(v).toBeGreaterThanOrEqual(0);
    }
  });

  it('rates evolve: the factory grows over game time', () => {
    const f = new DemoFactory({ seed: 3 });
    f.next();
    const total = (s: Stats) => Object.values(s.products_production).reduce((a, b) => a + b, 0);
    const early = total(f.next() as Stats);
    for (let i = 0; i < 3000; i++) f.next();
    expect(total(f.next() as Stats)).toBeGreaterThan(early * 3);
  });

  it('starts a new session after sessionEvery cycles, with ticks from zero', () => {
    const f = new DemoFactory({ seed: 5, sessionEvery: 3 });
    const types = Array.from({ length: 9 }, () => f.next());
    expect(types.map((e) => e.type)).toEqual([
      'session_init',
      'stats',
      'stats',
      'stats',
      'session_init',
      'stats',
      'stats',
      'stats',
      'session_init',
    ]);
    expect(types[4].session_id).not.toBe(types[0].session_id);
    expect(types[5]).toMatchObject({ cycle: 1, tick: 120 });
  });
});
