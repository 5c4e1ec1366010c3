// Headless slots: one row per server with its live RCON status, per-row Deploy / Join test /
// Restart, "Deploy to all", deploy progress, restart output and the join-test history with the
// evidence of each step. An unreachable slot shows "—" for every live figure (nothing was read), and
// each disabled action says why beside it.
import { useState } from 'react';
import type { JoinTestRun, SlotStatus } from '../../../shared/slots';
import { useStore, type Outcome } from '../store';
import { formatAge } from '../components/format';
import { ActionButton, DataArea, ErrorState, LoadingState, OffState, useOnline, whyNot } from '../components/states';
import { useNow } from '../components/useNow';

const mark = (ok: boolean | null) => (ok === null ? '—' : ok ? '✓' : '✗');

function Versions({ s }: { s: SlotStatus }) {
  if (!s.version) return <span className="muted">—</span>;
  const live = s.version === s.expectedVersion;
  const save = s.saveVersion === s.expectedVersion;
  return (
    <span
      data-testid="slot-versions"
      data-match={String(live && save)}
      title={`live ${s.version}; save ${s.saveVersion}; ours ${s.expectedVersion}`}
    >
      <span className={live ? '' : 'issue'}>live {mark(live)}</span> ·{' '}
      <span className={save ? '' : 'issue'}>save {mark(save)}</span>
    </span>
  );
}

function DeployProgressBar({ s }: { s: SlotStatus }) {
  const d = s.deploy;
  if (!d) return null;
  const pct = d.total ? Math.round((d.index / d.total) * 100) : d.phase === 'done' ? 100 : 0;
  return (
    <div className="slot-detail" data-testid="slot-deploy" data-phase={d.phase}>
      <progress max={100} value={pct} />{' '}
      <span>
        {d.phase === 'done' || d.phase === 'failed' ? d.message : `${d.phase} ${d.file ?? ''} (${d.index}/${d.total})`}
      </span>
    </div>
  );
}

type Step = JoinTestRun['steps'][number];

/**
 * What a step's mark says. Main marks `not_run` a step an earlier failure left nothing to check;
 * a step still pending once its run ended never ran either. Runs kept from earlier versions said
 * "failed" with the detail "not reachable" for the first kind.
 */
export function stepWord(
  run: Pick<JoinTestRun, 'finishedAt'>,
  st: Pick<Step, 'state' | 'detail'>,
): 'not run' | Exclude<Step['state'], 'not_run'> {
  if (st.state === 'not_run') return 'not run';
  if (st.state === 'pending' && run.finishedAt !== null) return 'not run';
  if (st.state === 'failed' && st.detail === 'not reachable') return 'not run';
  return st.state;
}

/** Live figures only mean something while the slot answers. */
const answering = (s: SlotStatus) => s.state === 'reachable';

function deployWhyNot(s: SlotStatus): string | null {
  if (s.busy) return `busy: ${s.busy} running`;
  return s.deployable ? null : 'No deploy target (set slots[].deploy in Settings)';
}

function restartWhyNot(s: SlotStatus): string | null {
  if (s.busy) return `busy: ${s.busy} running`;
  return s.restartable ? null : 'No restart command (set slots[].restartCommand in Settings)';
}

function JoinRun({ run, now }: { run: JoinTestRun; now: number }) {
  return (
    <div className="join-run" data-testid="slot-join-run" data-ok={String(run.ok)}>
      <div>
        <strong>{run.ok === null ? 'Join test running…' : run.ok ? 'Join test passed' : 'Join test failed'}</strong>{' '}
        <span className="muted">{formatAge(now - run.startedAt)}</span>
      </div>
      <ol className="join-steps">
        {run.steps.map((st) => (
          <li key={st.name} data-testid="slot-join-step" data-state={st.state} data-shown={stepWord(run, st)}>
            <span className={`step-state ${stepWord(run, st) === 'not run' ? 'skipped' : st.state}`}>
              {stepWord(run, st)}
            </span>{' '}
            {st.name}
            {st.detail && (
              <pre className="step-detail">
                {stepWord(run, st) === 'not run' && st.state !== 'not_run'
                  ? 'RCON did not answer, so there was nothing to check'
                  : st.detail}
              </pre>
            )}
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
  const online = useOnline();
  const loaded = useStore((s) => s.config !== null);
  const deploySlots = useStore((s) => s.deploySlots);
  const restartSlot = useStore((s) => s.restartSlot);
  const joinTest = useStore((s) => s.joinTest);
  if (!loaded) return <LoadingState>Loading the slots…</LoadingState>;
  if (!slots)
    return (
      <OffState title="No headless slots" section="slots" action="Add a slot in Settings" testId="slots-off">
        Add servers in Settings (id, host, game and RCON ports, RCON password, and a deploy target): each is then polled
        over RCON, and the scenario can be deployed and join-tested from here.
      </OffState>
    );
  const act = async (fn: () => Promise<Outcome<unknown>>) => {
    setMessage(null);
    const r = await fn();
    if (!r.ok) setMessage(r.error);
  };
  return (
    <DataArea className="sessions">
      <div className="demo">
        <ActionButton
          onClick={() => void act(() => deploySlots())}
          disabledReason={whyNot(
            online,
            !slots.slots.some((s) => s.deployable) && 'No slot has a deploy target (slots[].deploy)',
          )}
          testId="slots-deploy-all"
        >
          Deploy to all
        </ActionButton>
        <span className="muted">
          {slots.clientPath
            ? `Join tests launch ${slots.clientPath}`
            : 'No Factorio client configured (joinTest.clientPath): join tests skip the client step'}
        </span>
      </div>
      {message && (
        <ErrorState title="The last action failed" testId="slots-message">
          {message}
        </ErrorState>
      )}
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
          </tr>
        </thead>
        {/* One tbody per slot: its figures and its actions line are one unit. */}
        {slots.slots.map((s) => (
          <tbody key={s.id} data-testid={`slot-${s.id}`} data-state={s.state}>
            <tr>
              <td>
                <button
                  type="button"
                  className="link"
                  aria-expanded={open === s.id}
                  onClick={() => setOpen(open === s.id ? null : s.id)}
                >
                  {s.name}
                </button>
              </td>
              <td className="mono">
                {s.host}:{s.gamePort}
                <div className="muted">rcon {s.rconPort}</div>
              </td>
              <td className={s.state === 'reachable' ? '' : 'issue'} title={s.message} data-testid="slot-state">
                {s.state}
              </td>
              <td>
                <Versions s={s} />
              </td>
              <td data-testid="slot-registrations">{answering(s) ? mark(s.registrationsMatch) : '—'}</td>
              <td title={answering(s) ? s.players.join(', ') : undefined} data-testid="slot-players">
                {answering(s) ? s.players.length : '—'}
              </td>
              <td data-testid="slot-tick">{answering(s) ? (s.tick ?? '—') : '—'}</td>
              <td data-testid="slot-queue">{answering(s) ? (s.queueLength ?? '—') : '—'}</td>
              <td data-testid="slot-rtt">{answering(s) && s.rttMs !== null ? `${s.rttMs.toFixed(1)} ms` : '—'}</td>
              <td>{s.lastCheck ? formatAge(now - s.lastCheck) : '—'}</td>
            </tr>
            <tr className="slot-extra">
              <td colSpan={10}>
                {/* Actions sit on their own line so the table fits from 1024 px up. */}
                <div className="slot-actions" role="group" aria-label={`Actions for ${s.name}`}>
                  <ActionButton
                    disabledReason={whyNot(online, deployWhyNot(s))}
                    onClick={() => void act(() => deploySlots(s.id))}
                    testId="slot-deploy-button"
                  >
                    Deploy
                  </ActionButton>
                  <ActionButton
                    disabledReason={whyNot(online, s.busy && `busy: ${s.busy} running`)}
                    onClick={() => {
                      setOpen(s.id);
                      void act(() => joinTest(s.id));
                    }}
                    testId="slot-join-button"
                  >
                    Join test
                  </ActionButton>
                  <ActionButton
                    disabledReason={whyNot(online, restartWhyNot(s))}
                    onClick={() => void act(() => restartSlot(s.id))}
                    testId="slot-restart-button"
                  >
                    Restart
                  </ActionButton>
                </div>
                <div
                  className={s.state === 'reachable' || s.state === 'unknown' ? 'muted' : 'issue'}
                  data-testid="slot-message"
                >
                  {s.message}
                </div>
                <DeployProgressBar s={s} />
                {s.restart && (
                  <pre className="step-detail" data-testid="slot-restart-output">
                    {s.restart.running
                      ? 'restarting…\n'
                      : `restart command exited ${s.restart.exitCode ?? '(no code)'}\n`}
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
                {open !== s.id && s.busy !== 'join-test' && s.joinTests.length > 0 && (
                  <JoinRun run={s.joinTests[0]} now={now} />
                )}
              </td>
            </tr>
          </tbody>
        ))}
      </table>
    </DataArea>
  );
}
