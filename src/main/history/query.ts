// Reads a window of one session's history at the finest resolution that fits: raw samples when
// they cover the window and number at most maxPoints, else minute roll-ups, else hour roll-ups
// (neighbouring hours merged when even those are too many). An item absent from a line is 0 there.
import type { HistoryAnswer, HistoryQuery, HistoryResolution, HistorySeries } from '../../shared/history';
import { LEVELS, RAW_STRIDE, ROLL_STRIDE, scalar, type Db } from './schema';

const DEFAULT_MAX_POINTS = 2000;

function emptySeries(item: string): HistorySeries {
  return { item, p: [], c: [], pMin: [], pMax: [], cMin: [], cMax: [] };
}

export function queryHistory(
  db: Db,
  q: HistoryQuery,
  sid: number | null,
  itemIds: ReadonlyMap<string, number>,
): HistoryAnswer {
  const none = (): HistoryAnswer => ({
    session: q.session,
    resolution: 'raw',
    t: [],
    series: (q.items ?? []).map(emptySeries),
    first: null,
    last: null,
  });
  if (sid === null) return none();
  const row = db.prepare('SELECT first_tick, last_tick FROM sessions WHERE id = ?').raw().get(sid) as
    [number | null, number | null] | undefined;
  if (!row || row[0] === null || row[1] === null) return none();
  const [firstTick, lastTick] = row;
  const oldest = (sql: string) => (db.prepare(sql).raw().get(sid) as [number | null] | undefined)?.[0] ?? null;
  const rawFirst = oldest('SELECT min(tick) FROM raw WHERE session = ?');
  const minuteFirst = oldest('SELECT min(bucket) FROM roll WHERE level = 1 AND session = ?');
  const fromTick = q.from === undefined ? firstTick : Math.round(q.from * 60);
  const toTick = q.to === undefined ? lastTick : Math.round(q.to * 60);
  const maxPoints = q.maxPoints ?? DEFAULT_MAX_POINTS;
  const names =
    q.items ??
    (
      db
        .prepare('SELECT i.name FROM session_items si JOIN items i ON i.id = si.item WHERE si.session = ?')
        .raw()
        .all(sid) as [string][]
    )
      .map((r) => r[0])
      .sort();
  const start = Math.max(fromTick, firstTick);
  const base = { session: q.session, first: firstTick / 60, last: lastTick / 60 };
  // Each item's index in the answer, by its interned id.
  const slot = new Map<number, number>();
  names.forEach((n, i) => {
    const id = itemIds.get(n);
    if (id !== undefined) slot.set(id, i);
  });

  if (rawFirst !== null && rawFirst <= start) {
    const count = scalar(
      db,
      'SELECT count(*) FROM raw WHERE session = ? AND tick BETWEEN ? AND ?',
      sid,
      fromTick,
      toTick,
    );
    if (count <= maxPoints) return { ...base, resolution: 'raw', ...readRaw(db, sid, fromTick, toTick, names, slot) };
  }
  const level: HistoryResolution =
    minuteFirst !== null &&
    minuteFirst * LEVELS.minute.ticks <= start &&
    (toTick - fromTick) / LEVELS.minute.ticks <= maxPoints
      ? 'minute'
      : 'hour';
  const lv = LEVELS[level as 'minute' | 'hour'];
  const fb = Math.floor(fromTick / lv.ticks);
  const tb = Math.floor(toTick / lv.ticks);
  const group = Math.max(1, Math.ceil((tb - fb + 1) / maxPoints));
  return { ...base, resolution: level, ...readRoll(db, sid, lv, fb, tb, group, names, slot, [firstTick, lastTick]) };
}

function readRaw(
  db: Db,
  sid: number,
  fromTick: number,
  toTick: number,
  names: string[],
  slot: ReadonlyMap<number, number>,
) {
  const rows = db
    .prepare('SELECT tick, data FROM raw WHERE session = ? AND tick BETWEEN ? AND ? ORDER BY tick')
    .raw()
    .all(sid, fromTick, toTick) as [number, string][];
  const p = names.map(() => new Array<number>(rows.length).fill(0));
  const c = names.map(() => new Array<number>(rows.length).fill(0));
  rows.forEach(([, data], j) => {
    const d = JSON.parse(data) as number[];
    for (let i = 0; i < d.length; i += RAW_STRIDE) {
      const k = slot.get(d[i]);
      if (k === undefined) continue;
      p[k][j] = d[i + 1];
      c[k][j] = d[i + 2];
    }
  });
  // At raw resolution a point's range is the point.
  return {
    t: rows.map((r) => r[0] / 60),
    series: names.map((item, k) => ({ item, p: p[k], c: c[k], pMin: p[k], pMax: p[k], cMin: c[k], cMax: c[k] })),
  };
}

function readRoll(
  db: Db,
  sid: number,
  lv: { id: number; ticks: number },
  fb: number,
  tb: number,
  group: number,
  names: string[],
  slot: ReadonlyMap<number, number>,
  [firstTick, lastTick]: [number, number],
) {
  const rows = db
    .prepare(
      'SELECT bucket, n, data FROM roll WHERE level = ? AND session = ? AND bucket BETWEEN ? AND ? ORDER BY bucket',
    )
    .raw()
    .all(lv.id, sid, fb, tb) as [number, number, string][];
  // One point per group of `group` buckets that has lines.
  const gIndex = new Map<number, number>();
  const n: number[] = [];
  const t: number[] = [];
  for (const [bucket, count] of rows) {
    const g = Math.floor(bucket / group);
    let i = gIndex.get(g);
    if (i === undefined) {
      i = n.length;
      gIndex.set(g, i);
      n.push(0);
      const mid = (g * group * lv.ticks + (group * lv.ticks) / 2) / 60;
      t.push(Math.min(Math.max(mid, firstTick / 60), lastTick / 60));
    }
    n[i] += count;
  }
  const len = n.length;
  const fill = (v: number) => names.map(() => new Array<number>(len).fill(v));
  const [k, p, c, pMax, cMax] = [fill(0), fill(0), fill(0), fill(0), fill(0)];
  const [pMin, cMin] = [fill(Infinity), fill(Infinity)];
  const d = new Float64Array(ROLL_STRIDE);
  for (const [bucket, , data] of rows) {
    const j = gIndex.get(Math.floor(bucket / group))!;
    forEachPicked(data, slot, d, (s) => {
      k[s][j] += d[1];
      p[s][j] += d[2];
      pMin[s][j] = Math.min(pMin[s][j], d[3]);
      pMax[s][j] = Math.max(pMax[s][j], d[4]);
      c[s][j] += d[5];
      cMin[s][j] = Math.min(cMin[s][j], d[6]);
      cMax[s][j] = Math.max(cMax[s][j], d[7]);
    });
  }
  const series = names.map((item, s) => {
    for (let j = 0; j < len; j++) {
      p[s][j] /= n[j];
      c[s][j] /= n[j];
      // Lines without the item said 0 for it.
      if (k[s][j] < n[j]) {
        pMin[s][j] = Math.min(pMin[s][j], 0);
        cMin[s][j] = Math.min(cMin[s][j], 0);
      }
    }
    return { item, p: p[s], c: c[s], pMin: pMin[s], pMax: pMax[s], cMin: cMin[s], cMax: cMax[s] };
  });
  return { t, series };
}

/**
 * Calls `each(slot)` for every item of a roll row's JSON array (`[item, k, pSum, …]` per item, see
 * schema.ts) that the query asked for, with that item's ROLL_STRIDE numbers in `out`. Hand-written
 * rather than JSON.parse: a query picks a few items of ~50, and parsing all of them made ~400 numbers
 * per row of garbage (the 1000 h window: ~1,000 rows, p95 60-150 ms at load 3-13, mostly GC).
 * Each number is read with Number() over its own text, which gives the same double as JSON.parse.
 */
export function forEachPicked(
  data: string,
  slot: ReadonlyMap<number, number>,
  out: Float64Array,
  each: (slot: number) => void,
): void {
  const end = data.length - 1; // the closing ']'
  let pos = 1;
  while (pos < end) {
    // The item id: a small non-negative integer, read digit by digit.
    let id = 0;
    let c = data.charCodeAt(pos);
    while (c >= 48 && c <= 57) {
      id = id * 10 + (c - 48);
      c = data.charCodeAt(++pos);
    }
    if (c !== 44 && pos < end) throw new Error(`history row is not an id-led number array at ${pos}`);
    const s = slot.get(id);
    // Past the id's comma.
    pos++;
    if (s === undefined) {
      // Skip the item's other numbers.
      for (let n = 1; n < ROLL_STRIDE && pos > 0; n++) pos = data.indexOf(',', pos) + 1;
      if (pos === 0) return;
      continue;
    }
    out[0] = id;
    for (let n = 1; n < ROLL_STRIDE; n++) {
      let next = data.indexOf(',', pos);
      if (next < 0) next = end;
      const text = data.slice(pos, next);
      // JSON.stringify writes a non-finite number as null, which JSON.parse's callers counted as 0.
      out[n] = text === 'null' ? 0 : Number(text);
      pos = next + 1;
    }
    each(s);
  }
}
