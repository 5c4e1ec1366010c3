// The production chart: lines drawn as SVG paths with the chart's own scales, a hover readout of
// every line's exact value at the cursor, drag to zoom and double-click to reset, a zero line in
// net mode, colours that belong to the item, 1-2-5 ticks, and CSV export of the rows on screen.
// Windows past what memory holds are read from the history on disk (history.ts).
import { useMemo, useState } from 'react';
import { CartesianGrid, LineChart, ReferenceLine, XAxis, YAxis } from 'recharts';
import { formatGameTime } from '../components/format';
import { useStore } from '../store';
import { chartRows, rowAt, type LineSpec } from './chart-rows';
import { itemColors } from './colors';
import { toCsv } from './csv';
import { formatRate } from './format';
import { useHistoryWindow } from './history';
import { useWidth } from './hooks';
import { ItemMark, useItemIcons } from './icons';
import { LiveRowsCache } from './live-rows';
import { rawFrame, SeriesPaths, type Area, type Drawn, type PathStyle } from './paths';
import { REWIND_LABEL, type Mode, type Row, type SessionSeries } from './series';
import { niceTicks, pixelStep, snapToPixels } from './ticks';

/** Suffix of the consumption line drawn over an item's production line (dashed, same colour). */
export const CONSUMED = ' (consumed)';
/** Suffix of a line as it was played before the n-th load of an earlier save (fainter, same colour). */
export const beforeLoad = (n: number) => ` (before load ${n})`;

/** Where the plot is and which game time a pixel stands for, for the hover and zoom layer. */
interface Plot {
  x: number;
  width: number;
  from: number;
  to: number;
}

// Props of recharts' parts that never change: the same objects every render, so recharts' own
// store sees nothing new.
const MARGIN = { top: 16, right: 24, bottom: 8, left: 8 };
const Y_LABEL = { value: 'items/min', angle: -90, position: 'insideLeft', fill: 'var(--muted)', dy: 30 } as const;
const formatAxisTime = (t: number) => formatGameTime(t * 60);

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
  const [plot, setPlot] = useState<Area | null>(null);
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
  const plotWidth = Math.max(100, width - 96);
  // Asked again once the session has grown by a pixel's worth of game time (at 1000 h, 50 min):
  // a new answer before that would draw the same picture, and costs a large reply to parse.
  const pixelSeconds = Math.max(2, pixelStep(last - windowFrom, plotWidth));
  // The window's start, moving with the game, likewise by whole pixels (not a new query per line).
  const askFrom = Math.floor(windowFrom / pixelSeconds) * pixelSeconds;
  const hist = useHistoryWindow(
    session.id,
    needHistory,
    askFrom,
    undefined,
    items,
    plotWidth,
    Math.floor(last / pixelSeconds),
  );
  const from = zoom
    ? zoom[0]
    : needHistory && hist?.first != null
      ? Math.max(windowFrom, hist.first)
      : span
        ? Math.max(span[0], windowFrom)
        : 0;
  const to = zoom ? zoom[1] : Math.max(last, hist?.last ?? 0);
  // Lines: each visible item (and its consumption), then the same for each earlier line of play
  // (before a load of an earlier save) that reaches into the window.
  const specs = new Map<string, LineSpec>();
  const addLines = (branch: number, suffix: string) => {
    for (const item of visible) specs.set(item + suffix, { item, mode, branch });
    if (both) for (const item of visible) specs.set(item + CONSUMED + suffix, { item, mode: 'consumption', branch });
  };
  addLines(0, '');
  for (const e of session.earlier) {
    const s = e.branch.span();
    if (s && s[1] >= from && s[0] <= to) addLines(e.n, beforeLoad(e.n));
  }
  const lines = [...specs.keys()];
  const palette = itemColors(items);
  const icons = useItemIcons(items);
  const styles: PathStyle[] = lines.map((k) => ({
    key: k,
    color: palette.get(specs.get(k)!.item)!,
    dashed: specs.get(k)!.mode === 'consumption' && mode === 'production',
    faded: specs.get(k)!.branch > 0,
  }));
  // The lines as a set: rows do not depend on their order (the legend's, which follows the ranks).
  const linesKey = [...lines].sort().join('\n');
  // From history, the rows change only with a new answer (every 2 s at most), not with each line;
  // from memory, with each line. Either way at most once per frame (useFrameValue upstream).
  const histRange: [number, number] | null = hist && hist.t.length ? (zoom ?? [hist.t[0], hist.t.at(-1)!]) : null;
  // From memory with only the current line of play in the window: rows and paths follow the
  // session line by line (live-rows.ts) instead of being rebuilt.
  const [live] = useState(() => new LiveRowsCache());
  const times = session.branch.sampleTimes();
  const liveOk =
    !zoom &&
    !hist &&
    !needHistory &&
    windowSeconds > 0 &&
    [...specs.values()].every((s) => s.branch === 0) &&
    times.length > 0 &&
    (session.branch.archivedBuckets === 0 || times[0] <= windowFrom);
  // The memo's keys: the range drawn, and the session's data version only when drawing from memory.
  const [rangeFrom, rangeTo] = histRange ?? [from, to];
  const liveVersion = hist ? 0 : session.version;
  const { rows, totals, lo, hi, drawn } = useMemo((): {
    rows: Row[];
    totals: Map<string, number>;
    lo: number;
    hi: number;
    drawn?: Drawn;
  } => {
    if (liveOk) {
      const specList = lines.map((key) => ({ key, ...specs.get(key)! }));
      const win = live.update(
        `${session.id}|${session.rewinds}|${mode}|${plotWidth}|${windowSeconds}|${linesKey}`,
        session.branch,
        specList,
        windowSeconds,
        from,
        plotWidth,
      );
      const [lo, hi] = win.range();
      return {
        rows: win.rows,
        totals: win.totals(),
        lo,
        hi,
        drawn: { frame: rawFrame(win.origin), paths: win.paths() },
      };
    }
    live.clear();
    return chartRows(session, specs, hist, rangeFrom, rangeTo, plotWidth);
    // From history: the answer, its range (or the zoom), the lines and the width. From memory: the
    // session's data (session.version) and the window as well.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [session, hist, rangeFrom, rangeTo, liveVersion, session.rewinds, mode, plotWidth, linesKey, liveOk]);
  const markers = session.markers.filter((m) => m.t >= from && m.t <= to);
  // The axes move when the data moves by a pixel, not with every line: at 1000 h across 1,200 px a
  // pixel is 50 min of game time, and a new domain makes recharts recompute its axes and re-render.
  const [axisFrom, axisTo] = zoom ? zoom : snapToPixels(from, to, plotWidth);
  const xDomain = useMemo<[number, number]>(() => [axisFrom, axisTo], [axisFrom, axisTo]);
  const ticksKey = niceTicks(lo, hi).join(',');
  const yTicks = useMemo(() => ticksKey.split(',').map(Number), [ticksKey]);
  const yDomain = useMemo<[number, number]>(() => [yTicks[0], yTicks.at(-1)!], [yTicks]);
  const geom: Plot | null = plot ? { x: plot.x, width: plot.width, from: axisFrom, to: axisTo } : null;
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
        // No `data`: the lines are ours (paths.tsx), and rows handed to recharts were processed by its
        // selectors on every update for nothing but the axes, whose domains are given here.
        <LineChart width={width} height={360} margin={MARGIN}>
          <CartesianGrid stroke="var(--line)" strokeDasharray="3 3" />
          {/* interval 0: every tick shown, none measured (recharts measures each label in the DOM to
              thin them out otherwise; five time labels and at most nine rates never collide here). */}
          <XAxis
            type="number"
            dataKey="t"
            domain={xDomain}
            tickFormatter={formatAxisTime}
            stroke="var(--muted)"
            allowDataOverflow
            interval={0}
          />
          <YAxis
            type="number"
            domain={yDomain}
            ticks={yTicks}
            allowDataOverflow
            stroke="var(--muted)"
            width={72}
            tickFormatter={formatRate}
            label={Y_LABEL}
            interval={0}
          />
          {mode === 'net' && (
            <ReferenceLine
              y={0}
              stroke="var(--chart-zero)"
              strokeWidth={1.2}
              data-testid="zero-line"
              className="zero-line"
            />
          )}
          {markers.map((m) => (
            <ReferenceLine
              key={`${m.t}-${m.label}`}
              x={m.t}
              stroke="var(--chart-marker)"
              strokeDasharray="4 3"
              className={m.label === REWIND_LABEL ? 'rewind-line' : 'marker-line'}
              label={{ value: m.label, fill: 'var(--chart-marker)', position: 'insideTopLeft' }}
            />
          ))}
          <SeriesPaths
            rows={rows}
            drawn={drawn}
            lines={styles}
            onPlot={(p) =>
              plot && p.x === plot.x && p.width === plot.width && p.y === plot.y ? undefined : setPlot(p)
            }
          />
          {hoverRow && geom && <ReferenceLine x={hoverRow.t} stroke="var(--muted)" />}
          {drag && <ReferenceLine x={drag[0]} stroke="var(--chart-drag)" />}
          {drag && <ReferenceLine x={drag[1]} stroke="var(--chart-drag)" />}
        </LineChart>
      )}
      {plot && (
        <div
          className="chart-hover"
          data-testid="chart-hover"
          style={{
            position: 'absolute',
            left: plot.x,
            top: plot.y,
            width: plot.width,
            height: plot.height,
            cursor: 'crosshair',
          }}
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
            if (drag && Math.abs(drag[1] - drag[0]) > (to - from) / 200)
              setZoom([Math.min(...drag), Math.max(...drag)]);
            setDrag(null);
          }}
          onDoubleClick={() => setZoom(null)}
        />
      )}
      {hoverRow && plot && (
        <div
          className="chart-tooltip"
          data-testid="chart-tooltip"
          style={{
            position: 'absolute',
            top: plot.y + 8,
            left: Math.min(plot.x + plot.width - 220, Math.max(plot.x, plot.x + 12)),
            pointerEvents: 'none',
          }}
        >
          <div className="muted">game time {formatGameTime(Math.round(hoverRow.t * 60))}</div>
          {lines.map((k, i) =>
            hoverRow[k] === undefined ? null : (
              <div key={k}>
                <ItemMark item={specs.get(k)!.item} color={styles[i].color} icons={icons} /> {k}:{' '}
                <b>{formatRate(hoverRow[k])}</b> /min
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
            onClick={() =>
              setChart({ hiddenItems: hidden.includes(k) ? hidden.filter((h) => h !== k) : [...hidden, k] })
            }
            data-testid={`legend-${k}`}
            data-color={palette.get(k)}
          >
            <ItemMark item={k} color={palette.get(k)} icons={icons} />
            {Object.prototype.hasOwnProperty.call(names, k) ? names[k] : k}
          </button>
        ))}
        {mode === 'production' && (
          <label className="legend-item" title="Consumption of the same items, dashed, over their production">
            <input
              type="checkbox"
              checked={overlay}
              onChange={(e) => setOverlay(e.target.checked)}
              data-testid="overlay-consumption"
            />{' '}
            with consumption
          </label>
        )}
        <button
          type="button"
          className="legend-item"
          onClick={exportCsv}
          data-testid="export-csv"
          title="The rows on screen, as CSV"
        >
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
        {lines.map((k, i) => {
          const total = totals.get(k) ?? 0;
          return (
            <span key={k} data-testid={`total-${k}`} data-value={total}>
              <ItemMark item={specs.get(k)!.item} color={styles[i].color} icons={icons} /> {k}{' '}
              {formatRate(Math.round(total))}{' '}
            </span>
          );
        })}
      </div>
    </div>
  );
}
