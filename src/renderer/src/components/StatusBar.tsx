import { SERVICE_NAMES } from '../../../shared/api';
import { staleness } from '../charts/staleness';
import { activeSessionId, series, useStore } from '../store';
import { useNow } from './useNow';

const LABELS = { pipe: 'Event pipe', wandb: 'W&B', discord: 'Discord', engine: 'Engine', slots: 'Slots' } as const;

export function StatusBar() {
  const status = useStore((s) => s.status);
  const connection = useStore((s) => s.connection);
  const connectionError = useStore((s) => s.connectionError);
  const mode = useStore((s) => s.info?.mode);
  const sessionId = useStore(activeSessionId);
  const now = useNow(500);
  const session = sessionId ? series.sessions.get(sessionId) : undefined;
  const stale = session ? staleness(session, now).stale : false;
  const online = connection === 'open';
  return (
    <footer className="statusbar" data-testid="status-bar">
      <span className={`conn conn-${connection}`} data-testid="connection" data-state={connection} title={connectionError ?? undefined}>
        {mode ?? '…'} · {online ? 'connected' : connection === 'closed' ? 'disconnected' : connection}
      </span>
      {SERVICE_NAMES.map((name) => {
        const s = status?.services[name];
        return (
          <span key={name} className={`svc state-${s?.state ?? 'unknown'}`} data-testid={`status-${name}`} data-state={s?.state ?? 'unknown'} title={s?.summary}>
            <i className="dot" aria-hidden="true" />
            {LABELS[name]}: {s?.state ?? '…'}
          </span>
        );
      })}
      {session && (
        <span className={`svc state-${stale ? 'degraded' : 'running'}`} data-testid="status-game" data-state={stale ? 'stale' : 'live'} title={`session ${session.id}`}>
          <i className="dot" aria-hidden="true" />
          Game: {stale ? 'stale' : 'live'}
        </span>
      )}
      {/* Without a connection nothing here is current: say so instead of the last overall state. */}
      <span className="overall" data-testid="status-overall" data-state={online ? (status?.status ?? 'unknown') : 'disconnected'}>
        {!online ? (connection === 'closed' ? 'disconnected' : 'connecting') : status ? (status.status === 'ok' && !stale ? 'all ok' : 'needs attention') : ''}
      </span>
    </footer>
  );
}
