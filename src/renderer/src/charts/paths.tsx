// The chart's lines: one SVG path per series, drawn inside recharts with the chart's own scales.
// recharts' `<Line>` builds a label entry per point on every render, so the paths are ours.
// Path data is built once per set of rows, in a fixed box (BOX x BOX units over the rows' own time
// and value range); the chart's current scales only change a transform, so the axis moving or
// recharts re-rendering (several times per update) does not rebuild thousands of path commands.
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

const BOX = 10_000;

/** The rows' time and value range, over which paths are laid out in the box. */
export interface Frame {
  t0: number;
  t1: number;
  v0: number;
  v1: number;
}

export function frameOf(rows: readonly Row[], keys: readonly string[]): Frame {
  let v0 = 0;
  let v1 = 0;
  for (const r of rows)
    for (const k of keys) {
      const v = r[k];
      if (v !== undefined && v < v0) v0 = v;
      if (v !== undefined && v > v1) v1 = v;
    }
  const t0 = rows.length ? rows[0].t : 0;
  const t1 = rows.length ? rows[rows.length - 1].t : 1;
  return { t0, t1: t1 > t0 ? t1 : t0 + 1, v0, v1: v1 > v0 ? v1 : v0 + 1 };
}

/** SVG path data of one series in the box (y grows upwards here; the transform flips it). */
export function linePath(rows: readonly Row[], key: string, f: Frame): string {
  const xs = BOX / (f.t1 - f.t0);
  const ys = BOX / (f.v1 - f.v0);
  const parts: string[] = [];
  for (const r of rows) {
    const v = r[key];
    if (v === undefined) continue;
    parts.push(`${parts.length ? 'L' : 'M'}${((r.t - f.t0) * xs).toFixed(2)},${((v - f.v0) * ys).toFixed(2)}`);
  }
  return parts.join('');
}

/** Path data laid out over a frame: `frame` maps to the box's corners. */
export interface Drawn {
  frame: Frame;
  paths: Map<string, string>;
}

/** A frame for path data in raw units: x = game seconds from `origin`, y = the value itself. */
export const rawFrame = (origin: number): Frame => ({ t0: origin, t1: origin + BOX, v0: 0, v1: BOX });

/**
 * The lines of `rows`, or `drawn` when given (paths kept up to date elsewhere, see row-window.ts).
 */
export function SeriesPaths({
  rows,
  drawn,
  lines,
  onPlot,
}: {
  rows: Row[];
  drawn?: Drawn;
  lines: PathStyle[];
  onPlot: (p: Area) => void;
}) {
  const x = useXAxisScale();
  const y = useYAxisScale();
  const area = usePlotArea();
  // The keys as a set: a new order of the same lines (ranks changed) reuses their paths.
  const linesKey = lines
    .map((l) => l.key)
    .sort()
    .join('\n');
  const { frame, paths } = useMemo(() => {
    if (drawn) return drawn;
    const keys = linesKey ? linesKey.split('\n') : [];
    const frame = frameOf(rows, keys);
    return { frame, paths: new Map(keys.map((k) => [k, linePath(rows, k, frame)])) };
  }, [rows, drawn, linesKey]);
  if (!x || !y || !area) return null;
  queueMicrotask(() => onPlot(area));
  // Both scales are linear: where the box's corners land gives the whole map.
  const xa = x(frame.t0);
  const xb = x(frame.t1);
  const ya = y(frame.v0);
  const yb = y(frame.v1);
  if (xa === undefined || xb === undefined || ya === undefined || yb === undefined) return null;
  const transform = `matrix(${(xb - xa) / BOX} 0 0 ${(yb - ya) / BOX} ${xa} ${ya})`;
  return (
    <g className="series-paths">
      <clipPath id="plot-clip">
        <rect x={area.x} y={area.y} width={area.width} height={area.height} />
      </clipPath>
      <g clipPath="url(#plot-clip)">
        <g transform={transform}>
          {lines.map((l) => (
            <path
              key={l.key}
              className={l.faded ? 'series-line earlier' : 'series-line'}
              data-key={l.key}
              d={paths.get(l.key)}
              fill="none"
              // A style, not an attribute: the colour names theme variables (colors.ts).
              style={{ stroke: l.color }}
              // Width and dashes in screen pixels, whatever the transform's scale.
              vectorEffect="non-scaling-stroke"
              strokeWidth={l.faded ? 1.2 : 1.6}
              strokeOpacity={l.faded ? 0.55 : 1}
              strokeDasharray={l.dashed ? '5 3' : l.faded ? '2 3' : undefined}
            />
          ))}
        </g>
      </g>
    </g>
  );
}
