// Loading an earlier save, on disk: the abandoned future becomes an earlier line of play of its
// own, the session goes on with what is really played, and only exact repeats are skipped.
import { describe, expect, it } from 'vitest';
import type { SessionInit, Stats } from '../../shared/events';
import type { HistoryStore } from './store';
import { useStores } from './stores.fixture';

const open = useStores('cr-history-rewind-');

const ITEMS = ['gear', 'plate', 'ore'];

/** A line at cycle k (tick 120 k) of play `run`: the rates say which play and which cycle wrote them. */
function line(session: string, k: number, run: number): Stats {
  const p: Record<string, number> = { gear: run * 1000 + k + 0.25 };
  if ((k + run) % 3) p.plate = run + k / 8;
  return {
    type: 'stats',
    session_id: session,
    cycle: k,
    tick: k * 120,
    products_production: p,
    materials_consumption: { ore: run * 10 + k / 4 },
  };
}

/** Through the cache listener, as the app feeds the store. */
const init = (s: HistoryStore, ev: SessionInit) => s.add({ seq: 0, receivedAt: 0, line: '', event: ev });

function loaded(session: string, k: number): SessionInit {
  return { type: 'session_init', session_id: session, tick: k * 120, level_name: 'nauvis', resumed: true, cycle: k };
}

/** A session's raw timeline from disk: one "tick:gear,plate,ore" per line, in tick order. */
function timeline(s: HistoryStore, session: string): string[] {
  const a = s.query({ session, items: ITEMS, maxPoints: 20_000 });
  expect(a.resolution).toBe('raw');
  return a.t.map((t, j) => `${Math.round(t * 60)}:${a.series.map((x) => `${x.p[j]}/${x.c[j]}`).join(',')}`);
}

const asRow = (l: Stats) =>
  `${l.tick}:${ITEMS.map((i) => `${l.products_production[i] ?? 0}/${l.materials_consumption[i] ?? 0}`).join(',')}`;

describe('HistoryStore after a load of an earlier save', () => {
  it('keeps both lines of play: every line written is in exactly one of them', () => {
    const s = open();
    const written: Stats[] = [];
    // Another game's lines in between are not touched by either load.
    const other: Stats[] = [];
    const feed = (l: Stats) => {
      written.push(l);
      s.addStats(l);
      other.push(line('other', other.length + 1, 7));
      s.addStats(other.at(-1)!);
    };
    s.add({
      seq: 1,
      receivedAt: 0,
      line: '',
      event: { type: 'session_init', session_id: 'save', tick: 0, level_name: 'nauvis' },
    });
    for (let k = 1; k <= 40; k++) feed(line('save', k, 1));
    // The player loads the autosave of cycle 25: the game says so, then plays on from there.
    init(s, loaded('save', 25));
    for (let k = 26; k <= 50; k++) feed(line('save', k, 2));
    // Another load, seen only by a stats line going back with other content (no session_init).
    for (let k = 45; k <= 60; k++) feed(line('save', k, 3));

    const now = timeline(s, 'save');
    const first = timeline(s, 'save (before load 1)');
    const second = timeline(s, 'save (before load 2)');
    // What the game now has: run 1 to 25, run 2 to 44, run 3 from 45.
    expect(now).toEqual(
      [
        ...written.filter((l) => l.cycle <= 25 && l.products_production.gear < 2000),
        ...written.filter((l) => l.products_production.gear >= 2000 && l.cycle < 45),
        ...written.filter((l) => l.products_production.gear >= 3000),
      ].map(asRow),
    );
    expect(first).toEqual(written.filter((l) => l.products_production.gear < 2000 && l.cycle > 25).map(asRow));
    expect(second).toEqual(
      written
        .filter((l) => l.products_production.gear >= 2000 && l.products_production.gear < 3000 && l.cycle >= 45)
        .map(asRow),
    );
    // Line by line: every line written is in exactly one timeline, and nothing else is.
    const all = [...now, ...first, ...second];
    expect(all.sort()).toEqual(written.map(asRow).sort());
    expect(s.skipped).toBe(0);
    expect(timeline(s, 'other')).toEqual(other.map(asRow));

    const list = s.sessionList();
    // Earlier lines of play come just before their session, so the newest listed is the one being played.
    expect(list.map((x) => [x.id, x.parent, x.rewoundAt, x.first, x.last])).toEqual([
      ['save (before load 1)', 'save', 50, 52, 80],
      ['save (before load 2)', 'save', 90, 90, 100],
      ['save', undefined, undefined, 2, 120],
      ['other', undefined, undefined, 2, 162],
    ]);
    expect(list[0].level).toBe('nauvis');
  });

  it('stores a line delivered again only once, before and after a load', () => {
    const s = open();
    for (let k = 1; k <= 10; k++) s.addStats(line('r', k, 1));
    s.addStats(line('r', 10, 1));
    s.addStats(line('r', 9, 1));
    init(s, loaded('r', 5));
    init(s, loaded('r', 5));
    for (let k = 6; k <= 8; k++) s.addStats(line('r', k, 2));
    s.flush();
    s.addStats(line('r', 7, 2));
    s.addStats(line('r', 8, 2));
    expect(s.skipped).toBe(4);
    expect(timeline(s, 'r')).toEqual(
      [...[1, 2, 3, 4, 5].map((k) => line('r', k, 1)), ...[6, 7, 8].map((k) => line('r', k, 2))].map(asRow),
    );
    expect(timeline(s, 'r (before load 1)')).toEqual([6, 7, 8, 9, 10].map((k) => asRow(line('r', k, 1))));
    expect(s.sessionList()).toHaveLength(2);
  });

  it('a rewind, then a close and reopen, then lines read again and new ones', () => {
    const a = open();
    const path = a.status().path;
    for (let k = 1; k <= 30; k++) a.addStats(line('c', k, 1));
    init(a, loaded('c', 20));
    for (let k = 21; k <= 24; k++) a.addStats(line('c', k, 2));
    a.close();

    const b = open(path);
    // The pipe reads the last second again after a crash: the old future's last line, the load, the new lines.
    b.addStats(line('c', 30, 1));
    init(b, loaded('c', 20));
    for (let k = 21; k <= 24; k++) b.addStats(line('c', k, 2));
    expect(b.skipped).toBe(5);
    for (let k = 25; k <= 28; k++) b.addStats(line('c', k, 2));
    // And a second load after the reopen, numbered on from the first.
    init(b, loaded('c', 26));
    b.addStats(line('c', 27, 3));
    expect(timeline(b, 'c')).toEqual(
      [
        ...Array.from({ length: 20 }, (_, i) => line('c', i + 1, 1)),
        ...[21, 22, 23, 24, 25, 26].map((k) => line('c', k, 2)),
        line('c', 27, 3),
      ].map(asRow),
    );
    expect(timeline(b, 'c (before load 1)')).toEqual(Array.from({ length: 10 }, (_, i) => asRow(line('c', i + 21, 1))));
    expect(timeline(b, 'c (before load 2)')).toEqual([27, 28].map((k) => asRow(line('c', k, 2))));
    expect(b.sessionList().map((x) => x.id)).toEqual(['c (before load 1)', 'c (before load 2)', 'c']);
  });

  it('lines read again after a reopen from before a load, at ticks the new play has passed, are not taken for another load', () => {
    const a = open();
    const path = a.status().path;
    for (let k = 1; k <= 30; k++) a.addStats(line('e', k, 1));
    init(a, loaded('e', 20));
    for (let k = 21; k <= 35; k++) a.addStats(line('e', k, 2));
    a.close();

    const b = open(path);
    for (let k = 28; k <= 30; k++) b.addStats(line('e', k, 1));
    init(b, loaded('e', 20));
    for (let k = 21; k <= 35; k++) b.addStats(line('e', k, 2));
    expect(b.skipped).toBe(18);
    for (let k = 36; k <= 37; k++) b.addStats(line('e', k, 2));
    expect(timeline(b, 'e')).toEqual(
      [
        ...Array.from({ length: 20 }, (_, i) => line('e', i + 1, 1)),
        ...Array.from({ length: 17 }, (_, i) => line('e', i + 21, 2)),
      ].map(asRow),
    );
    expect(timeline(b, 'e (before load 1)')).toEqual(Array.from({ length: 10 }, (_, i) => asRow(line('e', i + 21, 1))));
    expect(b.sessionList().map((x) => x.id)).toEqual(['e (before load 1)', 'e']);
  });

  /** The hour means of gear and plate (absent = 0) over lines, by hour bucket. */
  const hourly = (lines: Stats[]) => {
    const by = new Map<number, Stats[]>();
    for (const l of lines) by.set(Math.floor(l.tick / 216_000), [...(by.get(Math.floor(l.tick / 216_000)) ?? []), l]);
    return [...by.values()].map((ls) =>
      ['gear', 'plate'].map((i) => ls.reduce((a, l) => a + (l.products_production[i] ?? 0), 0) / ls.length),
    );
  };
  const hourAnswer = (s: HistoryStore, session: string) => {
    const a = s.query({ session, items: ['gear', 'plate'], maxPoints: 10 });
    expect(a.resolution).toBe('hour');
    return { means: a.t.map((_, j) => a.series.map((x) => x.p[j])), a };
  };

  it('the 1000 h window reads roll-ups that follow the rewind, the straddling hour rebuilt from raw samples', () => {
    const s = open();
    const run1 = Array.from({ length: 5400 }, (_, i) => line('h', i + 1, 1));
    const run2 = Array.from({ length: 500 }, (_, i) => line('h', i + 4000, 2));
    for (const l of run1) s.addStats(l);
    s.flush();
    // Back to cycle 4000 (2.22 h, inside the third hour and inside a minute), seen by the stats line.
    for (const l of run2) s.addStats(l);
    const now = [...run1.filter((l) => l.cycle < 4000), ...run2];
    const gone = run1.filter((l) => l.cycle >= 4000);
    const live = hourAnswer(s, 'h');
    const old = hourAnswer(s, 'h (before load 1)');
    expect(live.means).toHaveLength(3);
    live.means.forEach((m, j) => m.forEach((v, i) => expect(v).toBeCloseTo(hourly(now)[j][i], 9)));
    expect(old.means).toHaveLength(2);
    old.means.forEach((m, j) => m.forEach((v, i) => expect(v).toBeCloseTo(hourly(gone)[j][i], 9)));
    // Exact ranges: the straddling hour was rebuilt from the raw samples on both sides.
    const third = now.filter((l) => l.tick >= 432_000).map((l) => l.products_production.gear);
    expect([live.a.series[0].pMin[2], live.a.series[0].pMax[2]]).toEqual([Math.min(...third), Math.max(...third)]);
    const lostThird = gone.filter((l) => l.tick < 648_000).map((l) => l.products_production.gear);
    expect([old.a.series[0].pMin[0], old.a.series[0].pMax[0]]).toEqual([
      Math.min(...lostThird),
      Math.max(...lostThird),
    ]);
    // Minute roll-ups on each side follow the same lines (the straddling minute rebuilt too).
    for (const [session, ls] of [
      ['h', now],
      ['h (before load 1)', gone],
    ] as const) {
      const m = s.query({ session, items: ['gear'], from: 0, to: 4 * 3600, maxPoints: 1000 });
      expect(m.resolution).toBe('minute');
      const by = new Map<number, number[]>();
      for (const l of ls)
        by.set(Math.floor(l.tick / 3600), [...(by.get(Math.floor(l.tick / 3600)) ?? []), l.products_production.gear]);
      const want = [...by.values()].map((v) => v.reduce((x, y) => x + y, 0) / v.length);
      expect(m.series[0].p).toHaveLength(want.length);
      m.series[0].p.forEach((v, j) => expect(v).toBeCloseTo(want[j], 9));
    }
  });

  it('when raw samples no longer cover the straddling hour, the archived part is subtracted from it', () => {
    const s = open(undefined, { rawHours: 0.5 });
    const run1 = Array.from({ length: 5400 }, (_, i) => line('q', i + 1, 1));
    for (const l of run1) s.addStats(l);
    s.flush();
    s.prune();
    // Raw samples now start at 2.5 h; the load goes back to 2.67 h (the third hour began at 2 h).
    init(s, loaded('q', 4800));
    const run2 = Array.from({ length: 200 }, (_, i) => line('q', i + 4801, 2));
    for (const l of run2) s.addStats(l);
    const now = [...run1.filter((l) => l.cycle <= 4800), ...run2];
    const gone = run1.filter((l) => l.cycle > 4800);
    const live = hourAnswer(s, 'q');
    const old = hourAnswer(s, 'q (before load 1)');
    live.means.forEach((m, j) => m.forEach((v, i) => expect(v).toBeCloseTo(hourly(now)[j][i], 6)));
    // The third hour's later part and the line at 3 h exactly.
    expect(old.means).toHaveLength(2);
    old.means.forEach((m, j) => m.forEach((v, i) => expect(v).toBeCloseTo(hourly(gone)[j][i], 9)));
    // The kept part's range cannot be narrowed without its samples: it is at least the true one.
    const third = now.filter((l) => l.tick >= 432_000).map((l) => l.products_production.gear);
    expect(live.a.series[0].pMin[2]).toBeLessThanOrEqual(Math.min(...third));
    expect(live.a.series[0].pMax[2]).toBeGreaterThanOrEqual(Math.max(...third));
    expect(timeline(s, 'q (before load 1)')).toEqual(gone.map(asRow));
  });
});
