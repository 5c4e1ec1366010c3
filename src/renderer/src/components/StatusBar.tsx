import { SERVICE_NAMES } from '../../../shared/api';
import { staleness } from '../charts/staleness';
import { ThemeSwitch } from '../shell/ThemeSwitch';
import { activeSessionId, series, useStore } from '../store';
import { useNow } from './useNow';

const LABELS = { pipe: 'Event pipe', wandb: 'W&B', discord: 'Discord', engine: 'Engine', slots: 'Slots' } as const;
const CONNECTION = { open: 'connected', connecting: 'connecting', closed: 'disconnected' } as const;

export function StatusBar() {
  const status = useStore((s) => s.status);
  const connection = useStore((s) => s.connection);
  const connectionError = useStore((s) => s.connectionError);
  const mode = useStore((s) => s.info?.mode);
  const demo = useStore((s) => s.demo?.running ?? false);
  const sessionId = useStore(activeSessionId);
  const now = useNow(500);
  const session = sessionId ? series.sessions.get(sessionId) : undefined;
  const stale = session ? staleness(session, now).stale : false;
  const online = connection === 'open';
  const connText = CONNECTION[connection as keyof typeof CONNECTION] ?? connection;
  // Without a connection nothing here is current: say so instead of the last overall state.
  const overall = !online
    ? connection === 'closed'
      ? 'disconnected'
      : 'connecting'
    : status
      ? status.status === 'ok' && !stale
        ? 'all ok'
        : 'needs attention'
      : '';
  const troubled =
    online && status
      ? SERVICE_NAMES.filter((n) => ['error', 'degraded'].includes(status.services[n]?.state ?? '')).map(
          (n) => `${LABELS[n]} ${status.services[n]!.state}`,
        )
      : [];
  // What a screen reader hears: one sentence that changes only when the situation does (the
  // clock that drives staleness ticks twice a second, this text does not).
  const announcement = !online
    ? `Connection to the app ${connText}; the numbers shown are not current.`
    : [
        overall === 'all ok' ? 'All services ok.' : overall === 'needs attention' ? 'Needs attention.' : '',
        ...troubled.map((t) => `${t}.`),
        session ? (stale ? 'Game data is STALE.' : 'Game data is live.') : '',
      ]
        .filter(Boolean)
        .join(' ');
  return (
    <footer className="statusbar" data-testid="status-bar" aria-label="Status">
      <div className="sr-only" role="status" aria-live="polite" aria-atomic="true" data-testid="status-announcement">
        {announcement}
      </div>
      <span
        className={`conn conn-${connection}`}
        data-testid="connection"
        data-state={connection}
        title={connectionError ?? undefined}
      >
        {mode ?? '…'} · {connText}
      </span>
      {demo && (
        <span
          className="demo-badge"
          data-testid="status-demo"
          title="The event pipe is reading the demo feed: a simulated factory, not a game"
        >
          DEMO data
        </span>
      )}
      {SERVICE_NAMES.map((name) => {
        const s = status?.services[name];
        return (
          <span
            key={name}
            className={`svc state-${s?.state ?? 'unknown'}`}
            data-testid={`status-${name}`}
            data-state={s?.state ?? 'unknown'}
            title={s?.summary}
          >
            <i className="dot" aria-hidden="true" />
            {LABELS[name]}: {s?.state ?? '…'}
          </span>
        );
      })}
      {session && (
        <span
          className={`svc state-${stale ? 'degraded' : 'running'}`}
          data-testid="status-game"
          data-state={stale ? 'stale' : 'live'}
          title={`session ${session.id}`}
        >
          <i className="dot" aria-hidden="true" />
          Game: {stale ? 'stale' : 'live'}
        </span>
      )}
      <span
        className="overall"
        data-testid="status-overall"
        data-state={online ? (status?.status ?? 'unknown') : 'disconnected'}
      >
        {overall}
      </span>
      <ThemeSwitch />
    </footer>
  );
}
