import { describe, expect, it } from 'vitest';
import { chartRows, rowAt, type LineSpec } from './chart-rows';
import { initEvent, statsEvent } from './events.fixture';
import { SeriesStore } from './series';

const stats = (cycle: number, prod: Record<string, number>, cons: Record<string, number>) =>
  statsEvent('s', cycle, prod, cons);

function session() {
  const st = new SeriesStore();
  st.ingest([
    initEvent('s'),
    stats(1, { 'iron-plate': 100 }, { 'iron-plate': 150 }),
    stats(2, { 'iron-plate': 120 }, { 'iron-plate': 20 }),
    stats(3, { 'iron-plate': 80 }, { 'iron-plate': 10 }),
  ]);
  return st.sessions.get('s')!;
}

describe('chartRows', () => {
  it('gives every line its rows, its total over the window and the range of what is drawn', () => {
    const specs = new Map<string, LineSpec>([
      ['iron-plate', { item: 'iron-plate', mode: 'production', branch: 0 }],
      ['iron-plate (consumed)', { item: 'iron-plate', mode: 'consumption', branch: 0 }],
    ]);
    const r = chartRows(session(), specs, null, 0, 10, 1000);
    expect(r.rows.map((x) => [x.t, x['iron-plate'], x['iron-plate (consumed)']])).toEqual([
      [2, 100, 150],
      [4, 120, 20],
      [6, 80, 10],
    ]);
    // Totals integrate rate × time (items/min over game seconds): (120·2 + 80·2) / 60.
    expect(r.totals.get('iron-plate')).toBeCloseTo(400 / 60, 9);
    expect([r.lo, r.hi]).toEqual([0, 150]);
    expect(rowAt(r.rows, 5)?.t).toBe(4);
    expect(rowAt(r.rows, 0)?.t).toBe(2);
  });

  it('keeps to the window and lets net go below zero', () => {
    const specs = new Map<string, LineSpec>([['iron-plate', { item: 'iron-plate', mode: 'net', branch: 0 }]]);
    const all = chartRows(session(), specs, null, 0, 10, 1000);
    expect([all.lo, all.hi]).toEqual([-50, 100]);
    const late = chartRows(session(), specs, null, 3, 10, 1000);
    expect(late.rows.map((x) => x.t)).toEqual([4, 6]);
    expect(late.totals.get('iron-plate')).toBeCloseTo((70 * 2) / 60, 9);
    expect(late.lo).toBe(0);
  });
});
