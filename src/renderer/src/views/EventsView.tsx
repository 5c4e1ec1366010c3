// The raw event stream: counters, the demo feed switch, a filtered live table (virtualized, so
// thousands of rows cost only the visible ones) and the last rejected lines with their reasons.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { FactorioDetection, FactorioInstallResult } from '../../../shared/api';
import type { PipeCounters, PipeEvent } from '../../../shared/events';
import { RECENT_EVENTS, useStore } from '../store';
import { pipeFigures } from '../store/pipe-figures';
import { formatAge, formatGameTime, summarize } from '../components/format';
import { ActionButton, DataArea, ErrorState, useOnline, whyNot } from '../components/states';
import { useNow } from '../components/useNow';

const TYPE_FILTERS = ['all', 'stats', 'session_init', 'other'] as const;
type TypeFilter = (typeof TYPE_FILTERS)[number];

function Counters() {
  const c = useStore((s) => s.pipeCounters);
  const newest = useStore((s) => s.recentEvents.at(-1));
  const offset = useStore((s) => s.pipeSeqOffset);
  const pipeState = useStore((s) => s.status?.services.pipe);
  const now = useNow(1000);
  if (!c)
    return (
      <ErrorState title="The event pipe is not running" testId="pipe-not-running">
        {pipeState?.summary ?? 'See the status bar.'}
      </ErrorState>
    );
  // Derived from the table's newest row in the same store update, so they never trail it.
  const f = pipeFigures(c, newest, offset);
  const cells: [string, string, string | number][] = [
    ['mode', 'Mode', c.mode ?? '—'],
    ['linesRead', 'Lines read', f.linesRead],
    ['accepted', 'Accepted', f.accepted],
    ['rejected', 'Rejected', c.rejectedTotal],
    ['evicted', 'Evicted', c.evicted],
    ['cached', 'In memory', `${f.cached} / ${c.capacity}`],
    ['writerHangups', 'Writer hang-ups', c.writerHangups ?? 'n/a'],
    ['lastEventAge', 'Last event', f.lastEventAt ? formatAge(now - f.lastEventAt) : 'none yet'],
  ];
  return (
    <div className="counters">
      {cells.map(([id, label, value]) => (
        <div className="counter" key={id}>
          <div className="counter-label">{label}</div>
          <div className="counter-value" data-testid={`counter-${id}`}>
            {value}
          </div>
        </div>
      ))}
      <div className="counter wide">
        <div className="counter-label">Path</div>
        <div className="counter-value path" data-testid="counter-path" title={c.path}>
          {c.path}
          {c.createdFifo ? ' (FIFO created by us, removed on stop)' : ''}
        </div>
      </div>
      {c.rejectedTotal > 0 && (
        <div className="counter wide">
          <div className="counter-label">Rejected by reason</div>
          <div className="counter-value small" data-testid="counter-rejected-reasons">
            {Object.entries(c.rejected)
              .map(([r, n]) => `${r}: ${n}`)
              .join(' · ')}
          </div>
        </div>
      )}
    </div>
  );
}

function DemoControls() {
  const demo = useStore((s) => s.demo);
  const online = useOnline();
  const [error, setError] = useState<string | null>(null);
  const toggleDemo = useStore((s) => s.toggleDemo);
  const toggle = async () => {
    setError(null);
    const r = await toggleDemo();
    if (!r.ok) setError(r.error);
  };
  return (
    <div className="demo">
      <ActionButton onClick={() => void toggle()} disabledReason={whyNot(online)} testId="demo-toggle">
        {demo?.running ? 'Stop demo feed' : 'Start demo feed'}
      </ActionButton>
      <span className="muted" data-testid="demo-status">
        {demo
          ? demo.running
            ? `Demo feed ${demo.auto ? '(started because no Factorio was found) ' : ''}— ${demo.message}`
            : `Demo feed: ${demo.message}`
          : ''}
      </span>
      {error && <span className="issue">{error}</span>}
    </div>
  );
}

/**
 * First run: while no game has written (or the demo feed runs), say where Factorio is, install the
 * stats mod there, and hand over to Production when the mod's first stats line arrives.
 */
function FactorioSetup() {
  const demoRunning = useStore((s) => s.demo?.running ?? false);
  const hasStats = useStore((s) => s.recentEvents.some((e) => e.event.type === 'stats'));
  const [found, setFound] = useState<FactorioDetection | null>(null);
  const [installed, setInstalled] = useState<FactorioInstallResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const detectFactorio = useStore((s) => s.detectFactorio);
  const installMod = useStore((s) => s.installMod);
  useEffect(() => {
    void detectFactorio().then((r) => (r.ok ? setFound(r.value) : setError(r.error)));
  }, [detectFactorio]);
  // The mod's first stats line after installing: the set-up is done, show the production.
  useEffect(() => {
    if (installed && hasStats && !demoRunning) location.hash = '#/production';
  }, [installed, hasStats, demoRunning]);
  if (hasStats && !demoRunning && !installed) return null;
  const install = async () => {
    setBusy(true);
    setError(null);
    const r = await installMod(found?.userDataDir ?? undefined);
    if (r.ok) setInstalled(r.value);
    else setError(r.error);
    setBusy(false);
  };
  const installedHere = found?.mod?.versions.length && found.mod.enabled !== false;
  return (
    <section className="factorio-setup" data-testid="factorio-setup">
      <h2>Chart your own game</h2>
      {found === null && !error && <p className="muted">Looking for Factorio…</p>}
      {found && (
        <p data-testid="factorio-found">
          {found.userDataDir
            ? `Factorio found at ${found.userDataDir}${found.gameVersion ? ` (Factorio ${found.gameVersion})` : ''}${installedHere ? ' — the mod is installed there' : ''}.`
            : `Factorio's user data folder was not found (looked in ${found.candidates.map((c) => c.path).join(', ')}). Set it in Settings (factorio.userDataDir).`}
        </p>
      )}
      <p className="muted">
        The Control Room mod only reads the game's production statistics and writes them to a file; it adds no items,
        recipes or buildings, and can be added to any save and removed again. Achievements: Factorio keeps achievements
        earned with mods apart from the normal ones, so expect a save played with this mod not to earn the normal
        (Steam) achievements, even though the mod changes nothing in the game. To play for achievements, turn it off in
        Factorio's Mods menu.
      </p>
      {found?.userDataDir && !installed && (
        <button type="button" disabled={busy} onClick={() => void install()} data-testid="factorio-install">
          {busy ? 'Installing…' : 'Install the mod'}
        </button>
      )}
      {installed && (
        <div data-testid="factorio-installed">
          <p>
            Installed <code>{installed.zipPath}</code> and enabled it in <code>{installed.modListPath}</code>
            {installed.backupPath ? (
              <>
                {' '}
                (the previous list is kept as <code>{installed.backupPath}</code>)
              </>
            ) : null}
            . The event pipe now reads <code data-testid="factorio-pipe-path">{installed.pipePath}</code>.
          </p>
          {installed.notes.map((n) => (
            <p className="issue" key={n}>
              {n}
            </p>
          ))}
          <p className="muted" data-testid="factorio-waiting">
            Start or load a game in Factorio {installed.gameVersion}; waiting for the first line…
          </p>
        </div>
      )}
      {error && (
        <p className="issue" data-testid="factorio-error">
          {error}
        </p>
      )}
    </section>
  );
}

/** One empty list for every render: a selector that made a new [] each time would never settle. */
const NONE_REJECTED: PipeCounters['recentRejected'] = [];

function Rejected() {
  const rows = useStore((s) => s.pipeCounters?.recentRejected ?? NONE_REJECTED);
  if (!rows.length) return null;
  return (
    <section className="rejected">
      <h2>Rejected lines (last {rows.length})</h2>
      <table>
        <tbody>
          {[...rows].reverse().map((r, i) => (
            <tr key={`${r.at}-${i}`} data-testid="rejected-row" data-reason={r.reason}>
              <td className="nowrap">{new Date(r.at).toLocaleTimeString()}</td>
              <td className="nowrap reason">{r.reason}</td>
              <td>{r.message}</td>
              <td className="preview">
                <code>{r.preview}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function useFilteredEvents(text: string, type: TypeFilter): PipeEvent[] {
  const live = useStore((s) => s.recentEvents);
  const queryEvents = useStore((s) => s.queryEvents);
  const [result, setResult] = useState<PipeEvent[] | null>(null);
  const filtering = text !== '' || type !== 'all';
  const types = type === 'all' || type === 'other' ? undefined : [type];
  const lastSeq = live.at(-1)?.seq ?? 0;
  // Filtering runs in main over the whole cache (findContaining), refreshed as events arrive.
  useEffect(() => {
    if (!filtering) return;
    let cancelled = false;
    const t = setTimeout(async () => {
      const r = await queryEvents({ text: text || undefined, types, limit: RECENT_EVENTS });
      // Not answered (disconnected, say): the last result stays until the next change asks again.
      if (!r.ok) return;
      let events = r.value;
      if (type === 'other') events = events.filter((e) => e.event.type !== 'stats' && e.event.type !== 'session_init');
      if (!cancelled) setResult(events);
    }, 250);
    return () => {
      cancelled = true;
      clearTimeout(t);
    };
    // types derives from type; lastSeq refreshes the result when new events arrive.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filtering, text, type, lastSeq]);
  return filtering ? (result ?? []) : live;
}

function EventTable({
  events,
  selected,
  onSelect,
  filtering,
}: {
  events: PipeEvent[];
  selected: number | null;
  onSelect: (e: PipeEvent) => void;
  filtering: boolean;
}) {
  const parent = useRef<HTMLDivElement>(null);
  const rows = useMemo(() => [...events].reverse(), [events]);
  // TanStack Virtual hands back functions the React Compiler cannot memoize; that is expected here.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => parent.current,
    estimateSize: () => 28,
    overscan: 12,
  });
  return (
    <div className="event-table">
      <div className="event-row head" aria-hidden="true">
        <span>#</span>
        <span>Received</span>
        <span>Type</span>
        <span>Session</span>
        <span>Tick</span>
        <span>Game time</span>
        <span>Summary</span>
      </div>
      <div
        className="event-scroll"
        ref={parent}
        data-testid="events-table"
        role="group"
        aria-label="Events, newest first: choose one to see its raw JSON"
      >
        {rows.length === 0 && (
          <p className="muted empty-rows" data-testid="events-empty">
            {filtering
              ? 'No event matches the filter.'
              : 'No events yet: they appear here as the game (or the demo feed) writes them.'}
          </p>
        )}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((v) => {
            const e = rows[v.index];
            const ev = e.event as { type: string; session_id?: unknown; tick?: unknown };
            const tick = typeof ev.tick === 'number' ? ev.tick : null;
            const summary = summarize(e);
            return (
              <button
                type="button"
                key={e.seq}
                className={`event-row${selected === e.seq ? ' selected' : ''}`}
                onClick={() => onSelect(e)}
                aria-pressed={selected === e.seq}
                aria-label={`Event ${e.seq}, ${ev.type}: ${summary}`}
                data-testid="event-row"
                data-seq={e.seq}
                data-type={ev.type}
                style={{ position: 'absolute', top: 0, transform: `translateY(${v.start}px)`, height: v.size }}
              >
                <span>{e.seq}</span>
                <span>{new Date(e.receivedAt).toLocaleTimeString()}</span>
                <span>{ev.type}</span>
                <span className="mono">{typeof ev.session_id === 'string' ? ev.session_id : '—'}</span>
                <span>{tick ?? '—'}</span>
                <span>{tick === null ? '—' : formatGameTime(tick)}</span>
                <span className="summary" title={summary}>
                  {summary}
                </span>
              </button>
            );
          })}
        </div>
      </div>
    </div>
  );
}

/** One event's raw JSON and line; takes focus when opened so keyboard users land on it. */
function EventDetails({ event, onClose }: { event: PipeEvent; onClose: () => void }) {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    ref.current?.focus();
    ref.current?.scrollIntoView?.({ block: 'nearest' });
  }, [event.seq]);
  return (
    <section
      className="event-details"
      ref={ref}
      tabIndex={-1}
      aria-label={`Event ${event.seq} details`}
      data-testid="event-details"
      onKeyDown={(e) => e.key === 'Escape' && onClose()}
    >
      <div className="event-details-head">
        <h2>
          Event {event.seq}: {(event.event as { type: string }).type}
        </h2>
        <button type="button" onClick={onClose} data-testid="event-details-close">
          Close
        </button>
      </div>
      <p className="muted">{summarize(event)}</p>
      <pre className="event-json" data-testid="event-details-json">
        {JSON.stringify(event.event, null, 2)}
      </pre>
    </section>
  );
}

export function EventsView() {
  const [text, setText] = useState('');
  const [type, setType] = useState<TypeFilter>('all');
  const events = useFilteredEvents(text, type);
  const [selected, setSelected] = useState<PipeEvent | null>(null);
  return (
    <DataArea className="events-view">
      <FactorioSetup />
      <DemoControls />
      <Counters />
      <div className="filters">
        <input
          placeholder="Filter: text contained in the line"
          aria-label="Filter events by text in the line"
          value={text}
          onChange={(e) => setText(e.target.value)}
          data-testid="events-filter-text"
        />
        <select
          value={type}
          onChange={(e) => setType(e.target.value as TypeFilter)}
          aria-label="Filter events by type"
          data-testid="events-filter-type"
        >
          {TYPE_FILTERS.map((t) => (
            <option key={t} value={t}>
              {t === 'all' ? 'all types' : t}
            </option>
          ))}
        </select>
        <span className="muted" data-testid="events-count">
          {events.length} event{events.length === 1 ? '' : 's'}
        </span>
      </div>
      <EventTable
        events={events}
        filtering={text !== '' || type !== 'all'}
        selected={selected?.seq ?? null}
        onSelect={(e) => setSelected(selected?.seq === e.seq ? null : e)}
      />
      {selected && <EventDetails event={selected} onClose={() => setSelected(null)} />}
      <Rejected />
    </DataArea>
  );
}
