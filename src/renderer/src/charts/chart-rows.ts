// The chart's rows when they are rebuilt rather than followed line by line (live-rows.ts does that):
// every line's points over [from, to], from an earlier branch, a history answer or the session in
// memory, downsampled to the plot's width, with each line's total over the window and the range of
// the values drawn. Pure, so ChartPanel only decides when to call it.
import type { HistoryAnswer } from '../../../shared/history';
import { windowTotal } from './csv';
import { historyPoints } from './history';
import { downsample, type Mode, type Point, type Row, type SessionSeries } from './series';

/** What a series key on the chart stands for. */
export interface LineSpec {
  item: string;
  mode: Mode;
  /** The n of an earlier branch (session.earlier), or 0 for the current one. */
  branch: number;
}

export interface ChartRows {
  rows: Row[];
  totals: Map<string, number>;
  lo: number;
  hi: number;
}

/** The row at or before game time `t` (at full resolution: the exact sample). */
export function rowAt(rows: Row[], t: number): Row | undefined {
  let row: Row | undefined;
  for (const r of rows) {
    if (r.t > t) break;
    row = r;
  }
  return row ?? rows[0];
}

export function chartRows(
  session: SessionSeries,
  specs: Map<string, LineSpec>,
  hist: HistoryAnswer | null,
  from: number,
  to: number,
  plotWidth: number,
): ChartRows {
  const totals = new Map<string, number>();
  const series: { key: string; points: Point[] }[] = [];
  for (const [key, spec] of specs) {
    const earlier = spec.branch ? session.earlier.find((e) => e.n === spec.branch) : undefined;
    const pts = earlier
      ? earlier.branch.points(spec.item, spec.mode, from)
      : hist
        ? historyPoints(hist, spec.item, spec.mode)
        : session.points(spec.item, spec.mode, from);
    const inWindow = pts.filter((p) => p.t >= from && p.t <= to);
    totals.set(key, windowTotal(inWindow));
    series.push({ key, points: inWindow });
  }
  const rows: Row[] = session.span() || hist ? downsample(series, from, to, plotWidth) : [];
  let lo = 0;
  let hi = 0;
  for (const r of rows)
    for (const k of specs.keys()) {
      const v = r[k];
      if (v !== undefined && v < lo) lo = v;
      if (v !== undefined && v > hi) hi = v;
    }
  return { rows, totals, lo, hi };
}
