import { SERVICE_NAMES } from '../../../shared/api';
import { useStore } from '../store';

const LABELS = { pipe: 'Event pipe', wandb: 'W&B', discord: 'Discord', engine: 'Engine', slots: 'Slots' } as const;

export function StatusBar() {
  const status = useStore((s) => s.status);
  const connection = useStore((s) => s.connection);
  const connectionError = useStore((s) => s.connectionError);
  const mode = useStore((s) => s.info?.mode);
  return (
    <footer className="statusbar" data-testid="status-bar">
      <span className={`conn conn-${connection}`} data-testid="connection" data-state={connection} title={connectionError ?? undefined}>
        {mode ?? '…'} · {connection === 'open' ? 'connected' : connection}
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
      <span className="overall" data-testid="status-overall" data-state={status?.status ?? 'unknown'}>
        {status ? (status.status === 'ok' ? 'all ok' : 'needs attention') : ''}
      </span>
    </footer>
  );
}
