// Reduces chart series to about one row per pixel column while keeping every extreme.
import type { Point } from './branch';

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
  // Bucket edges as numbers, not pairs: this runs per point, and a pair per call was garbage.
  const edge = (b: number) => from + (span * b) / buckets;
  for (const s of series) {
    let b = 0;
    let i = 0;
    const pts = s.points;
    while (i < pts.length) {
      while (b < buckets - 1 && pts[i].t >= edge(b + 1)) b++;
      let lo = Infinity;
      let hi = -Infinity;
      let loAt = 0;
      let hiAt = 0;
      const end = edge(b + 1);
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
      const r1 = (first[b] ??= newRow(edge(b)));
      const r2 = (second[b] ??= newRow(Math.min(edge(b + 1), to)));
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
