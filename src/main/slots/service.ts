// Headless slots: each configured Factorio server polled over RCON on its own chained timer (a
// slow or dead slot never delays another; polls of one slot never overlap; an unreachable slot
// is retried with backoff), plus the actions the Slots view and the CLI offer: deploy the bundled
// scenario, run the slot's restart command, and the join test that proves a client can join.
import { join } from 'node:path';
import type { Config } from '../../shared/config';
import type { DeployProgress, JoinTestRun, SlotStatus, SlotsStatus } from '../../shared/slots';
import { StatusCell, type Service, type ServiceBasics } from '../service';
import { Coalescer } from '../lib/coalesce';
import { loadJoinHistory, newJoinRun, runJoinSteps, saveJoinRun } from './join-test';
import { PROBE_COMMAND, isAchievementWarning, parseProbe, readScenarioVersion, type ProbeResult } from './probe';
import { RconError, SlotRcon } from './rcon';
import type { SlotConfig, SlotOps } from './ops';
import { HISTORY, applyProbe, initialStatus } from './slot-status';

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
    const history = loadJoinHistory(this.historyFile);
    for (const cfg of this.opts.slots) {
      const rcon = new SlotRcon({
        host: cfg.host,
        port: cfg.rconPort,
        password: this.opts.secret(cfg.rconPassword, `slots.${cfg.id}.rconPassword`) ?? '',
        timeoutMs: this.opts.rconTimeoutMs,
      });
      const slot: Slot = {
        cfg,
        rcon,
        status: initialStatus(
          cfg,
          this.expectedVersion,
          history.filter((r) => r.slot === cfg.id),
        ),
        timer: null,
        failures: 0,
        polling: null,
      };
      this.slots.set(cfg.id, slot);
      if (this.opts.poll !== false) this.schedule(slot, 0);
    }
    this.summarize();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const s of this.slots.values()) if (s.timer) clearTimeout(s.timer);
    await Promise.all(
      [...this.slots.values()].map(async (s) => {
        await s.polling?.catch(() => {});
        await s.rcon.close();
      }),
    );
    this.pushes.cancel();
    this.cell.set('stopped', 'stopped');
  }

  snapshot(): SlotsStatus {
    return {
      slots: [...this.slots.values()].map((s) => structuredClone(s.status)),
      clientPath: this.opts.joinTest.clientPath ?? null,
    };
  }

  status() {
    const s = this.cell.get();
    const all = [...this.slots.values()];
    return {
      ...s,
      details: { slots: all.length, reachable: all.filter((x) => x.status.state === 'reachable').length },
    };
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
        const backoff = slot.failures
          ? Math.min(this.opts.maxBackoffMs ?? 60_000, base * 2 ** (slot.failures - 1))
          : base;
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
    slot.failures = 0;
    applyProbe(slot.status, r, rttMs, this.expectedVersion);
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
      slot.status.restart = {
        running: false,
        exitCode: null,
        output: [...slot.status.restart!.output, (e as Error).message],
      };
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
    const run = newJoinRun(id);
    slot.status.joinTests.unshift(run);
    if (slot.status.joinTests.length > HISTORY) slot.status.joinTests.pop();
    try {
      await runJoinSteps(run, {
        cfg: slot.cfg,
        scenarioDir: this.opts.scenarioDir,
        expected: this.expectedVersion,
        joinTest: this.opts.joinTest,
        ops: this.opts.ops,
        probe: async () => {
          const r = await this.probe(slot);
          this.applyProbe(slot, r.result, r.rttMs);
          return r;
        },
        changed: () => this.changed(),
      });
    } finally {
      run.finishedAt = Date.now();
      run.ok = run.steps.every((s) => s.state === 'passed' || s.state === 'skipped');
      this.release(slot);
      saveJoinRun(this.historyFile, run, this.opts.logger);
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

  private summarize(): void {
    if (!this.running) return;
    const all = [...this.slots.values()].map((s) => s.status);
    const bad = all.filter((s) => s.state !== 'reachable' && s.state !== 'unknown');
    if (bad.length)
      this.cell.set(
        'degraded',
        `${all.length - bad.length} of ${all.length} slots reachable; ${bad.map((s) => `${s.id}: ${s.state}`).join(', ')}`,
      );
    else
      this.cell.set('running', `${all.filter((s) => s.state === 'reachable').length} of ${all.length} slots reachable`);
  }

  private changed(): void {
    this.pushes.trigger();
  }
}
