import { describe, expect, it } from 'vitest';
import type { Stats } from '../../shared/events';
import { useStores } from './stores.fixture';

const open = useStores('cr-history-');

const stats = (session: string, tick: number, p: Record<string, number>, c: Record<string, number> = {}): Stats => ({
  type: 'stats',
  session_id: session,
  cycle: tick / 120,
  tick,
  products_production: p,
  materials_consumption: c,
});

describe('HistoryStore', () => {
  it('answers the exact values written, with 0 where a line lacked the item', () => {
    const s = open();
    s.addStats(stats('a', 120, { 'iron-plate': 12.5, coal: 3 }, { coal: 1.25 }));
    s.addStats(stats('a', 240, { 'iron-plate': 13.75 }));
    const ans = s.query({ session: 'a', items: ['iron-plate', 'coal'] });
    expect(ans.resolution).toBe('raw');
    expect(ans.t).toEqual([2, 4]);
    expect(ans.series[0]).toMatchObject({ item: 'iron-plate', p: [12.5, 13.75], c: [0, 0] });
    expect(ans.series[1]).toMatchObject({ item: 'coal', p: [3, 0], c: [1.25, 0] });
    expect(s.sessionList()).toEqual([{ id: 'a', level: null, first: 2, last: 4, items: ['coal', 'iron-plate'] }]);
  });

  it('keeps everything across a close and reopen, and skips a line it already has', () => {
    const first = open();
    const path = first.status().path;
    first.add({
      seq: 1,
      receivedAt: 0,
      line: '',
      event: { type: 'session_init', session_id: 'save-1', tick: 0, level_name: 'nauvis' },
    });
    for (let i = 1; i <= 30; i++) first.addStats(stats('save-1', i * 120, { gear: i }));
    first.close();
    const again = open(path);
    // The pipe reads the last line again after a crash: kept once (another content there is a load, rewind.test.ts).
    again.addStats(stats('save-1', 30 * 120, { gear: 30 }));
    again.addStats(stats('save-1', 31 * 120, { gear: 31 }));
    expect(again.skipped).toBe(1);
    const ans = again.query({ session: 'save-1', items: ['gear'] });
    expect(ans.series[0].p).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    expect(again.sessionList()[0].level).toBe('nauvis');
  });

  it('folds lines into minute and hour roll-ups with mean, min and max, and long windows read them', () => {
    const s = open();
    // Two hours at one line per 2 s of game time; "gear" only in even lines (0 in the others).
    for (let i = 0; i < 3600; i++)
      s.addStats(stats('b', i * 120, { plate: i % 2 ? 10 : 30, ...(i % 2 ? {} : { gear: 4 }) }, { plate: 1 }));
    const hour = s.query({ session: 'b', items: ['plate', 'gear'], maxPoints: 10 });
    expect(hour.resolution).toBe('hour');
    expect(hour.t).toHaveLength(2);
    expect(hour.series[0].p).toEqual([20, 20]);
    expect(hour.series[0].pMin).toEqual([10, 10]);
    expect(hour.series[0].pMax).toEqual([30, 30]);
    expect(hour.series[0].c).toEqual([1, 1]);
    expect(hour.series[1].p).toEqual([2, 2]);
    expect(hour.series[1].pMin).toEqual([0, 0]);
    const minute = s.query({ session: 'b', items: ['plate'], from: 0, to: 3600, maxPoints: 100 });
    expect(minute.resolution).toBe('minute');
    expect(minute.t).toHaveLength(61);
    expect(minute.series[0].p.slice(0, 60).every((v) => v === 20)).toBe(true);
    const raw = s.query({ session: 'b', items: ['plate'], from: 0, to: 100 });
    expect(raw.resolution).toBe('raw');
    expect(raw.series[0].p.slice(0, 4)).toEqual([30, 10, 30, 10]);
  });

  it('drops raw samples past their retention but keeps the roll-ups', () => {
    const s = open(undefined, { rawHours: 1 });
    for (let i = 0; i < 3 * 1800; i++) s.addStats(stats('c', i * 120, { plate: 5 }));
    s.flush();
    s.prune();
    const ans = s.query({ session: 'c', items: ['plate'], maxPoints: 20_000 });
    // Raw no longer covers the start, so the answer comes from minutes, from the session's start.
    expect(ans.resolution).toBe('minute');
    expect(ans.first).toBe(0);
    expect(ans.series[0].p.every((v) => v === 5)).toBe(true);
    const recent = s.query({ session: 'c', items: ['plate'], from: 2.5 * 3600 });
    expect(recent.resolution).toBe('raw');
  });

  it('stays under its size bound by dropping the oldest data first', () => {
    const s = open(undefined, { maxBytes: 1024 * 1024 });
    const items = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`item-${i}`, i + 0.5]));
    for (let i = 0; i < 3000; i++) s.addStats(stats('d', i * 120, items, items));
    s.flush();
    s.prune();
    expect(s.status().bytes).toBeLessThanOrEqual(1024 * 1024);
    const ans = s.query({ session: 'd', items: ['item-3'], from: 2999 * 2 });
    expect(ans.series[0].p.at(-1)).toBe(3.5);
  });

  it('an unknown session answers empty series, not an error', () => {
    const s = open();
    expect(s.query({ session: 'nope', items: ['x'] })).toMatchObject({
      t: [],
      series: [{ item: 'x', p: [] }],
      first: null,
    });
  });
});
