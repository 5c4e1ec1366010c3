// The chart's lines: one SVG path per series, drawn inside recharts with the chart's own scales.
// recharts' `<Line>` builds a label entry per point on every render, so the paths are ours; they are
// rebuilt only when the rows, the series or the scales change (recharts re-renders its children on
// every change of its own state, several times per data update).
import { useMemo } from 'react';
import { usePlotArea, useXAxisScale, useYAxisScale } from 'recharts';
import type { Row } from './downsample';

export interface PathStyle {
  key: string;
  color: string;
  dashed: boolean;
  /** A line of play left behind by loading an earlier save: drawn fainter. */
  faded: boolean;
}

export interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** SVG path data of one series: a straight map from (t, v) to pixels, one decimal. */
export function linePath(rows: readonly Row[], key: string, x0: number, xScale: number, t0: number, y0: number, yScale: number, v0: number): string {
  const parts: string[] = [];
  for (const r of rows) {
    const v = r[key];
    if (v === undefined) continue;
    parts.push(`${parts.length ? 'L' : 'M'}${(x0 + (r.t - t0) * xScale).toFixed(1)},${(y0 + (v - v0) * yScale).toFixed(1)}`);
  }
  return parts.join('');
}

export function SeriesPaths({ rows, lines, xDomain, yDomain, onPlot }: { rows: Row[]; lines: PathStyle[]; xDomain: [number, number]; yDomain: [number, number]; onPlot: (p: Area) => void }) {
  const x = useXAxisScale();
  const y = useYAxisScale();
  const area = usePlotArea();
  // Both scales are linear: two points of each give the whole map.
  const xa = x?.(xDomain[0]);
  const xb = x?.(xDomain[1]);
  const ya = y?.(yDomain[0]);
  const yb = y?.(yDomain[1]);
  const linesKey = lines.map((l) => l.key).join('\n');
  const paths = useMemo(() => {
    if (xa === undefined || xb === undefined || ya === undefined || yb === undefined) return null;
    const xs = xDomain[1] > xDomain[0] ? (xb - xa) / (xDomain[1] - xDomain[0]) : 0;
    const ys = yDomain[1] > yDomain[0] ? (yb - ya) / (yDomain[1] - yDomain[0]) : 0;
    return lines.map((l) => linePath(rows, l.key, xa, xs, xDomain[0], ya, ys, yDomain[0]));
    // linesKey stands for the keys of `lines`; colours and dashes do not change the path data.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [rows, linesKey, xDomain[0], xDomain[1], yDomain[0], yDomain[1], xa, xb, ya, yb]);
  if (!area || !paths) return null;
  queueMicrotask(() => onPlot(area));
  return (
    <g className="series-paths">
      <clipPath id="plot-clip">
        <rect x={area.x} y={area.y} width={area.width} height={area.height} />
      </clipPath>
      {lines.map((l, i) => (
        <path
          key={l.key}
          className={l.faded ? 'series-line earlier' : 'series-line'}
          data-key={l.key}
          d={paths[i]}
          fill="none"
          stroke={l.color}
          strokeWidth={l.faded ? 1.2 : 1.6}
          strokeOpacity={l.faded ? 0.55 : 1}
          strokeDasharray={l.dashed ? '5 3' : l.faded ? '2 3' : undefined}
          clipPath="url(#plot-clip)"
        />
      ))}
    </g>
  );
}
