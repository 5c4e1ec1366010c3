// The production chart: lines drawn as SVG paths with the chart's own scales, a hover readout of
// every line's exact value at the cursor, drag to zoom and double-click to reset, a zero line in
// net mode, colours that belong to the item, 1-2-5 ticks, and CSV export of the rows on screen.
// Windows past what memory holds are read from the history on disk (history.ts).
import { useMemo, useState } from 'react';
import { CartesianGrid, LineChart, ReferenceLine, usePlotArea, useXAxisScale, useYAxisScale, XAxis, YAxis } from 'recharts';
import { formatGameTime } from '../components/format';
import { useStore } from '../store';
import { itemColors } from './colors';
import { toCsv, windowTotal } from './csv';
import { historyPoints, useHistoryWindow } from './history';
import { useWidth } from './hooks';
import { downsample, type Mode, type Point, type Row, type SessionSeries } from './series';
import { niceTicks } from './ticks';

/** Rates as written (up to 2 decimals, as the scenario writes them), with thousands separators. */
export function formatRate(v: number): string {
  return v.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** Suffix of the consumption line drawn over an item's production line (dashed, same colour). */
export const CONSUMED = ' (consumed)';

/** Where the plot is and which game time a pixel stands for, for the hover and zoom layer. */
interface Plot {
  x: number;
  width: number;
  from: number;
  to: number;
}

function SeriesPaths({ rows, keys, colors, onPlot }: { rows: Row[]; keys: string[]; colors: string[]; onPlot: (p: { x: number; y: number; width: number; height: number }) => void }) {
  const x = useXAxisScale();
  const y = useYAxisScale();
  const area = usePlotArea();
  if (!x || !y || !area) return null;
  queueMicrotask(() => onPlot(area));
  return (
    <g className="series-paths">
      <clipPath id="plot-clip">
        <rect x={area.x} y={area.y} width={area.width} height={area.height} />
      </clipPath>
      {keys.map((k, i) => {
        let d = '';
        for (const r of rows) {
          const v = r[k];
          if (v === undefined) continue;
          const px = x(r.t);
          const py = y(v);
          if (px === undefined || py === undefined) continue;
          d += `${d ? 'L' : 'M'}${px.toFixed(1)},${py.toFixed(1)}`;
        }
        return <path key={k} className="series-line" data-key={k} d={d} fill="none" stroke={colors[i]} strokeWidth={1.6} strokeDasharray={k.endsWith(CONSUMED) ? '5 3' : undefined} clipPath="url(#plot-clip)" />;
      })}
    </g>
  );
}

/** The row at or before game time `t` (at full resolution: the exact sample). */
function rowAt(rows: Row[], t: number): Row | undefined {
  let row: Row | undefined;
  for (const r of rows) {
    if (r.t > t) break;
    row = r;
  }
  return row ?? rows[0];
}

export interface ChartProps {
  session: SessionSeries;
  mode: Mode;
  windowSeconds: number;
  items: string[];
  hidden: string[];
  /** Item id -> English name, when the player's Factorio folder is known. */
  names?: Record<string, string>;
}

export function ChartPanel({ session, mode, windowSeconds, items, hidden, names = {} }: ChartProps) {
  const setChart = useStore((s) => s.setChart);
  const [ref, width] = useWidth<HTMLDivElement>();
  const [zoom, setZoom] = useState<[number, number] | null>(null);
  const [zoomKey, setZoomKey] = useState('');
  const [hoverT, setHoverT] = useState<number | null>(null);
  const [drag, setDrag] = useState<[number, number] | null>(null);
  const [plot, setPlot] = useState<{ x: number; y: number; width: number; height: number } | null>(null);
  // A new window or session drops the zoom.
  const key = `${session.id}|${windowSeconds}`;
  if (key !== zoomKey) {
    setZoomKey(key);
    setZoom(null);
  }
  const span = session.span();
  const last = span ? span[1] : 0;
  const windowFrom = windowSeconds === 0 ? 0 : Math.max(0, last - windowSeconds);
  const memFirst = span ? span[0] : Infinity;
  // Memory holds the newest samples; a window reaching before them is read from disk.
  const needHistory = windowSeconds === 0 || windowFrom < memFirst - 1;
  const [overlay, setOverlay] = useState(false);
  const visible = items.filter((i) => !hidden.includes(i));
  // Production with consumption over it, as the game's window shows both.
  const both = overlay && mode === 'production';
  const lines = both ? [...visible, ...visible.map((k) => k + CONSUMED)] : visible;
  const plotWidth = Math.max(100, width - 96);
  const hist = useHistoryWindow(session.id, needHistory, windowFrom, undefined, items, plotWidth, session.version);
  const from = zoom ? zoom[0] : needHistory && hist?.first != null ? Math.max(windowFrom, hist.first) : span ? Math.max(span[0], windowFrom) : 0;
  const to = zoom ? zoom[1] : Math.max(last, hist?.last ?? 0);
  const palette = itemColors(items);
  const colors = lines.map((k) => palette.get(k.endsWith(CONSUMED) ? k.slice(0, -CONSUMED.length) : k)!);
  const linesKey = lines.join('\n');
  const { rows, byItem } = useMemo(() => {
    const byItem = new Map<string, Point[]>();
    for (const key of lines) {
      const [item, m] = key.endsWith(CONSUMED) ? [key.slice(0, -CONSUMED.length), 'consumption' as const] : [key, mode];
      byItem.set(key, (hist ? historyPoints(hist, item, m) : session.points(item, m, from)).filter((p) => p.t >= from && p.t <= to));
    }
    const rows = span || hist ? downsample(lines.map((key) => ({ key, points: byItem.get(key)! })), from, to, plotWidth) : [];
    return { rows, byItem };
    // session.version changes with the data; the rest are the inputs.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [session, session.version, hist, mode, from, to, plotWidth, linesKey]);
  const markers = session.markers.filter((m) => m.t >= from && m.t <= to);
  let lo = 0;
  let hi = 0;
  for (const r of rows)
    for (const k of lines) {
      const v = r[k];
      if (v !== undefined && v < lo) lo = v;
      if (v !== undefined && v > hi) hi = v;
    }
  const ticks = niceTicks(lo, hi);
  const geom: Plot | null = plot ? { x: plot.x, width: plot.width, from, to } : null;
  const tAt = (clientX: number, el: Element) => {
    if (!geom) return null;
    const px = clientX - el.getBoundingClientRect().left;
    return geom.from + ((px - geom.x) / geom.width) * (geom.to - geom.from);
  };
  const hoverRow = hoverT === null ? undefined : rowAt(rows, hoverT);
  const exportCsv = () => {
    const blob = new Blob([toCsv(rows, lines)], { type: 'text/csv' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `production-${session.id}-${mode}-${Math.round(from)}-${Math.round(to)}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 0);
  };
  return (
    <div
      ref={ref}
      className="chart"
      data-testid="chart"
      data-from={from}
      data-to={to}
      data-rows={rows.length}
      data-series={visible.join(',')}
      data-mode={mode}
      data-source={hist ? `history-${hist.resolution}` : 'memory'}
      data-zoomed={zoom ? 'true' : 'false'}
      style={{ position: 'relative' }}
    >
      {width > 0 && (
        <LineChart width={width} height={360} data={rows} margin={{ top: 16, right: 24, bottom: 8, left: 8 }}>
          <CartesianGrid stroke="#30343c" strokeDasharray="3 3" />
          <XAxis type="number" dataKey="t" domain={[from, to]} tickFormatter={(t: number) => formatGameTime(t * 60)} stroke="#8b919b" allowDataOverflow />
          <YAxis type="number" domain={[ticks[0], ticks.at(-1)!]} ticks={ticks} allowDataOverflow stroke="#8b919b" width={72} tickFormatter={(v: number) => formatRate(v)} label={{ value: 'items/min', angle: -90, position: 'insideLeft', fill: '#8b919b', dy: 30 }} />
          {mode === 'net' && <ReferenceLine y={0} stroke="#c9ced6" strokeWidth={1.2} data-testid="zero-line" className="zero-line" />}
          {markers.map((m) => (
            <ReferenceLine key={`${m.t}-${m.label}`} x={m.t} stroke="#e0b33a" strokeDasharray="4 3" label={{ value: m.label, fill: '#e0b33a', position: 'insideTopLeft' }} />
          ))}
          <SeriesPaths rows={rows} keys={lines} colors={colors} onPlot={(p) => (plot && p.x === plot.x && p.width === plot.width && p.y === plot.y ? undefined : setPlot(p))} />
          {hoverRow && geom && <ReferenceLine x={hoverRow.t} stroke="#8b919b" />}
          {drag && <ReferenceLine x={drag[0]} stroke="#4fa3e0" />}
          {drag && <ReferenceLine x={drag[1]} stroke="#4fa3e0" />}
        </LineChart>
      )}
      {plot && (
        <div
          className="chart-hover"
          data-testid="chart-hover"
          style={{ position: 'absolute', left: plot.x, top: plot.y, width: plot.width, height: plot.height, cursor: 'crosshair' }}
          onMouseMove={(e) => {
            const t = tAt(e.clientX, e.currentTarget.parentElement!);
            setHoverT(t);
            if (drag && t !== null) setDrag([drag[0], t]);
          }}
          onMouseLeave={() => {
            setHoverT(null);
            setDrag(null);
          }}
          onMouseDown={(e) => {
            const t = tAt(e.clientX, e.currentTarget.parentElement!);
            if (t !== null) setDrag([t, t]);
          }}
          onMouseUp={() => {
            if (drag && Math.abs(drag[1] - drag[0]) > (to - from) / 200) setZoom([Math.min(...drag), Math.max(...drag)]);
            setDrag(null);
          }}
          onDoubleClick={() => setZoom(null)}
        />
      )}
      {hoverRow && plot && (
        <div className="chart-tooltip" data-testid="chart-tooltip" style={{ position: 'absolute', top: plot.y + 8, left: Math.min(plot.x + plot.width - 220, Math.max(plot.x, plot.x + 12)), pointerEvents: 'none' }}>
          <div className="muted">game time {formatGameTime(Math.round(hoverRow.t * 60))}</div>
          {lines.map((k, i) =>
            hoverRow[k] === undefined ? null : (
              <div key={k}>
                <i className="swatch" style={{ background: colors[i] }} /> {k}: <b>{formatRate(hoverRow[k])}</b> /min
              </div>
            ),
          )}
        </div>
      )}
      <div className="legend">
        {items.map((k) => (
          <button
            key={k}
            type="button"
            className={hidden.includes(k) ? 'legend-item off' : 'legend-item'}
            aria-pressed={!hidden.includes(k)}
            title={hidden.includes(k) ? 'Show this line' : 'Hide this line'}
            onClick={() => setChart({ hiddenItems: hidden.includes(k) ? hidden.filter((h) => h !== k) : [...hidden, k] })}
            data-testid={`legend-${k}`}
            data-color={palette.get(k)}
          >
            <i className="swatch" style={{ background: palette.get(k) }} />
            {Object.prototype.hasOwnProperty.call(names, k) ? names[k] : k}
          </button>
        ))}
        {mode === 'production' && (
          <label className="legend-item" title="Consumption of the same items, dashed, over their production">
            <input type="checkbox" checked={overlay} onChange={(e) => setOverlay(e.target.checked)} data-testid="overlay-consumption" /> with consumption
          </label>
        )}
        <button type="button" className="legend-item" onClick={exportCsv} data-testid="export-csv" title="The rows on screen, as CSV">
          Export CSV
        </button>
        {zoom && (
          <button type="button" className="legend-item" onClick={() => setZoom(null)} data-testid="zoom-reset">
            Reset zoom
          </button>
        )}
      </div>
      <div className="totals muted" data-testid="totals">
        Over the window:{' '}
        {lines.map((k) => {
          const total = windowTotal(byItem.get(k) ?? []);
          return (
            <span key={k} data-testid={`total-${k}`} data-value={total}>
              {k} {formatRate(Math.round(total))}{' '}
            </span>
          );
        })}
      </div>
    </div>
  );
}
