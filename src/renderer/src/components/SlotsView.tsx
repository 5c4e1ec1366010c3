// Headless slots: one row per server with its live RCON status, per-row Deploy / Join test /
// Restart, "Deploy to all", deploy progress, restart output and the join-test history with the
// evidence of each step.
import { Fragment, useState } from 'react';
import type { JoinTestRun, SlotStatus } from '../../../shared/slots';
import { api } from '../api/client';
import { useStore } from '../store';
import { formatAge } from './format';
import { useNow } from './useNow';

const mark = (ok: boolean | null) => (ok === null ? '—' : ok ? '✓' : '✗');

function Versions({ s }: { s: SlotStatus }) {
  if (!s.version) return <span className="muted">—</span>;
  const live = s.version === s.expectedVersion;
  const save = s.saveVersion === s.expectedVersion;
  return (
    <span data-testid="slot-versions" data-match={String(live && save)} title={`live ${s.version}; save ${s.saveVersion}; ours ${s.expectedVersion}`}>
      <span className={live ? '' : 'issue'}>live {mark(live)}</span> · <span className={save ? '' : 'issue'}>save {mark(save)}</span>
    </span>
  );
}

function DeployProgressBar({ s }: { s: SlotStatus }) {
  const d = s.deploy;
  if (!d) return null;
  const pct = d.total ? Math.round((d.index / d.total) * 100) : d.phase === 'done' ? 100 : 0;
  return (
    <div className="slot-detail" data-testid="slot-deploy" data-phase={d.phase}>
      <progress max={100} value={pct} /> <span>{d.phase === 'done' || d.phase === 'failed' ? d.message : `${d.phase} ${d.file ?? ''} (${d.index}/${d.total})`}</span>
    </div>
  );
}

function JoinRun({ run, now }: { run: JoinTestRun; now: number }) {
  return (
    <div className="join-run" data-testid="slot-join-run" data-ok={String(run.ok)}>
      <div>
        <strong>{run.ok === null ? 'Join test running…' : run.ok ? 'Join test passed' : 'Join test failed'}</strong> <span className="muted">{formatAge(now - run.startedAt)}</span>
      </div>
      <ol className="join-steps">
        {run.steps.map((st) => (
          <li key={st.name} data-testid="slot-join-step" data-state={st.state}>
            <span className={`step-state ${st.state}`}>{st.state}</span> {st.name}
            {st.detail && <pre className="step-detail">{st.detail}</pre>}
          </li>
        ))}
      </ol>
    </div>
  );
}

export function SlotsView() {
  const slots = useStore((s) => s.slots);
  const now = useNow(1000);
  const [message, setMessage] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  if (!slots)
    return (
      <p className="planned" data-testid="slots-off">
        No headless slots are configured. Add servers to <code>slots</code> in Settings (id, host, gamePort, rconPort, rconPassword, and a <code>deploy</code> target): each is
        then polled over RCON, and the scenario can be deployed and join-tested from here.
      </p>
    );
  const act = async (fn: () => Promise<unknown>) => {
    setMessage(null);
    try {
      await fn();
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <div className="sessions">
      <div className="demo">
        <button type="button" onClick={() => void act(() => api().call('slots.deploy', {}))} disabled={!slots.slots.some((s) => s.deployable)} data-testid="slots-deploy-all">
          Deploy to all
        </button>
        <span className="muted">{slots.clientPath ? `Join tests launch ${slots.clientPath}` : 'No Factorio client configured (joinTest.clientPath): join tests skip the client step'}</span>
        {message && (
          <span className="issue" data-testid="slots-message">
            {message}
          </span>
        )}
      </div>
      <table className="runs slots-table">
        <thead>
          <tr>
            <th>Slot</th>
            <th>Address</th>
            <th>State</th>
            <th>Versions</th>
            <th>Events</th>
            <th>Players</th>
            <th>Tick</th>
            <th>Queue</th>
            <th>RTT</th>
            <th>Checked</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {slots.slots.map((s) => (
            <Fragment key={s.id}>
              <tr data-testid={`slot-${s.id}`} data-state={s.state}>
                <td>
                  <button type="button" className="link" onClick={() => setOpen(open === s.id ? null : s.id)}>
                    {s.name}
                  </button>
                </td>
                <td className="mono">
                  {s.host}:{s.gamePort} <span className="muted">rcon {s.rconPort}</span>
                </td>
                <td className={s.state === 'reachable' ? '' : 'issue'} title={s.message} data-testid="slot-state">
                  {s.state}
                </td>
                <td>
                  <Versions s={s} />
                </td>
                <td data-testid="slot-registrations">{mark(s.registrationsMatch)}</td>
                <td title={s.players.join(', ')} data-testid="slot-players">
                  {s.players.length}
                </td>
                <td data-testid="slot-tick">{s.tick ?? '—'}</td>
                <td>{s.queueLength ?? '—'}</td>
                <td>{s.rttMs === null ? '—' : `${s.rttMs.toFixed(1)} ms`}</td>
                <td>{s.lastCheck ? formatAge(now - s.lastCheck) : '—'}</td>
                <td className="nowrap">
                  <button type="button" disabled={!s.deployable || s.busy !== null} onClick={() => void act(() => api().call('slots.deploy', { id: s.id }))} data-testid="slot-deploy-button">
                    Deploy
                  </button>{' '}
                  <button
                    type="button"
                    disabled={s.busy !== null}
                    onClick={() => {
                      setOpen(s.id);
                      void act(() => api().call('slots.joinTest', { id: s.id }));
                    }}
                    data-testid="slot-join-button"
                  >
                    Join test
                  </button>{' '}
                  <button type="button" disabled={!s.restartable || s.busy !== null} onClick={() => void act(() => api().call('slots.restart', { id: s.id }))} data-testid="slot-restart-button">
                    Restart
                  </button>
                </td>
              </tr>
              <tr className="slot-extra">
                <td colSpan={11}>
                  <div className="muted" data-testid="slot-message">
                    {s.message}
                  </div>
                  <DeployProgressBar s={s} />
                  {s.restart && (
                    <pre className="step-detail" data-testid="slot-restart-output">
                      {s.restart.running ? 'restarting…\n' : `restart command exited ${s.restart.exitCode ?? '(no code)'}\n`}
                      {s.restart.output.join('\n')}
                    </pre>
                  )}
                  {(open === s.id || s.busy === 'join-test') && s.joinTests.length > 0 && (
                    <div data-testid="slot-join-history">
                      {s.joinTests.map((r) => (
                        <JoinRun key={r.id} run={r} now={now} />
                      ))}
                    </div>
                  )}
                  {open !== s.id && s.busy !== 'join-test' && s.joinTests.length > 0 && <JoinRun run={s.joinTests[0]} now={now} />}
                </td>
              </tr>
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}
