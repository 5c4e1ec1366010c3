// Chart rows and path data for a window drawn from memory, kept up to date one stats line at a
// time: a new line updates the newest bucket (or opens one), and buckets that scroll out of the
// window are dropped from the front. Rebuilding every row and path per line cost up to 270 ms
// tasks at 10 lines/s in the 1 h window (see README, Benchmarks).
//
// Buckets sit on a fixed grid of game time (index floor(t / width), not relative to the window's
// start), so a bucket's contents never depend on where the window currently begins: appending
// and dropping give exactly what a rebuild over the same samples gives (row-window.test.ts).
// Width 0 keeps every sample as its own row. As in downsample.ts, each bucket keeps each series'
// lowest and highest value in the order they occurred, so extremes stay visible.
import type { Row } from './downsample';

const newRow = (t: number): Row => Object.assign(Object.create(null) as Row, { t });

/** Path coordinates are game seconds from `origin` and raw values; the chart's transform scales them. */
const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(7));

interface Bucket {
  idx: number;
  /** First and last sample time in the bucket. */
  t0: number;
  t1: number;
  n: number;
  /** Per key: lowest and highest value, and the sample number (in the bucket) where each was seen. */
  lo: Float64Array;
  hi: Float64Array;
  loAt: Uint32Array;
  hiAt: Uint32Array;
  /** Per key: items made by the bucket's first sample since the sample before it, and by the rest. */
  first: Float64Array;
  rest: Float64Array;
  /** The bucket's rows (one for a single sample, else two: first and last sample time). */
  rows: Row[];
  /** Per key: this bucket's path commands. */
  seg: string[];
}

export class RowWindow {
  /** The rows of every bucket held, oldest first (the array is updated in place). */
  readonly rows: Row[] = [];
  private buckets: Bucket[] = [];
  /** Closed buckets' path commands per key; the open (newest) bucket's are in its `seg`. */
  private head: string[];
  private lastT = -Infinity;
  private lastV: Float64Array;
  samples = 0;

  /**
   * @param keys series keys, in the order `append` receives their values
   * @param width bucket width in game seconds; 0 keeps every sample
   * @param origin game time at path x = 0 (kept small for the SVG's single-precision numbers)
   */
  constructor(
    readonly keys: readonly string[],
    readonly width: number,
    readonly origin: number,
  ) {
    this.head = keys.map(() => '');
    this.lastV = new Float64Array(keys.length);
  }

  /** The newest sample time appended, or -Infinity. */
  get last(): number {
    return this.lastT;
  }

  private index(t: number): number {
    return this.width > 0 ? Math.floor(t / this.width) : t;
  }

  /** The earliest game time a window starting at `from` holds: the start of `from`'s bucket. */
  startOf(from: number): number {
    return this.width > 0 ? Math.floor(from / this.width) * this.width : from;
  }

  /** Adds one sample (time after every earlier one; one value per key). */
  append(t: number, values: ArrayLike<number>): void {
    if (!(t > this.lastT)) throw new Error(`samples must come in time order: ${t} after ${this.lastT}`);
    const k = this.keys.length;
    let b = this.buckets.at(-1);
    if (!b || b.idx !== this.index(t)) {
      if (b) for (let i = 0; i < k; i++) this.head[i] += b.seg[i];
      b = {
        idx: this.index(t),
        t0: t,
        t1: t,
        n: 0,
        lo: new Float64Array(k),
        hi: new Float64Array(k),
        loAt: new Uint32Array(k),
        hiAt: new Uint32Array(k),
        first: new Float64Array(k),
        rest: new Float64Array(k),
        rows: [],
        seg: new Array<string>(k).fill(''),
      };
      this.buckets.push(b);
    }
    const dt = this.samples > 0 ? t - this.lastT : 0;
    for (let i = 0; i < k; i++) {
      const v = values[i];
      const made = (v * dt) / 60;
      if (b.n === 0) {
        b.lo[i] = b.hi[i] = v;
        b.first[i] = made;
      } else {
        b.rest[i] += made;
        if (v < b.lo[i]) {
          b.lo[i] = v;
          b.loAt[i] = b.n;
        }
        if (v > b.hi[i]) {
          b.hi[i] = v;
          b.hiAt[i] = b.n;
        }
      }
      this.lastV[i] = v;
    }
    b.n++;
    b.t1 = t;
    this.lastT = t;
    this.samples++;
    this.layOut(b);
  }

  /** Rewrites the open bucket's rows and path commands. */
  private layOut(b: Bucket): void {
    const before = b.rows.length;
    const two = b.n > 1;
    if (b.rows.length === 0) b.rows.push(newRow(b.t0));
    if (two && b.rows.length === 1) b.rows.push(newRow(b.t1));
    b.rows[0].t = b.t0;
    if (two) b.rows[1].t = b.t1;
    const x0 = num(b.t0 - this.origin);
    const x1 = num(b.t1 - this.origin);
    for (let i = 0; i < this.keys.length; i++) {
      const key = this.keys[i];
      const loFirst = b.loAt[i] <= b.hiAt[i];
      const a = loFirst ? b.lo[i] : b.hi[i];
      const z = loFirst ? b.hi[i] : b.lo[i];
      b.rows[0][key] = a;
      if (two) b.rows[1][key] = z;
      b.seg[i] = two ? `L${x0},${num(a)}L${x1},${num(z)}` : `L${x0},${num(a)}`;
    }
    // The open bucket's rows are the last ones.
    this.rows.splice(this.rows.length - before, before, ...b.rows);
  }

  /** Drops the buckets wholly before the bucket holding game time `from`. */
  dropBefore(from: number): void {
    const idx = this.index(from);
    let n = 0;
    while (n < this.buckets.length && this.buckets[n].idx < idx) n++;
    if (n === 0) return;
    let rows = 0;
    for (let j = 0; j < n; j++) {
      const b = this.buckets[j];
      rows += b.rows.length;
      this.samples -= b.n;
      // The open bucket's commands are not in `head` yet.
      if (j < this.buckets.length - 1)
        for (let i = 0; i < this.keys.length; i++) this.head[i] = this.head[i].slice(b.seg[i].length);
    }
    this.buckets.splice(0, n);
    this.rows.splice(0, rows);
  }

  /** Path data per key (`M` first), in coordinates (t - origin, value). */
  paths(): Map<string, string> {
    const out = new Map<string, string>();
    const open = this.buckets.at(-1);
    for (let i = 0; i < this.keys.length; i++) {
      const d = this.head[i] + (open ? open.seg[i] : '');
      out.set(this.keys[i], d ? 'M' + d.slice(1) : '');
    }
    return out;
  }

  /** The lowest and highest value held (0 included, as the chart's axis starts at 0 or below). */
  range(): [number, number] {
    let lo = 0;
    let hi = 0;
    for (const b of this.buckets)
      for (let i = 0; i < this.keys.length; i++) {
        if (b.lo[i] < lo) lo = b.lo[i];
        if (b.hi[i] > hi) hi = b.hi[i];
      }
    return [lo, hi];
  }

  /** Items made (or used) per key over the samples held, each rate held since the sample before (as csv.ts's windowTotal). */
  totals(): Map<string, number> {
    const sums = new Float64Array(this.keys.length);
    this.buckets.forEach((b, j) => {
      for (let i = 0; i < this.keys.length; i++) sums[i] += (j === 0 ? 0 : b.first[i]) + b.rest[i];
    });
    return new Map(this.keys.map((k, i) => [k, sums[i]]));
  }
}

/** Builds a RowWindow over samples from scratch: those from `from`'s bucket on. */
export function buildRowWindow(
  keys: readonly string[],
  width: number,
  origin: number,
  from: number,
  samples: Iterable<[number, ArrayLike<number>]>,
): RowWindow {
  const w = new RowWindow(keys, width, origin);
  const start = w.startOf(from);
  for (const [t, v] of samples) if (t >= start) w.append(t, v);
  return w;
}
