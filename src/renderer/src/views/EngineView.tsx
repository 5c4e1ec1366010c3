// The engine server: address, state, games and their capabilities, call figures, errors, and a
// TicTacToe board whose every move is a real gRPC Reset/Step on the engine (main is its client).
import { useState, type CSSProperties } from 'react';
import type { EnginePlayResult } from '../../../shared/engine';
import { useStore, type Outcome } from '../store';
import { Counter } from '../components/Counter';
import { DataArea, LoadingState, OffState, useOnline, whyNot } from '../components/states';

const board: CSSProperties = { display: 'grid', gridTemplateColumns: 'repeat(3, 56px)', gap: 4, margin: '8px 0' };
const cell: CSSProperties = { width: 56, height: 56, fontSize: 28, fontWeight: 600 };
const ms = (v: number | null) => (v === null ? '—' : v < 1 ? `${(v * 1000).toFixed(0)} µs` : `${v.toFixed(2)} ms`);

/** ttt-state:v1 — cells 0-8 (0 empty, 1 X, 2 O), player to move, outcome (0 playing, 1 X, 2 O, 3 draw). */
function describe(state: number[]): string {
  const outcome = state[10];
  if (outcome === 1) return 'X wins';
  if (outcome === 2) return 'O wins';
  if (outcome === 3) return 'Draw';
  return `${state[9] === 1 ? 'X' : 'O'} to move`;
}

function TicTacToe() {
  const [game, setGame] = useState<EnginePlayResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const online = useOnline();
  const resetGame = useStore((s) => s.resetGame);
  const stepGame = useStore((s) => s.stepGame);
  const run = async (fn: () => Promise<Outcome<EnginePlayResult>>) => {
    setBusy(true);
    setError(null);
    const r = await fn();
    if (r.ok) setGame(r.value);
    else setError(r.error);
    setBusy(false);
  };
  const reset = () => run(() => resetGame('tictactoe', Math.floor(Math.random() * 2 ** 32)));
  const play = (i: number) => game && run(() => stepGame('tictactoe', game.state, [i]));
  return (
    <section>
      <h2>Play TicTacToe through the engine</h2>
      <p className="muted">
        Each click is a gRPC Step on the server above; an illegal move comes back with the engine's reason.
      </p>
      {whyNot(online) && <p className="disabled-reason">{whyNot(online)}</p>}
      <div className="demo">
        <button type="button" onClick={() => void reset()} disabled={busy || !online} data-testid="engine-ttt-new">
          New game
        </button>
        {game && (
          <span data-testid="engine-ttt-status" data-outcome={game.state[10]}>
            {describe(game.state)}
            {game.done && game.reward > 0 ? ` (reward ${game.reward})` : ''}
          </span>
        )}
      </div>
      {game && (
        <div style={board} role="grid" aria-label="TicTacToe board">
          {game.state.slice(0, 9).map((c, i) => (
            <button
              key={i}
              type="button"
              style={cell}
              onClick={() => void play(i)}
              disabled={busy || !online}
              data-testid={`engine-ttt-cell-${i}`}
              aria-label={`cell ${i}`}
            >
              {c === 1 ? 'X' : c === 2 ? 'O' : ''}
            </button>
          ))}
        </div>
      )}
      {error && (
        <div className="issue" role="alert" data-testid="engine-ttt-error">
          {error}
        </div>
      )}
    </section>
  );
}

export function EngineView() {
  const engine = useStore((s) => s.engine);
  const enabled = useStore((s) => s.config?.effective.engine.enabled ?? false);
  const state = useStore((s) => s.status?.services.engine);
  const loaded = useStore((s) => s.config !== null);
  if (!loaded) return <LoadingState>Loading the engine server's state…</LoadingState>;
  if (!enabled || !engine)
    return (
      <OffState
        title="The engine server is off"
        section="engine"
        action="Turn on the engine server in Settings"
        testId="engine-off"
      >
        Once on, it serves <code>engine.v1.Engine</code> (GetCapabilities, Reset, Step, BatchSimulate) over gRPC on the
        host and port set there, with health checking and reflection.
        {state?.state === 'error' && <span className="issue"> {state.summary}</span>}
      </OffState>
    );
  return (
    <DataArea className="sessions">
      <div className="counters">
        <Counter label="Address" testId="engine-address" wide small>
          {engine.address}
        </Counter>
        <Counter label="State" testId="engine-state" small state={state?.state}>
          {engine.listening ? 'serving' : (state?.summary ?? 'stopped')}
        </Counter>
        <Counter label="Calls/s" testId="engine-rate">
          {engine.callsPerSec}
        </Counter>
        <Counter label="Calls" testId="engine-calls">
          {engine.calls}
        </Counter>
        <Counter label="Steps" testId="engine-steps">
          {engine.steps}
        </Counter>
        <Counter label="Step p50 / p99" testId="engine-latency" small title="server handling time of recent Step calls">
          {ms(engine.stepP50Ms)} / {ms(engine.stepP99Ms)}
        </Counter>
        <Counter label="Errors" testId="engine-errors" issue={engine.errors.length > 0}>
          {engine.errors.reduce((n, e) => n + e.count, 0)}
        </Counter>
      </div>
      {engine.errors.length > 0 && (
        <p className="muted" data-testid="engine-error-list">
          {engine.errors.map((e) => `${e.envId}: ${e.code} × ${e.count}`).join(' · ')}
        </p>
      )}
      <h2>Games</h2>
      <table className="runs">
        <thead>
          <tr>
            <th>env_id</th>
            <th>Actions</th>
            <th>Max horizon</th>
            <th>Preferred batch</th>
            <th>Encodings (state / action / obs)</th>
          </tr>
        </thead>
        <tbody>
          {engine.games.map((g) => (
            <tr key={g.envId} data-testid={`engine-game-${g.envId}`} title={g.description}>
              <td className="mono">{g.envId}</td>
              <td>{g.actionSpace}</td>
              <td>{g.maxHorizon || 'unbounded'}</td>
              <td>{g.preferredBatch}</td>
              <td className="mono">
                {g.encoding.state} / {g.encoding.action} / {g.encoding.obs}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <TicTacToe />
    </DataArea>
  );
}
