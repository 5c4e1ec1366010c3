// What the chart shows, as CSV and as totals: pure functions over the rows and points on screen.
import type { Point, Row } from './series';

const cell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** One line per row: game seconds, then each series' value as JavaScript prints it (exact). */
export function toCsv(rows: readonly Row[], keys: readonly string[]): string {
  const lines = [['game_seconds', ...keys].map(cell).join(',')];
  for (const r of rows)
    lines.push([String(r.t), ...keys.map((k) => (r[k] === undefined ? '' : String(r[k])))].join(','));
  return lines.join('\n') + '\n';
}

/**
 * Items made (or used) over the points: each rate (items/min) held since the point before it.
 * The first point only opens the window.
 */
export function windowTotal(points: readonly Point[]): number {
  let sum = 0;
  for (let i = 1; i < points.length; i++) sum += (points[i].v * (points[i].t - points[i - 1].t)) / 60;
  return sum;
}
