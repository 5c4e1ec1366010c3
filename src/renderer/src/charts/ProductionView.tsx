// Live production/consumption charts for one game session: header, controls, the chart and a
// readout of each selected item's newest value. Items/min throughout.
import { useMemo, useState } from 'react';
import { CartesianGrid, LineChart, ReferenceLine, Tooltip, usePlotArea, useXAxisScale, useYAxisScale, XAxis, YAxis } from 'recharts';
import { api } from '../api/client';
import { formatAge, formatGameTime } from '../components/format';
import { useNow } from '../components/useNow';
import { activeSessionId, series, useStore, type WindowSeconds } from '../store';
import { useFrameValue, useWidth } from './hooks';
import { downsample, type Mode, type Row, type SessionSeries } from './series';

const DEFAULT_TOP = 8;
const COLORS = ['#f2a33a', '#4fa3e0', '#6cc070', '#e05a4f', '#b58de8', '#e0d24f', '#4fd1c5', '#e87fb4', '#a0a8b8', '#d9915b', '#7c9be0', '#9ed47a'];
const MODES: [Mode, string][] = [
  ['production', 'Production'],
  ['consumption', 'Consumption'],
  ['net', 'Net (production − consumption)'],
];
const WINDOWS: [WindowSeconds, string][] = [
  [300, '5 min'],
  [1800, '30 min'],
  [7200, '2 h'],
  [0, 'Session'],
];

/** Rates as written (up to 2 decimals, as the scenario writes them), with thousands separators. */
export function formatRate(v: number): string {
  return v.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

function useActiveSession(): SessionSeries | null {
  const id = useStore(activeSessionId);
  // Re-render when this session's data changes, at most once a frame.
  useFrameValue((s) => (id ? s.sessionVersions[id] : 0));
  return id ? (series.sessions.get(id) ?? null) : null;
}

function SessionHeader({ session }: { session: SessionSeries }) {
  const ids = useStore((s) => s.sessionIds);
  const pinned = useStore((s) => s.pinnedSession);
  const setChart = useStore((s) => s.setChart);
  const now = useNow(500);
  const gap = Math.max(session.typicalGapMs() ?? 2000, 250);
  const age = session.lastUpdateAt === null ? null : now - session.lastUpdateAt;
  const stale = age !== null && age > 3 * gap;
  return (
    <div className="session-header">
      <label>
        Session{' '}
        <select value={pinned ?? ''} onChange={(e) => setChart({ pinnedSession: e.target.value || null, selectedItems: null, hiddenItems: [] })} data-testid="session-picker">
          <option value="">Follow the newest</option>
          {[...ids].reverse().map((id) => (
            <option key={id} value={id}>
              {id} · {series.sessions.get(id)?.level ?? '?'}
            </option>
          ))}
        </select>
      </label>
      <span className="mono" data-testid="session-id">
        {session.id}
      </span>
      <span data-testid="session-level">{session.level ?? 'level unknown'}</span>
      <span data-testid="session-tick">
        tick {session.lastTick.toLocaleString('en-US')} · {formatGameTime(session.lastTick)}
      </span>
      <span data-testid="session-age">{age === null ? 'no stats yet' : `updated ${formatAge(age)}`}</span>
      {stale && (
        <span className="stale" data-testid="stale-marker" title={`No stats for more than 3 cycles (${Math.round((3 * gap) / 100) / 10} s)`}>
          STALE
        </span>
      )}
    </div>
  );
}

function ItemPicker({ session, mode, selected }: { session: SessionSeries; mode: Mode; selected: string[] }) {
  const setChart = useStore((s) => s.setChart);
  const [query, setQuery] = useState('');
  const all = session.topItems(mode, Infinity);
  const shown = all.filter((i) => i.includes(query.trim().toLowerCase()));
  const toggle = (item: string) => setChart({ selectedItems: selected.includes(item) ? selected.filter((i) => i !== item) : [...selected, item] });
  return (
    <details className="picker">
      <summary data-testid="item-picker">
        Items ({selected.length} of {all.length})
      </summary>
      <div className="picker-body">
        <div className="picker-actions">
          <input placeholder="Search items" value={query} onChange={(e) => setQuery(e.target.value)} data-testid="item-picker-search" />
          <button type="button" onClick={() => setChart({ selectedItems: null, hiddenItems: [] })}>
            Top {DEFAULT_TOP}
          </button>
          <button type="button" onClick={() => setChart({ selectedItems: [] })}>
            None
          </button>
        </div>
        <div className="picker-list">
          {shown.map((item) => (
            <label key={item}>
              <input type="checkbox" checked={selected.includes(item)} onChange={() => toggle(item)} data-testid={`item-option-${item}`} /> {item}
              <span className="muted"> {formatRate(session.latest(item, mode) ?? 0)}</span>
            </label>
          ))}
        </div>
      </div>
    </details>
  );
}

/**
 * The series as one SVG path each, drawn with the chart's own scales. Recharts' <Line> builds a
 * label entry per point even when no labels are shown (object spreads on every render), which
 * made each update take 50-150 ms at ~1,000 points x 8 lines in the charts benchmark; this costs
 * one string per line.
 */
function SeriesPaths({ rows, keys, colors }: { rows: Row[]; keys: string[]; colors: string[] }) {
  const x = useXAxisScale();
  const y = useYAxisScale();
  const area = usePlotArea();
  if (!x || !y || !area) return null;
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
        return <path key={k} className="series-line" data-key={k} d={d} fill="none" stroke={colors[i]} strokeWidth={1.6} clipPath="url(#plot-clip)" />;
      })}
    </g>
  );
}

/** A y range that shows every visible value with a little headroom, from 0 for rates. */
function yDomain(rows: Row[], keys: string[]): [number, number] {
  let lo = 0;
  let hi = 0;
  for (const r of rows)
    for (const k of keys) {
      const v = r[k];
      if (v === undefined) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  if (hi === lo) hi = lo + 1;
  return [lo < 0 ? -niceCeil(-lo * 1.05) : 0, niceCeil(hi * 1.05)];
}

/** The smallest of 1, 2, 2.5, 5 x 10^k that is at least x, so the axis ends on a round number. */
function niceCeil(x: number): number {
  if (x <= 0) return 1;
  const k = 10 ** Math.floor(Math.log10(x));
  return ([1, 2, 2.5, 5, 10].find((m) => m * k >= x) ?? 10) * k;
}

function RowTooltip({ active, label, rows, keys, colors }: { active?: boolean; label?: unknown; rows: Row[]; keys: string[]; colors: string[] }) {
  if (!active || label === undefined) return null;
  const t = Number(label);
  // The nearest row at or before the cursor; at full resolution this is the exact sample.
  let row: Row | undefined;
  for (const r of rows) {
    if (r.t > t) break;
    row = r;
  }
  if (!row) return null;
  return (
    <div className="chart-tooltip" data-testid="chart-tooltip">
      <div className="muted">game time {formatGameTime(row.t * 60)}</div>
      {keys.map((k, i) =>
        row[k] === undefined ? null : (
          <div key={k}>
            <i className="swatch" style={{ background: colors[i] }} /> {k}: <b>{formatRate(row[k])}</b> /min
          </div>
        ),
      )}
    </div>
  );
}

function Chart({ session, mode, windowSeconds, items, hidden }: { session: SessionSeries; mode: Mode; windowSeconds: WindowSeconds; items: string[]; hidden: string[] }) {
  const setChart = useStore((s) => s.setChart);
  const [ref, width] = useWidth<HTMLDivElement>();
  const span = session.span();
  const to = span ? span[1] : 0;
  const from = span ? (windowSeconds === 0 ? span[0] : Math.max(span[0], to - windowSeconds)) : 0;
  const visible = items.filter((i) => !hidden.includes(i));
  const colors = visible.map((k) => COLORS[items.indexOf(k) % COLORS.length]);
  const plotWidth = Math.max(100, width - 96);
  const visibleKey = visible.join('\n');
  const rows = useMemo(
    () => (span ? downsample(visible.map((key) => ({ key, points: session.points(key, mode, from) })), from, to, plotWidth) : []),
    // session.version changes with the data; the rest are the inputs.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [session, session.version, mode, from, to, plotWidth, visibleKey],
  );
  const markers = session.markers.filter((m) => m.t >= from && m.t <= to);
  return (
    <div ref={ref} className="chart" data-testid="chart" data-from={from} data-to={to} data-rows={rows.length} data-series={visible.join(',')} data-mode={mode}>
      {width > 0 && (
        <LineChart width={width} height={360} data={rows} margin={{ top: 16, right: 24, bottom: 8, left: 8 }}>
          <CartesianGrid stroke="#30343c" strokeDasharray="3 3" />
          <XAxis type="number" dataKey="t" domain={[from, to]} tickFormatter={(t: number) => formatGameTime(t * 60)} stroke="#8b919b" allowDataOverflow />
          <YAxis type="number" domain={yDomain(rows, visible)} allowDataOverflow stroke="#8b919b" width={72} tickFormatter={(v: number) => formatRate(Math.round(v))} label={{ value: 'items/min', angle: -90, position: 'insideLeft', fill: '#8b919b', dy: 30 }} />
          <Tooltip isAnimationActive={false} content={(p) => <RowTooltip active={p.active} label={p.label} rows={rows} keys={visible} colors={colors} />} />
          {markers.map((m) => (
            <ReferenceLine key={`${m.t}-${m.label}`} x={m.t} stroke="#e0b33a" strokeDasharray="4 3" label={{ value: m.label, fill: '#e0b33a', position: 'insideTopLeft' }} />
          ))}
          <SeriesPaths rows={rows} keys={visible} colors={colors} />
        </LineChart>
      )}
      <div className="legend">
        {items.map((k, i) => (
          <button
            key={k}
            type="button"
            className={hidden.includes(k) ? 'legend-item off' : 'legend-item'}
            aria-pressed={!hidden.includes(k)}
            title={hidden.includes(k) ? 'Show this line' : 'Hide this line'}
            onClick={() => setChart({ hiddenItems: hidden.includes(k) ? hidden.filter((h) => h !== k) : [...hidden, k] })}
            data-testid={`legend-${k}`}
          >
            <i className="swatch" style={{ background: COLORS[i % COLORS.length] }} />
            {k}
          </button>
        ))}
      </div>
    </div>
  );
}

function Readouts({ session, mode, items }: { session: SessionSeries; mode: Mode; items: string[] }) {
  return (
    <div className="readouts">
      {items.map((item, i) => {
        const v = session.latest(item, mode);
        return (
          <div className="readout" key={item}>
            <i className="swatch" style={{ background: COLORS[i % COLORS.length] }} />
            <span className="readout-item">{item}</span>
            <span className="readout-value" data-testid={`readout-${item}`} data-value={v ?? ''}>
              {v === null ? '—' : formatRate(v)}
            </span>
            <span className="muted">/min</span>
          </div>
        );
      })}
    </div>
  );
}

function NoData() {
  const demo = useStore((s) => s.demo);
  const counters = useStore((s) => s.pipeCounters);
  return (
    <div className="planned" data-testid="production-empty">
      <p>No game session yet. Production and consumption charts appear with the first stats line from the scenario{counters ? ` (reading ${counters.path})` : ''}.</p>
      {!demo?.running && (
        <button type="button" onClick={() => void api().call('demo.start', {}).then((d) => useStore.setState({ demo: d }))} data-testid="production-start-demo">
          Start the demo feed
        </button>
      )}
    </div>
  );
}

export function ProductionView() {
  const session = useActiveSession();
  const mode = useStore((s) => s.mode);
  const windowSeconds = useStore((s) => s.windowSeconds);
  const selectedItems = useStore((s) => s.selectedItems);
  const hidden = useStore((s) => s.hiddenItems);
  const setChart = useStore((s) => s.setChart);
  if (!session) return <NoData />;
  const items = selectedItems ?? session.topItems(mode, DEFAULT_TOP);
  return (
    <div className="production">
      <SessionHeader session={session} />
      <div className="chart-controls">
        <div className="segmented" role="group" aria-label="Mode">
          {MODES.map(([m, label]) => (
            <button key={m} type="button" className={m === mode ? 'on' : ''} aria-pressed={m === mode} onClick={() => setChart({ mode: m })} data-testid={`mode-${m}`}>
              {label}
            </button>
          ))}
        </div>
        <div className="segmented" role="group" aria-label="Time window">
          {WINDOWS.map(([w, label]) => (
            <button key={w} type="button" className={w === windowSeconds ? 'on' : ''} aria-pressed={w === windowSeconds} onClick={() => setChart({ windowSeconds: w })} data-testid={`window-${w}`}>
              {label}
            </button>
          ))}
        </div>
        <ItemPicker session={session} mode={mode} selected={items} />
      </div>
      <Chart session={session} mode={mode} windowSeconds={windowSeconds} items={items} hidden={hidden} />
      <Readouts session={session} mode={mode} items={items} />
      {session.markers.length > 0 && (
        <div className="markers muted">
          {session.markers.map((m) => (
            <span key={`${m.t}-${m.label}`} data-testid="marker">
              {m.label} at {formatGameTime(m.t * 60)}
            </span>
          ))}
        </div>
      )}
    </div>
  );
}
