// The join test: its six steps, each with its evidence, and the file that keeps past runs.
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../../shared/config';
import type { JoinStep, JoinTestRun } from '../../shared/slots';
import type { Logger } from '../log';
import { runClientJoin } from './client-join';
import { diffRegistrations, type ProbeResult } from './probe';
import type { SlotConfig, SlotOps } from './ops';

/** What a join test needs from the slot service. */
export interface JoinTestDeps {
  cfg: SlotConfig;
  scenarioDir: string;
  /** The bundled scenario's version, as read when the service started. */
  expected: string | null;
  joinTest: Config['joinTest'];
  ops: SlotOps;
  /** Probes the slot over RCON and applies the answer to its status. */
  probe(): Promise<{ result: ProbeResult; rttMs: number }>;
  changed(): void;
}

/** A new run with every step pending. */
export function newJoinRun(slot: string): JoinTestRun {
  const names = [
    'Scenario files on the slot match ours',
    'RCON reachable',
    'Live runtime version equals version.lua',
    "The save's runtime version equals it",
    'Registered events and nth-ticks equal the static set',
    'A Factorio client joins',
  ];
  return {
    id: randomUUID(),
    slot,
    startedAt: Date.now(),
    finishedAt: null,
    ok: null,
    steps: names.map((name) => ({ name, state: 'pending', detail: '' })),
  };
}

/** Runs the steps in order; a step that throws is failed with its message and the next one runs. */
export async function runJoinSteps(run: JoinTestRun, deps: JoinTestDeps): Promise<void> {
  const step = async (i: number, fn: () => Promise<Pick<JoinStep, 'state' | 'detail'>>) => {
    Object.assign(run.steps[i], { state: 'running', detail: '' });
    deps.changed();
    try {
      Object.assign(run.steps[i], await fn());
    } catch (e) {
      Object.assign(run.steps[i], { state: 'failed', detail: (e as Error).message });
    }
    deps.changed();
  };
  const expected = deps.expected;
  await step(0, async () => {
    if (!deps.cfg.deploy)
      return { state: 'skipped', detail: 'no deploy target configured, so there are no files to compare' };
    const v = await deps.ops.verify(deps.cfg, deps.scenarioDir);
    return v.ok
      ? { state: 'passed', detail: `${v.files} files, SHA-256 equal at ${v.target}` }
      : { state: 'failed', detail: v.problem };
  });
  let probe: ProbeResult | null = null;
  await step(1, async () => {
    const r = await deps.probe();
    probe = r.result;
    return { state: 'passed', detail: `answered in ${r.rttMs.toFixed(1)} ms at tick ${r.result.tick}` };
  });
  const p = probe as ProbeResult | null;
  const scenario = p?.scenario ?? null;
  // Without an RCON answer the steps that read it had nothing to check: not run, rather than failed.
  const notRun = { state: 'not_run' as const, detail: 'RCON did not answer, so there was nothing to check' };
  const noScenario = p
    ? { state: 'failed' as const, detail: `the open_world interface did not answer (${p.scenarioError ?? 'missing'})` }
    : notRun;
  await step(2, async () =>
    !scenario
      ? noScenario
      : scenario.version === expected
        ? { state: 'passed', detail: `${scenario.version}` }
        : { state: 'failed', detail: `the server runs ${scenario.version}, version.lua says ${expected}` },
  );
  await step(3, async () =>
    !scenario
      ? noScenario
      : scenario.saveVersion === expected
        ? { state: 'passed', detail: `${scenario.saveVersion}` }
        : {
            state: 'failed',
            detail: `the save was created with ${scenario.saveVersion}: a stale save, not joinable with the current scenario; rotate the save and restart the slot`,
          },
  );
  await step(4, async () => {
    if (!p) return notRun;
    if (!p.registrations) return { state: 'failed', detail: 'the scenario did not report its registrations' };
    const d = diffRegistrations(p.registrations);
    const live = `${p.registrations.events.join(', ')}; nth ${p.registrations.nth_ticks.join(', ')}`;
    return d.extra.length + d.missing.length === 0
      ? { state: 'passed', detail: live }
      : {
          state: 'failed',
          detail: `registered beyond the static set: [${d.extra.join(', ')}], missing: [${d.missing.join(', ')}]`,
        };
  });
  await step(5, async () => {
    const clientPath = deps.joinTest.clientPath;
    if (!clientPath) return { state: 'skipped', detail: 'no Factorio client configured (joinTest.clientPath)' };
    // The client's log streams into the step while it runs; the verdict replaces it.
    const log: string[] = [];
    const onLine = (line: string) => {
      log.push(line);
      if (log.length > 12) log.shift();
      run.steps[5].detail = log.join('\n');
      deps.changed();
    };
    const r = await runClientJoin({
      clientPath,
      host: deps.cfg.host,
      gamePort: deps.cfg.gamePort,
      timeoutMs: deps.joinTest.timeoutSeconds * 1000,
      onLine,
    });
    return { state: r.ok ? 'passed' : 'failed', detail: [r.summary, ...r.evidence].join('\n') };
  });
}

/** Past runs, oldest first; unreadable lines are skipped and a missing file is no history. */
export function loadJoinHistory(file: string): JoinTestRun[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as JoinTestRun];
        } catch {
          return [];
        }
      });
  } catch {
    return [];
  }
}

export function saveJoinRun(file: string, run: JoinTestRun, logger: Logger): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, JSON.stringify(run) + '\n');
  } catch (e) {
    logger.warn({ err: (e as Error).message }, 'join test history not saved');
  }
}
