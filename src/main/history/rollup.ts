// Roll-up arithmetic: folding stats lines into minute and hour buckets, merging a flush's sums into
// the stored rows, and rebuilding a bucket from raw samples (when a load of an earlier save splits it).
// Roll data per item: [item, k, pSum, pMin, pMax, cSum, cMin, cMax] (see schema.ts).
import type { Stats } from '../../shared/events';
import { LEVELS, RAW_STRIDE, ROLL_STRIDE, type Db } from './schema';

/** One bucket's sums for one item, gathered since the last flush. */
interface Agg {
  k: number;
  pSum: number;
  pMin: number;
  pMax: number;
  cSum: number;
  cMin: number;
  cMax: number;
}

interface PendingBucket {
  level: number;
  bucket: number;
  n: number;
  items: Map<string, Agg>;
}

/** One session's buckets (keyed level * 1e12 + bucket): lines and per-item sums since the last flush. */
export type Buckets = Map<number, PendingBucket>;

export function fold(buckets: Buckets, s: Stats): void {
  for (const level of [LEVELS.minute, LEVELS.hour]) {
    const bucket = Math.floor(s.tick / level.ticks);
    const key = level.id * 1e12 + bucket;
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = { level: level.id, bucket, n: 0, items: new Map() }));
    b.n++;
    const add = (item: string) => {
      const p = s.products_production[item] ?? 0;
      const c = s.materials_consumption[item] ?? 0;
      const a = b.items.get(item);
      if (!a) b.items.set(item, { k: 1, pSum: p, pMin: p, pMax: p, cSum: c, cMin: c, cMax: c });
      else {
        a.k++;
        a.pSum += p;
        a.cSum += c;
        if (p < a.pMin) a.pMin = p;
        if (p > a.pMax) a.pMax = p;
        if (c < a.cMin) a.cMin = c;
        if (c > a.cMax) a.cMax = c;
      }
    };
    for (const item in s.products_production) add(item);
    for (const item in s.materials_consumption) if (!(item in s.products_production)) add(item);
  }
}

/** Merges a session's gathered sums into what its stored buckets already hold. */
export function writeRolls(db: Db, sid: number, buckets: Buckets, itemId: (name: string) => number): void {
  const getRoll = db.prepare('SELECT n, data FROM roll WHERE level = ? AND session = ? AND bucket = ?').raw();
  const putRoll = db.prepare('INSERT OR REPLACE INTO roll(level, session, bucket, n, data) VALUES (?, ?, ?, ?, ?)');
  for (const b of buckets.values()) {
    const old = getRoll.get(b.level, sid, b.bucket) as [number, string] | undefined;
    const merged = new Map<number, number[]>();
    if (old) {
      const d = JSON.parse(old[1]) as number[];
      for (let i = 0; i < d.length; i += ROLL_STRIDE) merged.set(d[i], d.slice(i, i + ROLL_STRIDE));
    }
    for (const [item, a] of b.items) {
      const iid = itemId(item);
      const m = merged.get(iid);
      if (!m) merged.set(iid, [iid, a.k, a.pSum, a.pMin, a.pMax, a.cSum, a.cMin, a.cMax]);
      else
        merged.set(iid, [
          iid,
          m[1] + a.k,
          m[2] + a.pSum,
          Math.min(m[3], a.pMin),
          Math.max(m[4], a.pMax),
          m[5] + a.cSum,
          Math.min(m[6], a.cMin),
          Math.max(m[7], a.cMax),
        ]);
    }
    putRoll.run(b.level, sid, b.bucket, (old?.[0] ?? 0) + b.n, JSON.stringify([...merged.values()].flat()));
  }
}

/** A stored bucket: line count and per-item rows by item id. */
export interface Roll {
  n: number;
  items: Map<number, number[]>;
}

export function parseRoll(n: number, data: string): Roll {
  const d = JSON.parse(data) as number[];
  const items = new Map<number, number[]>();
  for (let i = 0; i < d.length; i += ROLL_STRIDE) items.set(d[i], d.slice(i, i + ROLL_STRIDE));
  return { n, items };
}

/** The bucket a session's raw samples in [fromTick, toTick] make, as fold would have made it. */
export function rollFromRaw(db: Db, sid: number, fromTick: number, toTick: number): Roll {
  const rows = db
    .prepare('SELECT data FROM raw WHERE session = ? AND tick BETWEEN ? AND ?')
    .raw()
    .all(sid, fromTick, toTick) as [string][];
  const items = new Map<number, number[]>();
  for (const [data] of rows) {
    const d = JSON.parse(data) as number[];
    for (let i = 0; i < d.length; i += RAW_STRIDE) {
      const [iid, p, c] = [d[i], d[i + 1], d[i + 2]];
      const m = items.get(iid);
      if (!m) items.set(iid, [iid, 1, p, p, p, c, c, c]);
      else
        items.set(iid, [
          iid,
          m[1] + 1,
          m[2] + p,
          Math.min(m[3], p),
          Math.max(m[4], p),
          m[5] + c,
          Math.min(m[6], c),
          Math.max(m[7], c),
        ]);
    }
  }
  return { n: rows.length, items };
}

/**
 * A bucket without the part `tail` holds. Counts and sums are subtracted exactly as far as floating
 * point allows; minimum and maximum cannot be, so the rest keeps the whole bucket's (a range at
 * least as wide as the true one).
 */
export function subtractRoll(whole: Roll, tail: Roll): Roll {
  const items = new Map<number, number[]>();
  for (const [iid, m] of whole.items) {
    const t = tail.items.get(iid);
    if (!t) items.set(iid, m);
    else if (m[1] > t[1]) items.set(iid, [iid, m[1] - t[1], m[2] - t[2], m[3], m[4], m[5] - t[5], m[6], m[7]]);
  }
  return { n: whole.n - tail.n, items };
}

/** Stores a bucket (or removes it when no line is left in it). */
export function putRoll(db: Db, level: number, sid: number, bucket: number, r: Roll): void {
  if (r.n <= 0) db.prepare('DELETE FROM roll WHERE level = ? AND session = ? AND bucket = ?').run(level, sid, bucket);
  else
    db.prepare('INSERT OR REPLACE INTO roll(level, session, bucket, n, data) VALUES (?, ?, ?, ?, ?)').run(
      level,
      sid,
      bucket,
      r.n,
      JSON.stringify([...r.items.values()].flat()),
    );
}
