// A slot's status: its shape before the first poll, and what a probe's answer makes of it.
import type { JoinTestRun, SlotStatus } from '../../shared/slots';
import { diffRegistrations, type ProbeResult } from './probe';
import type { SlotConfig } from './ops';

/** Join test runs kept per slot. */
export const HISTORY = 20;

export function initialStatus(cfg: SlotConfig, expectedVersion: string | null, history: JoinTestRun[]): SlotStatus {
  return {
    id: cfg.id,
    name: cfg.name ?? cfg.id,
    host: cfg.host,
    gamePort: cfg.gamePort,
    rconPort: cfg.rconPort,
    state: 'unknown',
    message: 'not checked yet',
    rttMs: null,
    tick: null,
    players: [],
    version: null,
    saveVersion: null,
    expectedVersion,
    queueLength: null,
    registrationsMatch: null,
    registrationsDiff: null,
    lastCheck: null,
    nextCheck: null,
    deployable: Boolean(cfg.deploy),
    restartable: Boolean(cfg.restartCommand),
    busy: null,
    deploy: null,
    restart: null,
    joinTests: history.slice(-HISTORY).reverse(),
  };
}

/** Writes an RCON probe's answer into the slot's status. */
export function applyProbe(s: SlotStatus, r: ProbeResult, rttMs: number, expectedVersion: string | null): void {
  Object.assign(s, { rttMs: Math.round(rttMs * 100) / 100, tick: r.tick, players: r.players, expectedVersion });
  if (!r.scenario) {
    Object.assign(s, {
      state: 'error',
      message: `RCON answers, but the open_world scenario does not (${r.scenarioError ?? 'no remote interface'})`,
      version: null,
      saveVersion: null,
      queueLength: null,
      registrationsMatch: null,
      registrationsDiff: null,
    });
    return;
  }
  const diff = r.registrations ? diffRegistrations(r.registrations) : null;
  Object.assign(s, {
    state: 'reachable',
    version: r.scenario.version,
    saveVersion: r.scenario.saveVersion,
    queueLength: r.scenario.queueLength,
    registrationsDiff: diff,
    registrationsMatch: diff ? diff.extra.length === 0 && diff.missing.length === 0 : null,
  });
  s.message = describe(s);
}

function describe(s: SlotStatus): string {
  const problems: string[] = [];
  if (s.expectedVersion && s.version !== s.expectedVersion)
    problems.push(`runs scenario ${s.version}, ours is ${s.expectedVersion}`);
  if (s.expectedVersion && s.saveVersion !== s.expectedVersion)
    problems.push(`save created with ${s.saveVersion}: not joinable until the save is rotated`);
  if (s.registrationsMatch === false)
    problems.push(
      `handlers registered dynamically (${[...s.registrationsDiff!.extra.map((x) => `+${x}`), ...s.registrationsDiff!.missing.map((x) => `-${x}`)].join(', ')})`,
    );
  return problems.length ? problems.join('; ') : `${s.players.length} player(s) online, tick ${s.tick}`;
}
