// W&B runs: the active run with its delivery state, recent runs with their journal status, Sync.
import { useState } from 'react';
import type { WandbRunInfo } from '../../../shared/api';
import { useStore } from '../store';
import { Counter } from '../components/Counter';
import { formatAge } from '../components/format';
import {
  ActionButton,
  DataArea,
  EmptyState,
  ErrorState,
  LoadingState,
  OffState,
  useOnline,
  whyNot,
} from '../components/states';
import { useNow } from '../components/useNow';

function stateText(r: WandbRunInfo, now: number): string {
  if (r.state === 'retrying' && r.retryAt) return `retrying in ${Math.max(0, Math.ceil((r.retryAt - now) / 1000))} s`;
  if (r.state === 'failed') return `failed: ${r.failure ?? 'refused'}`;
  if (r.stoppedInWandb) return `${r.state} (stopped in W&B)`;
  return r.state;
}

/** Lines W&B will never get, and why; empty when there are none. */
function refusedText(r: WandbRunInfo): string {
  return r.linesRefused > 0 ? `${r.linesRefused} line(s) refused: ${r.refusal ?? 'too large'}` : '';
}

function RunLink({ run }: { run: WandbRunInfo }) {
  return run.url ? (
    <a href={run.url} target="_blank" rel="noreferrer" data-testid="wandb-run-link">
      open in W&B
    </a>
  ) : (
    <span className="muted">not in W&B yet</span>
  );
}

export function SessionsView() {
  const wandb = useStore((s) => s.wandb);
  const enabled = useStore((s) => s.config?.effective.wandb.enabled ?? false);
  const now = useNow(1000);
  const online = useOnline();
  const [message, setMessage] = useState<string | null>(null);
  const loaded = useStore((s) => s.config !== null);
  const syncWandb = useStore((s) => s.syncWandb);
  if (!loaded) return <LoadingState>Loading W&amp;B runs…</LoadingState>;
  if (!enabled || !wandb)
    return (
      <OffState
        title="Weights &amp; Biases logging is off"
        section="wandb"
        action="Turn on W&amp;B in Settings"
        testId="wandb-off"
      >
        With an API key (or offline, to keep runs in the local journal), each game session becomes one W&amp;B run with{' '}
        <code>production/&lt;item&gt;</code> and <code>consumption/&lt;item&gt;</code> at step = stats cycle.
      </OffState>
    );
  const a = wandb.active;
  const sync = async () => {
    setMessage(null);
    const r = await syncWandb();
    setMessage(r.ok ? `Sync started for ${r.value.runs} run${r.value.runs === 1 ? '' : 's'}.` : r.error);
  };
  return (
    <DataArea className="sessions">
      <div className="demo">
        <span data-testid="wandb-mode">
          {wandb.mode === 'online' ? 'Online' : 'Offline: runs are kept in the local journal'}
        </span>
        <ActionButton
          onClick={() => void sync()}
          disabledReason={whyNot(online, wandb.syncing && 'A sync is running')}
          testId="wandb-sync"
        >
          {wandb.syncing ? 'Syncing…' : 'Sync'}
        </ActionButton>
        {message && (
          <span className="muted" role="status" data-testid="wandb-sync-message">
            {message}
          </span>
        )}
        {wandb.skippedCycles > 0 && (
          <span className="muted">
            {wandb.skippedCycles} stats line(s) not sent again: repeats of lines already logged
          </span>
        )}
        {wandb.stoppedCycles > 0 && (
          <span className="muted">
            {wandb.stoppedCycles} stats line(s) not logged: their run was stopped in W&amp;B
          </span>
        )}
      </div>
      {(wandb.journalError || wandb.droppedLines > 0) && (
        <ErrorState title="Stats lines are at risk" testId="wandb-journal-error">
          {wandb.journalError &&
            `The journal cannot be written (${wandb.journalError}): lines are held in memory and retried. `}
          {wandb.droppedLines > 0 &&
            `${wandb.droppedLines} stats line(s) were dropped: the journal could not be written and the memory bound was reached.`}
        </ErrorState>
      )}
      {a ? (
        <div className="counters">
          <div className="counter wide">
            <div className="counter-label">Active run</div>
            <div className="counter-value" data-testid="wandb-active-name">
              {a.displayName} <span className="muted mono">({a.runId})</span> <RunLink run={a} />
            </div>
          </div>
          <Counter label="State" testId="wandb-active-state" small issue={a.state === 'failed'} state={a.state}>
            {stateText(a, now)}
          </Counter>
          <Counter label="Last step" testId="wandb-active-step">
            {a.lastStep ?? '—'}
          </Counter>
          <Counter label="Acknowledged" testId="wandb-active-acked">
            {a.linesAcked}
          </Counter>
          <Counter label="Pending" testId="wandb-active-pending">
            {a.linesJournaled - a.linesAcked + a.linesUnwritten}
          </Counter>
          {a.linesRefused > 0 && (
            <Counter label="Refused" testId="wandb-active-refused" issue title={refusedText(a)}>
              {a.linesRefused}
            </Counter>
          )}
        </div>
      ) : (
        <EmptyState testId="wandb-no-active">No active run: one starts with the next game session.</EmptyState>
      )}
      <h2>Recent runs</h2>
      <table className="runs">
        <thead>
          <tr>
            <th>Run</th>
            <th>Session</th>
            <th>State</th>
            <th>Last step</th>
            <th>Acknowledged / journaled</th>
            <th>Started</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {wandb.runs.map((r) => (
            <tr key={r.runId} data-testid="wandb-run-row" data-state={r.state}>
              <td>
                {r.displayName} <span className="muted mono">{r.runId}</span>
                {r.branchedFrom && (
                  <span
                    className="muted"
                    data-testid="wandb-run-branch"
                    title={`The game went back from cycle ${r.branchedFrom.fromCycle ?? '—'} to an earlier save (cycle ${r.branchedFrom.toCycle})`}
                  >
                    {' '}
                    branched from {r.branchedFrom.displayName}
                  </span>
                )}
              </td>
              <td className="mono">{r.sessionId}</td>
              <td>{stateText(r, now)}</td>
              <td>{r.lastStep ?? '—'}</td>
              <td title={refusedText(r) || undefined}>
                {r.linesAcked} / {r.linesJournaled}
                {r.linesRefused > 0 && <span className="muted"> ({r.linesRefused} refused)</span>}
              </td>
              <td>{formatAge(now - r.createdAt)}</td>
              <td>
                <RunLink run={r} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </DataArea>
  );
}
