import { describe, expect, it } from 'vitest';
import { statsEvent } from './events.fixture';
import { FULL_RES_SECONDS } from './branch';
import { liveRows, type LiveRows } from './live-rows';
import { SeriesStore } from './series';

const stats = (cycle: number, prod: Record<string, number>, cons: Record<string, number>) =>
  statsEvent('s', cycle, prod, cons);

const LINES = [
  { key: 'iron-plate', item: 'iron-plate', mode: 'production' as const },
  { key: 'coal', item: 'coal', mode: 'net' as const },
  { key: 'coal (consumed)', item: 'coal', mode: 'consumption' as const },
];
/** Path points in game time (each build lays paths out from its own origin). */
const absolute = (d: string, origin: number) =>
  [...d.matchAll(/[ML]([^,]+),([^ML]+)/g)].map((m) => [Math.round((Number(m[1]) + origin) * 100) / 100, Number(m[2])]);
const view = (l: LiveRows) => ({
  rows: l.win.rows.map((r) => ({ ...r })),
  paths: [...l.win.paths()].map(([k, d]) => [k, absolute(d, l.win.origin)]),
  range: l.win.range(),
  totals: [...l.win.totals()],
});

describe('liveRows', () => {
  it('follows a session line by line, past the full-resolution span, as a rebuild at each line would draw it', () => {
    const store = new SeriesStore();
    const window = 3600;
    const width = 600;
    let live: LiveRows | null = null;
    let rebuilt = 0;
    // 2 s per line: 1.2 x the full-resolution span, so old samples fold into the archive meanwhile.
    const n = Math.round((FULL_RES_SECONDS * 1.2) / 2);
    for (let cycle = 1; cycle <= n; cycle++) {
      const wave = Math.round(Math.sin(cycle / 40) * 1000) / 10;
      store.ingest([
        stats(cycle, { 'iron-plate': 100 + wave, coal: cycle % 97 === 0 ? 5000 : 60 }, { coal: 30 - wave / 10 }),
      ]);
      const s = store.sessions.get('s')!;
      const last = s.span()![1];
      const from = Math.max(s.span()![0], last - window);
      const next = liveRows(live, 'same', s.branch, LINES, window, from, width);
      if (next !== live) rebuilt++;
      live = next;
      // Checked against a fresh build now and then (every line would take minutes).
      if (cycle % 211 === 0 || cycle === n)
        expect(view(live)).toEqual(view(liveRows(null, 'same', s.branch, LINES, window, from, width)));
    }
    // Built once while every sample fits, once more when they stop fitting, then only appended to.
    expect(rebuilt).toBe(2);
    expect(live!.win.width).toBeGreaterThan(0);
    // The spikes in the window are kept.
    expect(Math.max(...live!.win.rows.map((r) => r.coal))).toBeGreaterThan(4900);
  });

  it('builds anew for other lines, mode or width', () => {
    const store = new SeriesStore();
    for (let cycle = 1; cycle <= 10; cycle++) store.ingest([stats(cycle, { 'iron-plate': cycle }, {})]);
    const s = store.sessions.get('s')!;
    const a = liveRows(null, 'a', s.branch, LINES, 60, 0, 600);
    expect(liveRows(a, 'a', s.branch, LINES, 60, 0, 600)).toBe(a);
    expect(liveRows(a, 'b', s.branch, LINES.slice(0, 1), 60, 0, 600)).not.toBe(a);
  });
});
