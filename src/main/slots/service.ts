// Headless slots: each configured Factorio server polled over RCON on its own chained timer (a
// slow or dead slot never delays another; polls of one slot never overlap; an unreachable slot
// is retried with backoff), plus the actions the Slots view and the CLI offer: deploy the bundled
// scenario, run the slot's restart command, and the join test that proves a client can join.
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../shared/config';
import type { DeployProgress, JoinStep, JoinTestRun, SlotStatus, SlotsStatus } from '../../shared/slots';
import { StatusCell, type Service, type ServiceBasics } from '../service';
import { Coalescer } from '../lib/coalesce';
import { runClientJoin } from './client-join';
import { PROBE_COMMAND, diffRegistrations, isAchievementWarning, parseProbe, readScenarioVersion, type ProbeResult } from './probe';
import { RconError, SlotRcon } from './rcon';
import type { SlotConfig, SlotOps } from './ops';


export interface SlotsServiceOptions extends ServiceBasics {
  slots: SlotConfig[];
  joinTest: Config['joinTest'];
  dataDir: string;
  /** The scenario folder we deploy and compare against. */
  scenarioDir: string;
  /** Resolves a slot's secrets (RCON password, SSH password); never logged. */
  secret(ref: SlotConfig['rconPassword'], path: string): string | undefined;
  ops: SlotOps;
  /** false: no polling loops (the CLI polls on demand). */
  poll?: boolean;
  rconTimeoutMs?: number;
  maxBackoffMs?: number;
}

interface Slot {
  cfg: SlotConfig;
  rcon: SlotRcon;
  status: SlotStatus;
  timer: NodeJS.Timeout | null;
  failures: number;
  polling: Promise<void> | null;
}

const HISTORY = 20;

export class SlotsService implements Service {
  private readonly cell: StatusCell;
  private readonly slots = new Map<string, Slot>();
  private running = false;
  private readonly pushes = new Coalescer(100, () => this.opts.push('slots', this.snapshot()));
  private expectedVersion: string | null = null;
  private readonly historyFile: string;

  constructor(private readonly opts: SlotsServiceOptions) {
    this.cell = new StatusCell('stopped', 'not started', opts.statusChanged);
    this.historyFile = join(opts.dataDir, 'slots', 'join-tests.jsonl');
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      this.expectedVersion = readScenarioVersion(this.opts.scenarioDir);
    } catch (e) {
      this.opts.logger.warn({ err: (e as Error).message }, 'bundled scenario version unknown');
    }
    const history = this.loadHistory();
    for (const cfg of this.opts.slots) {
      const rcon = new SlotRcon({ host: cfg.host, port: cfg.rconPort, password: this.opts.secret(cfg.rconPassword, `slots.${cfg.id}.rconPassword`) ?? '', timeoutMs: this.opts.rconTimeoutMs });
      const slot: Slot = { cfg, rcon, status: this.initialStatus(cfg, history.filter((r) => r.slot === cfg.id)), timer: null, failures: 0, polling: null };
      this.slots.set(cfg.id, slot);
      if (this.opts.poll !== false) this.schedule(slot, 0);
    }
    this.summarize();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const s of this.slots.values()) if (s.timer) clearTimeout(s.timer);
    await Promise.all([...this.slots.values()].map(async (s) => {
      await s.polling?.catch(() => {});
      await s.rcon.close();
    }));
    this.pushes.cancel();
    this.cell.set('stopped', 'stopped');
  }

  snapshot(): SlotsStatus {
    return { slots: [...this.slots.values()].map((s) => structuredClone(s.status)), clientPath: this.opts.joinTest.clientPath ?? null };
  }

  status() {
    const s = this.cell.get();
    const all = [...this.slots.values()];
    return { ...s, details: { slots: all.length, reachable: all.filter((x) => x.status.state === 'reachable').length } };
  }

  // --- polling ---------------------------------------------------------------------------------

  private schedule(slot: Slot, delayMs: number): void {
    if (!this.running) return;
    slot.status.nextCheck = Date.now() + delayMs;
    slot.timer = setTimeout(() => {
      slot.timer = null;
      // Chained: the next poll is scheduled only when this one is done, so they never overlap.
      void this.pollNow(slot.cfg.id).then(() => {
        const base = slot.cfg.pollSeconds * 1000;
        const backoff = slot.failures ? Math.min(this.opts.maxBackoffMs ?? 60_000, base * 2 ** (slot.failures - 1)) : base;
        this.schedule(slot, backoff);
      });
    }, delayMs);
  }

  /** Polls one slot now (joining a poll already under way); resolves when its status is updated. */
  pollNow(id: string): Promise<void> {
    const slot = this.get(id);
    slot.polling ??= this.probe(slot)
      .then((r) => this.applyProbe(slot, r.result, r.rttMs))
      .catch((e: unknown) => this.applyFailure(slot, e))
      .finally(() => {
        slot.polling = null;
        slot.status.lastCheck = Date.now();
        this.summarize();
        this.changed();
      });
    return slot.polling;
  }

  private async probe(slot: Slot): Promise<{ result: ProbeResult; rttMs: number }> {
    let reply = await slot.rcon.command(PROBE_COMMAND);
    // The first /sc on a save with achievements only warns; the same command again runs.
    if (isAchievementWarning(reply.text)) reply = await slot.rcon.command(PROBE_COMMAND);
    return { result: parseProbe(reply.text), rttMs: reply.rttMs };
  }

  private applyProbe(slot: Slot, r: ProbeResult, rttMs: number): void {
    const s = slot.status;
    slot.failures = 0;
    Object.assign(s, { rttMs: Math.round(rttMs * 100) / 100, tick: r.tick, players: r.players, expectedVersion: this.expectedVersion });
    if (!r.scenario) {
      Object.assign(s, { state: 'error', message: `RCON answers, but the open_world scenario does not (${r.scenarioError ?? 'no remote interface'})`, version: null, saveVersion: null, queueLength: null, registrationsMatch: null, registrationsDiff: null });
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
    s.message = this.describe(s);
  }

  private describe(s: SlotStatus): string {
    const problems: string[] = [];
    if (s.expectedVersion && s.version !== s.expectedVersion) problems.push(`runs scenario ${s.version}, ours is ${s.expectedVersion}`);
    if (s.expectedVersion && s.saveVersion !== s.expectedVersion) problems.push(`save created with ${s.saveVersion}: not joinable until the save is rotated`);
    if (s.registrationsMatch === false) problems.push(`handlers registered dynamically (${[...s.registrationsDiff!.extra.map((x) => `+${x}`), ...s.registrationsDiff!.missing.map((x) => `-${x}`)].join(', ')})`);
    return problems.length ? problems.join('; ') : `${s.players.length} player(s) online, tick ${s.tick}`;
  }

  private applyFailure(slot: Slot, e: unknown): void {
    slot.failures++;
    const s = slot.status;
    const kind = e instanceof RconError ? e.kind : 'error';
    Object.assign(s, { state: kind, message: (e as Error).message, rttMs: null });
    if (kind !== 'error') Object.assign(s, { tick: null, players: [] });
  }

  // --- actions ---------------------------------------------------------------------------------

  async deploy(id: string): Promise<{ ok: boolean; message: string }> {
    const slot = this.get(id);
    if (!slot.cfg.deploy) throw new Error(`slot ${id} has no deploy target (slots[].deploy)`);
    this.claim(slot, 'deploy');
    const progress = (p: DeployProgress) => {
      slot.status.deploy = p;
      this.changed();
    };
    try {
      progress({ phase: 'upload', file: null, index: 0, total: 0, message: null });
      const r = await this.opts.ops.deploy(slot.cfg, this.opts.scenarioDir, (p) => progress({ ...p, message: null }));
      const message = r.ok
        ? `deployed ${r.files} files to ${r.target}, every SHA-256 verified. Saves made with an older runtime are not joinable: restart the slot with a fresh save to use the new scenario.`
        : `deploy to ${r.target} failed verification: ${r.problem}`;
      progress({ phase: r.ok ? 'done' : 'failed', file: null, index: r.files, total: r.files, message });
      return { ok: r.ok, message };
    } catch (e) {
      const message = (e as Error).message;
      progress({ phase: 'failed', file: null, index: 0, total: 0, message });
      return { ok: false, message };
    } finally {
      this.release(slot);
    }
  }

  async restart(id: string): Promise<{ exitCode: number | null; output: string[] }> {
    const slot = this.get(id);
    if (!slot.cfg.restartCommand) throw new Error(`slot ${id} has no restart command (slots[].restartCommand)`);
    this.claim(slot, 'restart');
    slot.status.restart = { running: true, exitCode: null, output: [] };
    this.changed();
    try {
      const r = await this.opts.ops.restart(slot.cfg, (line) => {
        const out = slot.status.restart!.output;
        out.push(line);
        if (out.length > 200) out.shift();
        this.changed();
      });
      slot.status.restart = { running: false, exitCode: r.exitCode, output: slot.status.restart!.output };
      return { exitCode: r.exitCode, output: slot.status.restart.output };
    } catch (e) {
      slot.status.restart = { running: false, exitCode: null, output: [...slot.status.restart!.output, (e as Error).message] };
      throw e;
    } finally {
      this.release(slot);
      void this.pollNow(id);
    }
  }

  /** Runs the join test's steps in order, each with its evidence; the run is kept in the history. */
  async joinTest(id: string): Promise<JoinTestRun> {
    const slot = this.get(id);
    this.claim(slot, 'join-test');
    const names = ['Scenario files on the slot match ours', 'RCON reachable', 'Live runtime version equals version.lua', "The save's runtime version equals it", 'Registered events and nth-ticks equal the static set', 'A Factorio client joins'];
    const run: JoinTestRun = { id: randomUUID(), slot: id, startedAt: Date.now(), finishedAt: null, ok: null, steps: names.map((name) => ({ name, state: 'pending', detail: '' })) };
    slot.status.joinTests.unshift(run);
    if (slot.status.joinTests.length > HISTORY) slot.status.joinTests.pop();
    const step = async (i: number, fn: () => Promise<Pick<JoinStep, 'state' | 'detail'>>) => {
      Object.assign(run.steps[i], { state: 'running', detail: '' });
      this.changed();
      try {
        Object.assign(run.steps[i], await fn());
      } catch (e) {
        Object.assign(run.steps[i], { state: 'failed', detail: (e as Error).message });
      }
      this.changed();
    };
    try {
      const expected = this.expectedVersion;
      await step(0, async () => {
        if (!slot.cfg.deploy) return { state: 'skipped', detail: 'no deploy target configured, so there are no files to compare' };
        const v = await this.opts.ops.verify(slot.cfg, this.opts.scenarioDir);
        return v.ok ? { state: 'passed', detail: `${v.files} files, SHA-256 equal at ${v.target}` } : { state: 'failed', detail: v.problem };
      });
      let probe: ProbeResult | null = null;
      await step(1, async () => {
        const r = await this.probe(slot);
        probe = r.result;
        this.applyProbe(slot, r.result, r.rttMs);
        return { state: 'passed', detail: `answered in ${r.rttMs.toFixed(1)} ms at tick ${r.result.tick}` };
      });
      const p = probe as ProbeResult | null;
      const scenario = p?.scenario ?? null;
      const noScenario = { state: 'failed' as const, detail: p ? `the open_world interface did not answer (${p.scenarioError ?? 'missing'})` : 'not reachable' };
      await step(2, async () => (!scenario ? noScenario : scenario.version === expected ? { state: 'passed', detail: `${scenario.version}` } : { state: 'failed', detail: `the server runs ${scenario.version}, version.lua says ${expected}` }));
      await step(3, async () =>
        !scenario
          ? noScenario
          : scenario.saveVersion === expected
            ? { state: 'passed', detail: `${scenario.saveVersion}` }
            : { state: 'failed', detail: `the save was created with ${scenario.saveVersion}: a stale save, not joinable with the current scenario; rotate the save and restart the slot` },
      );
      await step(4, async () => {
        if (!p?.registrations) return { state: 'failed', detail: p ? 'the scenario did not report its registrations' : 'not reachable' };
        const d = diffRegistrations(p.registrations);
        const live = `${p.registrations.events.join(', ')}; nth ${p.registrations.nth_ticks.join(', ')}`;
        return d.extra.length + d.missing.length === 0 ? { state: 'passed', detail: live } : { state: 'failed', detail: `registered beyond the static set: [${d.extra.join(', ')}], missing: [${d.missing.join(', ')}]` };
      });
      await step(5, async () => {
        const clientPath = this.opts.joinTest.clientPath;
        if (!clientPath) return { state: 'skipped', detail: 'no Factorio client configured (joinTest.clientPath)' };
        // The client's log streams into the step while it runs; the verdict replaces it.
        const log: string[] = [];
        const onLine = (line: string) => {
          log.push(line);
          if (log.length > 12) log.shift();
          run.steps[5].detail = log.join('\n');
          this.changed();
        };
        const r = await runClientJoin({ clientPath, host: slot.cfg.host, gamePort: slot.cfg.gamePort, timeoutMs: this.opts.joinTest.timeoutSeconds * 1000, onLine });
        return { state: r.ok ? 'passed' : 'failed', detail: [r.summary, ...r.evidence].join('\n') };
      });
    } finally {
      run.finishedAt = Date.now();
      run.ok = run.steps.every((s) => s.state === 'passed' || s.state === 'skipped');
      this.release(slot);
      this.saveRun(run);
      this.changed();
    }
    return structuredClone(run);
  }

  // --- helpers ---------------------------------------------------------------------------------

  private get(id: string): Slot {
    const s = this.slots.get(id);
    if (!s) throw new Error(`no slot "${id}" (configured: ${[...this.slots.keys()].join(', ') || 'none'})`);
    return s;
  }

  private claim(slot: Slot, what: NonNullable<SlotStatus['busy']>): void {
    if (slot.status.busy) throw new Error(`slot ${slot.cfg.id} is busy (${slot.status.busy})`);
    slot.status.busy = what;
    this.changed();
  }

  private release(slot: Slot): void {
    slot.status.busy = null;
    this.changed();
  }

  private initialStatus(cfg: SlotConfig, history: JoinTestRun[]): SlotStatus {
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
      expectedVersion: this.expectedVersion,
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

  private loadHistory(): JoinTestRun[] {
    try {
      return readFileSync(this.historyFile, 'utf8')
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

  private saveRun(run: JoinTestRun): void {
    try {
      mkdirSync(join(this.opts.dataDir, 'slots'), { recursive: true });
      appendFileSync(this.historyFile, JSON.stringify(run) + '\n');
    } catch (e) {
      this.opts.logger.warn({ err: (e as Error).message }, 'join test history not saved');
    }
  }

  private summarize(): void {
    if (!this.running) return;
    const all = [...this.slots.values()].map((s) => s.status);
    const bad = all.filter((s) => s.state !== 'reachable' && s.state !== 'unknown');
    if (bad.length) this.cell.set('degraded', `${all.length - bad.length} of ${all.length} slots reachable; ${bad.map((s) => `${s.id}: ${s.state}`).join(', ')}`);
    else this.cell.set('running', `${all.filter((s) => s.state === 'reachable').length} of ${all.length} slots reachable`);
  }

  private changed(): void {
    this.pushes.trigger();
  }
}
