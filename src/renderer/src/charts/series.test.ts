import { describe, expect, it } from 'vitest';
import type { PipeEvent } from '../../../shared/events';
import {
  ARCHIVE_BUCKET_SECONDS,
  downsample,
  FULL_RES_SECONDS,
  MAX_EARLIER_BRANCHES,
  MAX_SESSIONS,
  REWIND_LABEL,
  SeriesStore,
  type Point,
} from './series';
import { initEvent as init, resumedEvent as resumed, statsEvent as stats } from './events.fixture';

describe('SeriesStore', () => {
  it('keys samples by game time and computes production, consumption and net', () => {
    const st = new SeriesStore();
    st.ingest([
      init('a'),
      stats('a', 1, { 'iron-plate': 100 }, { 'iron-plate': 30 }),
      stats('a', 2, { 'iron-plate': 120.5 }, { 'iron-plate': 20 }),
    ]);
    const s = st.sessions.get('a')!;
    expect(s.points('iron-plate', 'production', 0).map((p) => [p.t, p.v])).toEqual([
      [2, 100],
      [4, 120.5],
    ]);
    expect(s.points('iron-plate', 'consumption', 0).map((p) => p.v)).toEqual([30, 20]);
    expect(s.points('iron-plate', 'net', 0).map((p) => p.v)).toEqual([70, 100.5]);
    expect(s.latest('iron-plate', 'net')).toBe(100.5);
    expect(s.level).toBe('open_world');
    expect(s.markers).toEqual([{ t: 0, label: 'session start' }]);
  });

  it('charts items named like Object members (__proto__ included) like any other, from events as the page receives them', () => {
    const names = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];
    // The page gets events through JSON (WebSocket) or structured clone: ordinary objects.
    const fromWire = (cycle: number, prod: string, cons: string): PipeEvent =>
      JSON.parse(
        `{"seq":${cycle},"receivedAt":${cycle * 2000},"line":"","event":{"type":"stats","session_id":"a","cycle":${cycle},"tick":${cycle * 120},"products_production":${prod},"materials_consumption":${cons}}}`,
      ) as PipeEvent;
    const st = new SeriesStore();
    st.ingest([
      fromWire(1, `{${names.map((n, i) => `"${n}":${i + 1}`).join(',')}}`, '{"coal":1}'),
      // Absent in this line: 0, never the inherited member.
      fromWire(2, '{"coal":2}', '{"constructor":4}'),
    ]);
    const s = st.sessions.get('a')!;
    expect(s.items()).toEqual([...names, 'coal']);
    for (const [i, n] of names.entries()) {
      expect(s.points(n, 'production', 0).map((p) => p.v)).toEqual([i + 1, 0]);
      expect(s.latest(n, 'production')).toBe(0);
    }
    expect(s.points('constructor', 'consumption', 0).map((p) => p.v)).toEqual([0, 4]);
    expect(s.latest('constructor', 'net')).toBe(-4);
    expect(s.topItems('consumption', 1)).toEqual(['constructor']);
    const rows = downsample(
      names.map((key) => ({ key, points: s.points(key, 'production', 0) })),
      0,
      10,
      400,
    );
    expect(rows.map((r) => r.__proto__)).toEqual([3, 0]);
    expect(rows.map((r) => r.constructor)).toEqual([1, 0]);
    // A row only holds the series given to it.
    const coalOnly = downsample([{ key: 'coal', points: s.points('coal', 'production', 0) }], 0, 10, 400);
    expect(coalOnly.map((r) => r.constructor)).toEqual([undefined, undefined]);
  });

  it('treats an item missing from a line as 0, before and after it appears', () => {
    const st = new SeriesStore();
    st.ingest([stats('a', 1, { coal: 5 }), stats('a', 2, { coal: 6, stone: 9 }), stats('a', 3, { coal: 7 })]);
    const s = st.sessions.get('a')!;
    expect(s.points('stone', 'production', 0).map((p) => p.v)).toEqual([0, 9, 0]);
    expect(s.points('coal', 'consumption', 0).map((p) => p.v)).toEqual([0, 0, 0]);
  });

  it('skips a stats line that repeats the last cycle, and counts it', () => {
    const st = new SeriesStore();
    st.ingest([
      stats('a', 1, { coal: 1 }),
      stats('a', 2, { coal: 2 }),
      stats('a', 2, { coal: 99 }),
      stats('a', 2, { coal: 98 }),
    ]);
    const s = st.sessions.get('a')!;
    expect(s.points('coal', 'production', 0).map((p) => p.v)).toEqual([1, 2]);
    expect(s.skipped).toBe(2);
    expect(s.earlier).toHaveLength(0);
  });

  it('a resumed session_init below the last cycle seen starts a new branch marked "loaded an earlier save"; no line is dropped', () => {
    const st = new SeriesStore();
    const lines = [init('a')];
    for (let c = 1; c <= 10; c++) lines.push(stats('a', c, { coal: c }));
    // The player loads the autosave of cycle 4 (tick 480), then plays on from there.
    lines.push(resumed('a', 4, 480));
    for (let c = 5; c <= 7; c++) lines.push(stats('a', c, { coal: 100 + c }));
    st.ingest(lines);
    const s = st.sessions.get('a')!;
    expect(s.markers).toEqual([
      { t: 0, label: 'session start' },
      { t: 8, label: REWIND_LABEL },
    ]);
    expect(s.skipped).toBe(0);
    // The line before the rewind, whole, as an earlier branch; the new one from the rewind on.
    expect(s.earlier).toHaveLength(1);
    expect(s.earlier[0].rewoundTo).toBe(8);
    expect(s.earlier[0].branch.points('coal', 'production', 0).map((p) => [p.t, p.v])).toEqual(
      Array.from({ length: 10 }, (_, i) => [2 * (i + 1), i + 1]),
    );
    expect(s.points('coal', 'production', 0).map((p) => [p.t, p.v])).toEqual([
      [10, 105],
      [12, 106],
      [14, 107],
    ]);
    expect(s.latest('coal', 'production')).toBe(107);
    // The line before the load stays in view (to t = 20) until the new one passes it.
    expect(s.span()).toEqual([0, 20]);
  });

  it('a stats line whose tick goes back starts a new branch too (a game that wrote no resumed line)', () => {
    const st = new SeriesStore();
    st.ingest([
      stats('a', 1, { coal: 1 }),
      stats('a', 2, { coal: 2 }),
      stats('a', 3, { coal: 3 }),
      stats('a', 2, { coal: 20 }),
      stats('a', 3, { coal: 30 }),
    ]);
    const s = st.sessions.get('a')!;
    expect(s.markers).toEqual([{ t: 4, label: REWIND_LABEL }]);
    expect(s.earlier[0].branch.points('coal', 'production', 0).map((p) => p.v)).toEqual([1, 2, 3]);
    expect(s.points('coal', 'production', 0).map((p) => p.v)).toEqual([20, 30]);
    expect(s.skipped).toBe(0);
  });

  it('a resumed session_init at the last cycle (a restart from the newest save) continues the same branch', () => {
    const st = new SeriesStore();
    st.ingest([
      init('a'),
      stats('a', 1, { coal: 1 }),
      stats('a', 2, { coal: 2 }),
      resumed('a', 2, 240),
      stats('a', 3, { coal: 3 }),
    ]);
    const s = st.sessions.get('a')!;
    expect(s.markers.map((m) => m.label)).toEqual(['session start', 'game loaded']);
    expect(s.earlier).toHaveLength(0);
    expect(s.points('coal', 'production', 0).map((p) => p.v)).toEqual([1, 2, 3]);
  });

  it(`keeps at most ${MAX_EARLIER_BRANCHES} earlier branches per session, and counts those dropped`, () => {
    const st = new SeriesStore();
    const lines = [stats('a', 1, { coal: 1 }), stats('a', 2, { coal: 2 })];
    for (let k = 0; k < MAX_EARLIER_BRANCHES + 2; k++)
      lines.push(stats('a', 1, { coal: 1 }), stats('a', 2, { coal: 2 }));
    st.ingest(lines);
    const s = st.sessions.get('a')!;
    expect(s.rewinds).toBe(MAX_EARLIER_BRANCHES + 2);
    expect(s.earlier).toHaveLength(MAX_EARLIER_BRANCHES);
    expect(s.droppedBranches).toBe(2);
    expect(s.earlier.map((e) => e.n)).toEqual(Array.from({ length: MAX_EARLIER_BRANCHES }, (_, i) => i + 3));
  });

  it('starts a new series per session, marks reloads, and keeps at most MAX_SESSIONS', () => {
    const st = new SeriesStore();
    st.ingest([init('a'), stats('a', 1, { coal: 1 }), init('b'), stats('b', 1, { coal: 50 }), init('a', 240)]);
    expect(st.sessions.get('b')!.latest('coal', 'production')).toBe(50);
    expect(st.sessions.get('a')!.markers.map((m) => m.label)).toEqual(['session start', 'game loaded']);
    for (let i = 0; i < MAX_SESSIONS + 3; i++) st.ingest([init(`s${i}`)]);
    expect(st.sessions.size).toBe(MAX_SESSIONS);
    expect(st.dropped).toBe(5);
    expect(st.latestSessionId()).toBe(`s${MAX_SESSIONS + 2}`);
  });

  it('bounds memory: full resolution for 2 h of game time, then buckets that keep min, max and mean', () => {
    const st = new SeriesStore();
    const cycles = (FULL_RES_SECONDS / 2) * 3; // 6 h of game time at one line per 120 ticks
    const batch: PipeEvent[] = [];
    for (let c = 1; c <= cycles; c++) batch.push(stats('a', c, { gear: c === 100 ? 5000 : c % 2 ? 10 : 20 }));
    st.ingest(batch);
    const s = st.sessions.get('a')!;
    expect(s.samples).toBeLessThanOrEqual(FULL_RES_SECONDS / 2 + 1);
    expect(s.archivedBuckets).toBeGreaterThan(0);
    expect(s.archivedBuckets).toBeLessThanOrEqual(
      Math.ceil((cycles * 2 - FULL_RES_SECONDS) / ARCHIVE_BUCKET_SECONDS) + 1,
    );
    const pts = s.points('gear', 'production', 0);
    // The spike at cycle 100 (t = 200 s) survives inside its bucket's range; means are in between.
    expect(Math.max(...pts.map((p) => p.hi))).toBe(5000);
    const firstBucket = pts[0];
    expect(firstBucket.lo).toBe(10);
    expect(firstBucket.v).toBeGreaterThan(10);
    expect(s.span()![1]).toBe(cycles * 2);
  });

  it('typical gap between stats lines drives staleness', () => {
    const st = new SeriesStore();
    st.ingest([
      stats('a', 1, {}, {}, 1000),
      stats('a', 2, {}, {}, 1500),
      stats('a', 3, {}, {}, 2000),
      stats('a', 4, {}, {}, 2600),
    ]);
    expect(st.sessions.get('a')!.typicalGapMs()).toBe(500);
  });

  it('ranks items by their current rate (magnitude for net)', () => {
    const st = new SeriesStore();
    st.ingest([stats('a', 1, { a: 1, b: 50, c: 10 }, { a: 100 })]);
    const s = st.sessions.get('a')!;
    expect(s.topItems('production', 2)).toEqual(['b', 'c']);
    expect(s.topItems('net', 1)).toEqual(['a']);
  });
});

describe('downsample', () => {
  const pts = (vals: number[], dt = 1): Point[] => vals.map((v, i) => ({ t: i * dt, v, lo: v, hi: v }));

  it('returns every point unchanged when they fit', () => {
    const rows = downsample([{ key: 'x', points: pts([1, 2, 3]) }], 0, 2, 100);
    expect(rows).toEqual([
      { t: 0, x: 1 },
      { t: 1, x: 2 },
      { t: 2, x: 3 },
    ]);
  });

  it('reduces to about one row per pixel and keeps every extreme of every series', () => {
    const n = 100_000;
    const a = Array.from({ length: n }, (_, i) => Math.sin(i / 500) * 10);
    const b = Array.from({ length: n }, () => 5);
    a[12_345] = 999; // a one-sample spike
    b[77_777] = -42; // a one-sample dip in another series
    const rows = downsample(
      [
        { key: 'a', points: pts(a) },
        { key: 'b', points: pts(b) },
      ],
      0,
      n - 1,
      400,
    );
    expect(rows.length).toBeLessThanOrEqual(400);
    expect(Math.max(...rows.map((r) => r.a))).toBe(999);
    expect(Math.min(...rows.map((r) => r.b))).toBe(-42);
    expect(Math.min(...rows.map((r) => r.a))).toBeCloseTo(-10, 3);
    expect(rows.every((r, i) => i === 0 || r.t >= rows[i - 1].t)).toBe(true);
  });

  it('uses the range of archived buckets, not only their mean', () => {
    const points: Point[] = [{ t: 0, v: 10, lo: 1, hi: 90 }, ...pts([10, 10, 10]).map((p) => ({ ...p, t: p.t + 1 }))];
    const rows = downsample([{ key: 'x', points }], 0, 3, 2);
    expect(rows.map((r) => r.x)).toEqual(expect.arrayContaining([1, 90]));
  });
});
