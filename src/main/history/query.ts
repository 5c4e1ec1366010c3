// Reads a window of one session's history at the finest resolution that fits: raw samples when
// they cover the window and number at most maxPoints, else minute roll-ups, else hour roll-ups
// (neighbouring hours merged when even those are too many). An item absent from a line is 0 there.
import type { HistoryAnswer, HistoryQuery, HistoryResolution, HistorySeries } from '../../shared/history';
import { LEVELS, scalar, type Db } from './schema';

const DEFAULT_MAX_POINTS = 2000;

function emptySeries(item: string): HistorySeries {
  return { item, p: [], c: [], pMin: [], pMax: [], cMin: [], cMax: [] };
}

export function queryHistory(db: Db, q: HistoryQuery, sid: number | null, itemIds: ReadonlyMap<string, number>): HistoryAnswer {
  const none = (): HistoryAnswer => ({ session: q.session, resolution: 'raw', t: [], series: (q.items ?? []).map(emptySeries), first: null, last: null });
  if (sid === null) return none();
  const hasRaw = scalar(db, 'SELECT count(*) FROM (SELECT 1 FROM lines WHERE session = ? LIMIT 1)', sid) > 0;
  const rawFirst = hasRaw ? scalar(db, 'SELECT min(tick) FROM lines WHERE session = ?', sid) : null;
  const levelFirst = (level: number) =>
    scalar(db, 'SELECT count(*) FROM (SELECT 1 FROM roll_n WHERE level = ? AND session = ? LIMIT 1)', level, sid) > 0
      ? scalar(db, 'SELECT min(bucket) FROM roll_n WHERE level = ? AND session = ?', level, sid)
      : null;
  const minuteFirst = levelFirst(LEVELS.minute.id);
  const lastTick = scalar(db, 'SELECT coalesce(last_tick, -1) FROM sessions WHERE id = ?', sid);
  if (lastTick < 0) return none();
  const firstTick = scalar(db, 'SELECT first_tick FROM sessions WHERE id = ?', sid);
  const fromTick = q.from === undefined ? firstTick : Math.round(q.from * 60);
  const toTick = q.to === undefined ? lastTick : Math.round(q.to * 60);
  const maxPoints = q.maxPoints ?? DEFAULT_MAX_POINTS;
  const names =
    q.items ??
    (db.prepare('SELECT i.name FROM session_items si JOIN items i ON i.id = si.item WHERE si.session = ?').raw().all(sid) as [string][]).map((r) => r[0]).sort();
  const start = Math.max(fromTick, firstTick);
  const base = { session: q.session, first: firstTick / 60, last: lastTick / 60 };

  const rawCount = hasRaw ? scalar(db, 'SELECT count(*) FROM lines WHERE session = ? AND tick BETWEEN ? AND ?', sid, fromTick, toTick) : 0;
  if (rawFirst !== null && rawFirst <= start && rawCount <= maxPoints) return { ...base, resolution: 'raw', ...readRaw(db, sid, fromTick, toTick, names, itemIds) };
  const minuteSpan = (toTick - fromTick) / LEVELS.minute.ticks;
  const level: HistoryResolution = minuteFirst !== null && minuteFirst * LEVELS.minute.ticks <= start && minuteSpan <= maxPoints ? 'minute' : 'hour';
  const lv = LEVELS[level as 'minute' | 'hour'];
  const fb = Math.floor(fromTick / lv.ticks);
  const tb = Math.floor(toTick / lv.ticks);
  const group = Math.max(1, Math.ceil((tb - fb + 1) / maxPoints));
  return { ...base, resolution: level, ...readRoll(db, sid, lv, fb, tb, group, names, itemIds, [firstTick, lastTick]) };
}

function readRaw(db: Db, sid: number, fromTick: number, toTick: number, names: string[], itemIds: ReadonlyMap<string, number>) {
  const ticks = (db.prepare('SELECT tick FROM lines WHERE session = ? AND tick BETWEEN ? AND ? ORDER BY tick').raw().all(sid, fromTick, toTick) as [number][]).map((r) => r[0]);
  const at = new Map(ticks.map((t, i) => [t, i]));
  const stmt = db.prepare('SELECT tick, p, c FROM raw WHERE session = ? AND item = ? AND tick BETWEEN ? AND ?').raw();
  const series = names.map((item) => {
    const p = new Array<number>(ticks.length).fill(0);
    const c = new Array<number>(ticks.length).fill(0);
    const iid = itemIds.get(item);
    if (iid !== undefined)
      for (const [tick, pv, cv] of stmt.all(sid, iid, fromTick, toTick) as [number, number, number][]) {
        const i = at.get(tick);
        if (i === undefined) continue;
        p[i] = pv;
        c[i] = cv;
      }
    // At raw resolution a point's range is the point.
    return { item, p, c, pMin: p, pMax: p, cMin: c, cMax: c };
  });
  return { t: ticks.map((t) => t / 60), series };
}

function readRoll(
  db: Db,
  sid: number,
  lv: { id: number; ticks: number },
  fb: number,
  tb: number,
  group: number,
  names: string[],
  itemIds: ReadonlyMap<string, number>,
  [firstTick, lastTick]: [number, number],
) {
  const buckets = db.prepare('SELECT bucket, n FROM roll_n WHERE level = ? AND session = ? AND bucket BETWEEN ? AND ? ORDER BY bucket').raw().all(lv.id, sid, fb, tb) as [number, number][];
  // Points: one per group of `group` buckets that has lines.
  const gIndex = new Map<number, number>();
  const n: number[] = [];
  const t: number[] = [];
  for (const [bucket, count] of buckets) {
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
  const stmt = db.prepare('SELECT bucket, k, p_sum, p_min, p_max, c_sum, c_min, c_max FROM roll WHERE level = ? AND session = ? AND item = ? AND bucket BETWEEN ? AND ?').raw();
  const series = names.map((item) => {
    const len = n.length;
    const k = new Array<number>(len).fill(0);
    const s = { item, p: new Array<number>(len).fill(0), c: new Array<number>(len).fill(0), pMin: new Array<number>(len).fill(Infinity), pMax: new Array<number>(len).fill(0), cMin: new Array<number>(len).fill(Infinity), cMax: new Array<number>(len).fill(0) };
    const iid = itemIds.get(item);
    if (iid !== undefined)
      for (const [bucket, kk, ps, pmin, pmax, cs, cmin, cmax] of stmt.all(lv.id, sid, iid, fb, tb) as number[][]) {
        const i = gIndex.get(Math.floor(bucket / group));
        if (i === undefined) continue;
        k[i] += kk;
        s.p[i] += ps;
        s.c[i] += cs;
        s.pMin[i] = Math.min(s.pMin[i], pmin);
        s.pMax[i] = Math.max(s.pMax[i], pmax);
        s.cMin[i] = Math.min(s.cMin[i], cmin);
        s.cMax[i] = Math.max(s.cMax[i], cmax);
      }
    for (let i = 0; i < len; i++) {
      s.p[i] /= n[i];
      s.c[i] /= n[i];
      // Lines without the item said 0 for it.
      if (k[i] < n[i]) {
        s.pMin[i] = Math.min(s.pMin[i], 0);
        s.cMin[i] = Math.min(s.cMin[i], 0);
      }
    }
    return s;
  });
  return { t, series };
}
