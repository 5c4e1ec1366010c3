// The samples of one line of play: per item, production and consumption keyed by game time
// (tick / 60, seconds). Memory is bounded: full resolution (one sample per stats line) for the
// newest FULL_RES_SECONDS of game time; older samples fold into ARCHIVE_BUCKET_SECONDS buckets
// keeping min, max and mean per item (so extremes stay visible), and when there are more than
// MAX_ARCHIVE_BUCKETS the buckets merge pairwise. A session holds one branch, and one more each
// time an earlier save is loaded (series.ts).
import type { Stats } from '../../../shared/events';

export const FULL_RES_SECONDS = 2 * 3600;
export const ARCHIVE_BUCKET_SECONDS = 60;
export const MAX_ARCHIVE_BUCKETS = 2000;

export type Mode = 'production' | 'consumption' | 'net';

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
const rateOf = (rates: Readonly<Record<string, number>>, name: string): number =>
  Object.hasOwn(rates, name) ? rates[name] : 0;

export const modeValue = (mode: Mode, p: number, c: number) =>
  mode === 'production' ? p : mode === 'consumption' ? c : p - c;

export class Branch {
  // Full resolution: sample times and, per item, production and consumption (0 where absent).
  private t: number[] = [];
  private p = new Map<string, number[]>();
  private c = new Map<string, number[]>();
  private archive: Bucket[] = [];
  private scale = 1;

  get samples(): number {
    return this.t.length;
  }

  get archivedBuckets(): number {
    return this.archive.length;
  }

  items(): string[] {
    return [...this.p.keys()];
  }

  add(e: Stats): void {
    const t = e.tick / 60;
    const n = this.t.length;
    this.t.push(t);
    for (const [name, arr] of this.p) arr.push(rateOf(e.products_production, name));
    for (const [name, arr] of this.c) arr.push(rateOf(e.materials_consumption, name));
    // A new item: earlier samples did not have it, so it was 0 there.
    for (const name of Object.keys(e.products_production)) if (!this.p.has(name)) this.newItem(name, n, e);
    for (const name of Object.keys(e.materials_consumption)) if (!this.p.has(name)) this.newItem(name, n, e);
    this.fold(t);
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
      if (!b || t >= b.t0 + ARCHIVE_BUCKET_SECONDS * this.scale) {
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

  /** The newest value of an item in a mode, or null if the item is unknown here. */
  latest(item: string, mode: Mode): number | null {
    const p = this.p.get(item);
    if (!p || p.length === 0) return null;
    return modeValue(mode, p[p.length - 1], this.c.get(item)![p.length - 1]);
  }

  /** Full-resolution sample times, oldest first (read-only view; folding drops from the front). */
  sampleTimes(): readonly number[] {
    return this.t;
  }

  /** An item's value in a mode at full-resolution sample `i` (0 for an item unknown here). */
  sampleValue(item: string, mode: Mode, i: number): number {
    const p = this.p.get(item);
    return p ? modeValue(mode, p[i], this.c.get(item)![i]) : 0;
  }

  /** The first and last sample time held, or null when empty. */
  span(): [number, number] | null {
    const first = this.archive[0]?.t0 ?? this.t[0];
    const last = this.t.at(-1) ?? this.archive.at(-1)?.t1;
    return first === undefined || last === undefined ? null : [first, last];
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
