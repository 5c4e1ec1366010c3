// Production and consumption series per game session, keyed by game time (tick / 60, seconds).
// Memory is bounded: full resolution (one sample per stats line) for the newest FULL_RES_SECONDS
// of game time; older samples fold into ARCHIVE_BUCKET_SECONDS buckets keeping min, max and mean
// per item (so extremes stay visible), and when there are more than MAX_ARCHIVE_BUCKETS the
// buckets merge pairwise. At most MAX_SESSIONS sessions are kept; the oldest is dropped.
// Plain mutable structures, outside React state: the store only carries version numbers.
import type { PipeEvent, SessionInit, Stats } from '../../../shared/events';

export const FULL_RES_SECONDS = 2 * 3600;
export const ARCHIVE_BUCKET_SECONDS = 60;
export const MAX_ARCHIVE_BUCKETS = 2000;
export const MAX_SESSIONS = 10;

export type Mode = 'production' | 'consumption' | 'net';

export interface Marker {
  t: number;
  label: string;
}

/** One archived bucket's numbers for one item. */
interface Agg {
  pMin: number;
  pMax: number;
  pSum: number;
  cMin: number;
  cMax: number;
  cSum: number;
  nMin: number;
  nMax: number;
}

interface Bucket {
  t0: number;
  t1: number;
  n: number;
  items: Map<string, Agg>;
}

/** A point of a series: value, and the range it stands for (equal to value at full resolution). */
export interface Point {
  t: number;
  v: number;
  lo: number;
  hi: number;
}

/**
 * An item's rate in a stats line, 0 when absent. Item names are arbitrary (`constructor`,
 * `__proto__`), and events reach the page as ordinary objects: only own entries count.
 */
const rateOf = (rates: Readonly<Record<string, number>>, name: string): number => (Object.hasOwn(rates, name) ? rates[name] : 0);

const modeValue = (mode: Mode, p: number, c: number) => (mode === 'production' ? p : mode === 'consumption' ? c : p - c);

export class SessionSeries {
  level: string | null = null;
  firstTick: number | null = null;
  lastTick = 0;
  lastCycle = -1;
  /** Epoch ms of the newest stats line, and the recent gaps between stats lines. */
  lastUpdateAt: number | null = null;
  private gaps: number[] = [];
  readonly markers: Marker[] = [];
  /** Samples ignored because their cycle did not advance (repeats after a reload, out of order). */
  skipped = 0;
  version = 0;

  // Full resolution: sample times and, per item, production and consumption (0 where absent).
  private t: number[] = [];
  private p = new Map<string, number[]>();
  private c = new Map<string, number[]>();
  private archive: Bucket[] = [];

  constructor(readonly id: string) {}

  get samples(): number {
    return this.t.length;
  }

  get archivedBuckets(): number {
    return this.archive.length;
  }

  items(): string[] {
    return [...this.p.keys()];
  }

  /** Typical time between stats lines (median of recent gaps), for the stale marker. */
  typicalGapMs(): number | null {
    if (this.gaps.length === 0) return null;
    const s = [...this.gaps].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  }

  addInit(e: SessionInit): void {
    this.level = e.level_name;
    const t = e.tick / 60;
    this.markers.push({ t, label: this.markers.length === 0 ? 'session start' : 'game loaded' });
    this.firstTick ??= e.tick;
    this.version++;
  }

  addStats(e: Stats, receivedAt: number): void {
    if (e.cycle <= this.lastCycle && this.t.length > 0) {
      this.skipped++;
      return;
    }
    const t = e.tick / 60;
    this.firstTick ??= e.tick;
    this.lastTick = e.tick;
    this.lastCycle = e.cycle;
    if (this.lastUpdateAt !== null) {
      this.gaps.push(receivedAt - this.lastUpdateAt);
      if (this.gaps.length > 10) this.gaps.shift();
    }
    this.lastUpdateAt = receivedAt;
    const n = this.t.length;
    this.t.push(t);
    for (const [name, arr] of this.p) arr.push(rateOf(e.products_production, name));
    for (const [name, arr] of this.c) arr.push(rateOf(e.materials_consumption, name));
    // A new item: earlier samples did not have it, so it was 0 there.
    for (const name of Object.keys(e.products_production)) if (!this.p.has(name)) this.newItem(name, n, e);
    for (const name of Object.keys(e.materials_consumption)) if (!this.p.has(name)) this.newItem(name, n, e);
    this.fold(t);
    this.version++;
  }

  private newItem(name: string, n: number, e: Stats): void {
    const p = new Array<number>(n).fill(0);
    const c = new Array<number>(n).fill(0);
    p.push(rateOf(e.products_production, name));
    c.push(rateOf(e.materials_consumption, name));
    this.p.set(name, p);
    this.c.set(name, c);
  }

  /** Moves samples older than the full-resolution span into archive buckets. */
  private fold(now: number): void {
    let k = 0;
    while (k < this.t.length && this.t[k] < now - FULL_RES_SECONDS) k++;
    if (k === 0) return;
    for (let i = 0; i < k; i++) {
      const t = this.t[i];
      let b = this.archive.at(-1);
      if (!b || t >= b.t0 + ARCHIVE_BUCKET_SECONDS * this.bucketScale()) {
        b = { t0: t, t1: t, n: 0, items: new Map() };
        this.archive.push(b);
      }
      b.t1 = t;
      b.n++;
      for (const [name, parr] of this.p) {
        const pv = parr[i];
        const cv = this.c.get(name)![i];
        const nv = pv - cv;
        const a = b.items.get(name);
        if (!a) b.items.set(name, { pMin: pv, pMax: pv, pSum: pv, cMin: cv, cMax: cv, cSum: cv, nMin: nv, nMax: nv });
        else {
          a.pMin = Math.min(a.pMin, pv);
          a.pMax = Math.max(a.pMax, pv);
          a.pSum += pv;
          a.cMin = Math.min(a.cMin, cv);
          a.cMax = Math.max(a.cMax, cv);
          a.cSum += cv;
          a.nMin = Math.min(a.nMin, nv);
          a.nMax = Math.max(a.nMax, nv);
        }
      }
    }
    this.t.splice(0, k);
    for (const arr of this.p.values()) arr.splice(0, k);
    for (const arr of this.c.values()) arr.splice(0, k);
    if (this.archive.length > MAX_ARCHIVE_BUCKETS) this.mergeArchive();
  }

  private scale = 1;
  private bucketScale(): number {
    return this.scale;
  }

  /** Halves the archive by merging neighbours; new buckets are twice as wide from now on. */
  private mergeArchive(): void {
    const merged: Bucket[] = [];
    for (let i = 0; i < this.archive.length; i += 2) {
      const a = this.archive[i];
      const b = this.archive[i + 1];
      if (!b) {
        merged.push(a);
        continue;
      }
      const items = new Map<string, Agg>();
      for (const name of new Set([...a.items.keys(), ...b.items.keys()])) {
        const x = a.items.get(name);
        const y = b.items.get(name);
        if (!x || !y) {
          items.set(name, { ...(x ?? y)! });
          continue;
        }
        items.set(name, {
          pMin: Math.min(x.pMin, y.pMin),
          pMax: Math.max(x.pMax, y.pMax),
          pSum: x.pSum + y.pSum,
          cMin: Math.min(x.cMin, y.cMin),
          cMax: Math.max(x.cMax, y.cMax),
          cSum: x.cSum + y.cSum,
          nMin: Math.min(x.nMin, y.nMin),
          nMax: Math.max(x.nMax, y.nMax),
        });
      }
      merged.push({ t0: a.t0, t1: b.t1, n: a.n + b.n, items });
    }
    this.archive = merged;
    this.scale *= 2;
  }

  /** The newest value of an item in a mode, or null if the item is unknown. */
  latest(item: string, mode: Mode): number | null {
    const p = this.p.get(item);
    if (!p || p.length === 0) return null;
    return modeValue(mode, p[p.length - 1], this.c.get(item)![p.length - 1]);
  }

  /** Items by their newest value in a mode, largest first (by magnitude for net). */
  topItems(mode: Mode, n: number): string[] {
    return this.items()
      .map((name) => [name, Math.abs(this.latest(name, mode) ?? 0)] as const)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, n)
      .map(([name]) => name);
  }

  /** From the session's start (its session_init, or first sample) to the last sample held. */
  span(): [number, number] | null {
    const firstSample = this.archive[0]?.t0 ?? this.t[0];
    const last = this.t.at(-1) ?? this.archive.at(-1)?.t1;
    if (firstSample === undefined || last === undefined) return null;
    return [Math.min(firstSample, (this.firstTick ?? Infinity) / 60), last];
  }

  /** An item's points in a mode from time `from` on: archive buckets (with their range), then samples. */
  points(item: string, mode: Mode, from: number): Point[] {
    const out: Point[] = [];
    for (const b of this.archive) {
      if (b.t1 < from) continue;
      const a = b.items.get(item);
      const mean = a ? modeValue(mode, a.pSum / b.n, a.cSum / b.n) : 0;
      const lo = a ? (mode === 'production' ? a.pMin : mode === 'consumption' ? a.cMin : a.nMin) : 0;
      const hi = a ? (mode === 'production' ? a.pMax : mode === 'consumption' ? a.cMax : a.nMax) : 0;
      out.push({ t: (b.t0 + b.t1) / 2, v: mean, lo, hi });
    }
    const p = this.p.get(item);
    const c = this.c.get(item);
    for (let i = 0; i < this.t.length; i++) {
      if (this.t[i] < from) continue;
      const v = p ? modeValue(mode, p[i], c![i]) : 0;
      out.push({ t: this.t[i], v, lo: v, hi: v });
    }
    return out;
  }
}

/** All sessions in memory, newest last. */
export class SeriesStore {
  readonly sessions = new Map<string, SessionSeries>();
  /** Sessions dropped to stay within MAX_SESSIONS. */
  dropped = 0;

  /** Adds a batch of events; returns the ids of sessions that changed. */
  ingest(batch: readonly PipeEvent[]): Set<string> {
    const changed = new Set<string>();
    for (const e of batch) {
      const ev = e.event;
      if (ev.type !== 'stats' && ev.type !== 'session_init') continue;
      const s = this.session((ev as Stats | SessionInit).session_id);
      if (ev.type === 'stats') s.addStats(ev as Stats, e.receivedAt);
      else s.addInit(ev as SessionInit);
      changed.add(s.id);
    }
    return changed;
  }

  private session(id: string): SessionSeries {
    let s = this.sessions.get(id);
    if (!s) {
      s = new SessionSeries(id);
      this.sessions.set(id, s);
      while (this.sessions.size > MAX_SESSIONS) {
        this.sessions.delete(this.sessions.keys().next().value!);
        this.dropped++;
      }
    }
    return s;
  }

  latestSessionId(): string | null {
    let last: string | null = null;
    for (const id of this.sessions.keys()) last = id;
    return last;
  }
}

/** One row of chart data: `t` and one value per series key. */
export type Row = { t: number } & Record<string, number>;

/** A row without a prototype, so a series keyed `__proto__` is stored and `constructor` is absent until set. */
const newRow = (t: number): Row => Object.assign(Object.create(null) as Row, { t });

/**
 * Reduces series to at most about `width` rows over [from, to], keeping each series' extremes:
 * per bucket, each series contributes its lowest and highest point, in the order they occurred,
 * as two rows (bucket start and end). Fewer points than buckets: every point, unchanged.
 */
export function downsample(series: { key: string; points: Point[] }[], from: number, to: number, width: number): Row[] {
  const total = series.reduce((a, s) => Math.max(a, s.points.length), 0);
  const buckets = Math.max(1, Math.floor(width / 2));
  const exact = series.every((s) => s.points.every((p) => p.lo === p.v && p.hi === p.v));
  if (total <= buckets * 2 && exact) {
    // Every sample as it is: rows at each sample time (series share sample times).
    const byT = new Map<number, Row>();
    for (const s of series)
      for (const p of s.points) {
        const row = byT.get(p.t) ?? newRow(p.t);
        row[s.key] = p.v;
        byT.set(p.t, row);
      }
    return [...byT.values()].sort((a, b) => a.t - b.t);
  }
  const span = Math.max(to - from, 1e-9);
  const rows: Row[] = [];
  const first: (Row | null)[] = new Array(buckets).fill(null);
  const second: (Row | null)[] = new Array(buckets).fill(null);
  const bounds = (b: number) => [from + (span * b) / buckets, from + (span * (b + 1)) / buckets];
  for (const s of series) {
    let b = 0;
    let i = 0;
    const pts = s.points;
    while (i < pts.length) {
      while (b < buckets - 1 && pts[i].t >= bounds(b)[1]) b++;
      let lo = Infinity;
      let hi = -Infinity;
      let loAt = 0;
      let hiAt = 0;
      const end = bounds(b)[1];
      for (; i < pts.length && (pts[i].t < end || b === buckets - 1); i++) {
        if (pts[i].lo < lo) {
          lo = pts[i].lo;
          loAt = i;
        }
        if (pts[i].hi > hi) {
          hi = pts[i].hi;
          hiAt = i;
        }
      }
      if (lo === Infinity) continue;
      const [bStart, bEnd] = bounds(b);
      const r1 = (first[b] ??= newRow(bStart));
      const r2 = (second[b] ??= newRow(Math.min(bEnd, to)));
      // The extreme that came first goes on the bucket's first row.
      r1[s.key] = loAt <= hiAt ? lo : hi;
      r2[s.key] = loAt <= hiAt ? hi : lo;
    }
  }
  for (let b = 0; b < buckets; b++) {
    if (first[b]) rows.push(first[b]!);
    if (second[b]) rows.push(second[b]!);
  }
  return rows;
}
