// Live production/consumption charts for one game session: header, controls, the chart and a
// readout of each selected item's newest value. Items/min throughout.
import { useEffect, useState } from 'react';
import { formatAge, formatGameTime } from '../components/format';
import { useNow } from '../components/useNow';
import { activeSessionId, series, useStore, type WindowSeconds } from '../store';
import { ChartPanel } from '../charts/ChartPanel';
import { itemColors } from '../charts/colors';
import { byName, formatRate } from '../charts/format';
import { useFrameValue } from '../charts/hooks';
import { ItemMark, useItemIcons } from '../charts/icons';
import '../charts/production.css';
import { staleness } from '../charts/staleness';
import type { Mode, SessionSeries } from '../charts/series';

const DEFAULT_TOP = 8;
const MODES: [Mode, string][] = [
  ['production', 'Production'],
  ['consumption', 'Consumption'],
  ['net', 'Net (production − consumption)'],
];
/** The game's production windows and longer; 0 is everything the history holds. */
const WINDOWS: [WindowSeconds, string][] = [
  [60, '1 min'],
  [600, '10 min'],
  [3600, '1 h'],
  [36_000, '10 h'],
  [180_000, '50 h'],
  [900_000, '250 h'],
  [3_600_000, '1000 h'],
  [0, 'All'],
];

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
  const demo = useStore((s) => s.demo);
  const { stale, age, limitMs } = staleness(session, now);
  return (
    <div className="session-header">
      {demo?.running && (
        <span className="demo-hint" data-testid="demo-notice">
          <span className="demo-badge" data-testid="demo-badge" title={demo.message}>
            Demo - simulated factory
          </span>{' '}
          Not your game:{' '}
          <a href="#/events" data-testid="demo-connect">
            connect Factorio (Events view, set-up)
          </a>
        </span>
      )}
      <label>
        Session{' '}
        <select
          value={pinned ?? ''}
          onChange={(e) => setChart({ pinnedSession: e.target.value || null, selectedItems: null, hiddenItems: [] })}
          data-testid="session-picker"
        >
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
        <span
          className="stale"
          data-testid="stale-marker"
          title={`No stats for more than 3 cycles (${Math.round(limitMs / 100) / 10} s)`}
        >
          STALE
        </span>
      )}
    </div>
  );
}

/** Item id -> English name (from the player's Factorio folder), when known. */
type Names = Record<string, string>;
const label = (names: Names, item: string) => (Object.prototype.hasOwnProperty.call(names, item) ? names[item] : item);

function ItemPicker({
  session,
  mode,
  selected,
  names,
}: {
  session: SessionSeries;
  mode: Mode;
  selected: string[];
  names: Names;
}) {
  const setChart = useStore((s) => s.setChart);
  const [query, setQuery] = useState('');
  // By name: the list stays put while rates change (the rate is shown beside each).
  const all = session.items().sort(byName);
  const q = query.trim().toLowerCase();
  const shown = all.filter((i) => i.includes(q) || label(names, i).toLowerCase().includes(q));
  const toggle = (item: string) =>
    setChart({ selectedItems: selected.includes(item) ? selected.filter((i) => i !== item) : [...selected, item] });
  // The list (every item, each with its rate) is built only while the picker is open.
  const [open, setOpen] = useState(false);
  const icons = useItemIcons(open ? shown : []);
  const palette = itemColors(selected);
  return (
    <details className="picker" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary data-testid="item-picker">
        Items ({selected.length} of {all.length})
      </summary>
      <div className="picker-body">
        <div className="picker-actions">
          <input
            placeholder="Search items"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            data-testid="item-picker-search"
          />
          <button type="button" onClick={() => setChart({ selectedItems: null, hiddenItems: [] })}>
            Top {DEFAULT_TOP}
          </button>
          <button type="button" onClick={() => setChart({ selectedItems: [] })}>
            None
          </button>
        </div>
        <div className="picker-list">
          {(open ? shown : []).map((item) => (
            <label key={item}>
              <input
                type="checkbox"
                checked={selected.includes(item)}
                onChange={() => toggle(item)}
                data-testid={`item-option-${item}`}
              />{' '}
              <ItemMark item={item} color={palette.get(item)} icons={icons} />{' '}
              <span title={item}>{label(names, item)}</span>
              <span className="muted"> {formatRate(session.latest(item, mode) ?? 0)}</span>
            </label>
          ))}
        </div>
      </div>
    </details>
  );
}

function Readouts({
  session,
  mode,
  items,
  names,
}: {
  session: SessionSeries;
  mode: Mode;
  items: string[];
  names: Names;
}) {
  const palette = itemColors(items);
  const icons = useItemIcons(items);
  return (
    <div className="readouts">
      {items.map((item) => {
        const v = session.latest(item, mode);
        return (
          <div className="readout" key={item}>
            <ItemMark item={item} color={palette.get(item)} icons={icons} />
            <span className="readout-item" title={item} data-testid={`readout-name-${item}`}>
              {label(names, item)}
            </span>
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
  const startDemo = useStore((s) => s.startDemo);
  return (
    <div className="planned" data-testid="production-empty">
      <p>
        No game session yet. Production and consumption charts appear with the first stats line from the scenario
        {counters ? ` (reading ${counters.path})` : ''}.
      </p>
      {!demo?.running && (
        <button type="button" onClick={() => void startDemo()} data-testid="production-start-demo">
          Start the demo feed
        </button>
      )}
    </div>
  );
}

export function ProductionView() {
  const session = useActiveSession();
  const runId = useStore((s) => s.info?.runId);
  // Sessions kept on disk from earlier runs of the app, once per run of main.
  const [names, setNames] = useState<Names>({});
  const loadItemNames = useStore((s) => s.loadItemNames);
  const seedHistory = useStore((s) => s.seedHistory);
  useEffect(() => {
    if (!runId) return;
    void seedHistory().then((r) => r.ok || console.error('history: could not load earlier sessions', r.error));
    void loadItemNames().then((r) =>
      r.ok ? setNames(r.value) : console.error('history: could not load item names', r.error),
    );
  }, [runId, loadItemNames, seedHistory]);
  const mode = useStore((s) => s.mode);
  const windowSeconds = useStore((s) => s.windowSeconds);
  const selectedItems = useStore((s) => s.selectedItems);
  const hidden = useStore((s) => s.hiddenItems);
  const setChart = useStore((s) => s.setChart);
  const connection = useStore((s) => s.connection);
  if (!session) return <NoData />;
  const items = selectedItems ?? session.topItems(mode, DEFAULT_TOP);
  // Without a connection the numbers are the last ones seen: greyed, never passed off as live.
  const offline = connection !== 'open';
  return (
    <div
      className={offline ? 'production disconnected' : 'production'}
      data-connected={!offline}
      style={offline ? { opacity: 0.45, filter: 'grayscale(1)' } : undefined}
    >
      <SessionHeader session={session} />
      <div className="chart-controls">
        <div className="segmented" role="group" aria-label="Mode">
          {MODES.map(([m, label]) => (
            <button
              key={m}
              type="button"
              className={m === mode ? 'on' : ''}
              aria-pressed={m === mode}
              onClick={() => setChart({ mode: m })}
              data-testid={`mode-${m}`}
            >
              {label}
            </button>
          ))}
        </div>
        <div className="segmented" role="group" aria-label="Time window">
          {WINDOWS.map(([w, label]) => (
            <button
              key={w}
              type="button"
              className={w === windowSeconds ? 'on' : ''}
              aria-pressed={w === windowSeconds}
              onClick={() => setChart({ windowSeconds: w })}
              data-testid={`window-${w}`}
            >
              {label}
            </button>
          ))}
        </div>
        <ItemPicker session={session} mode={mode} selected={items} names={names} />
      </div>
      <ChartPanel
        session={session}
        mode={mode}
        windowSeconds={windowSeconds}
        items={items}
        hidden={hidden}
        names={names}
      />
      <Readouts session={session} mode={mode} items={items} names={names} />
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
