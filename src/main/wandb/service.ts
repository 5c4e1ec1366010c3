// The W&B session manager: one run per game session, fed from the EventCache. Every metric goes
// to the run's local journal first; an uploader sends journaled lines in batches (every
// wandb.flushSeconds and when a run finishes), retrying network errors, 429 and 5xx with capped,
// jittered backoff (honouring Retry-After) and stopping for good on refusals. Runs left unfinished
// by a crash are resumed at start from their acknowledged offset.
//
// The run API is shaped like wandb's (init -> run.log(metrics, step) -> run.finish(exitCode)), so
// an official SDK that can re-send could take the uploader's place later.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { PushName, PushPayload, WandbRunInfo, WandbStatus } from '../../shared/api';
import type { Config } from '../../shared/config';
import type { PipeEvent, SessionInit, Stats } from '../../shared/events';
import type { Logger } from '../log';
import type { EventCache } from '../pipe/cache';
import { StatusCell, type Service } from '../service';
import { describeRefusal, runUrl, WandbClient, WandbHttpError } from './client';
import { RunJournal } from './journal';

export interface WandbServiceOptions {
  config: Config['wandb'];
  dataDir: string;
  /** Resolved API key; none means offline. */
  apiKey: string | undefined;
  events: EventCache<PipeEvent>;
  logger: Logger;
  statusChanged(): void;
  push<P extends PushName>(name: P, payload: PushPayload<P>): void;
  /** Backoff: first wait and cap (ms). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** How long stop() may spend sending the last lines before leaving them to the next start. */
  finishTimeoutMs?: number;
}

const BATCH_LINES = 1000;
const RECENT_RUNS = 20;

const randomId = (n: number) =>
  [...randomBytes(n)]
    .map((b) => '0123456789abcdefghijklmnopqrstuvwxyz'[b % 36])
    .join('');

interface Live {
  journal: RunJournal;
  state: WandbRunInfo['state'];
  retryAt: number | null;
  attempt: number;
}

export class WandbService implements Service {
  private readonly cell: StatusCell;
  private readonly root: string;
  private readonly client: WandbClient | null;
  private readonly runs = new Map<string, Live>();
  private current: Live | null = null;
  private unsubscribe: (() => void) | null = null;
  /** Events that arrived before start() finished loading the journal. */
  private early: PipeEvent[] | null = [];
  private running = false;
  /** Set when stop()'s deadline passed: the uploader gives up at once (the journal keeps the rest). */
  private aborted = false;
  private pumpDone: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | null = null;
  private skippedCycles = 0;
  private pushTimer: NodeJS.Timeout | null = null;
  private syncing = false;

  constructor(private readonly opts: WandbServiceOptions) {
    this.root = join(opts.dataDir, 'wandb', 'runs');
    this.client = opts.apiKey && opts.config.mode === 'online' ? new WandbClient(opts.config.baseUrl, opts.apiKey) : null;
    this.cell = new StatusCell('stopped', 'not started', opts.statusChanged);
    // Subscribe now, before the pipe can deliver anything; events wait until the journal is loaded.
    this.unsubscribe = opts.events.subscribe((e) => (this.early ? this.early.push(e) : this.onEvent(e)));
  }

  get offline(): boolean {
    return this.client === null;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const journals = RunJournal.loadAll(this.root);
    for (const j of journals) this.runs.set(j.meta.runId, { journal: j, state: this.initialState(j), retryAt: null, attempt: 0 });
    // A run left open by a crash goes on if its session does; older open ones are finished.
    const open = journals.filter((j) => j.meta.finishedAt === null);
    for (const j of open.slice(0, -1)) j.finish(0);
    const last = open.at(-1);
    this.current = last ? this.runs.get(last.meta.runId)! : null;
    const early = this.early ?? [];
    this.early = null;
    for (const e of early) this.onEvent(e);
    this.cell.set('running', this.offline ? (this.opts.apiKey ? 'offline mode: runs are kept in the journal (Sync uploads them)' : 'offline: no API key, runs are kept in the journal') : `online: ${this.opts.config.baseUrl}`);
    this.pumpDone = this.pump();
    this.changed();
  }

  private initialState(j: RunJournal): WandbRunInfo['state'] {
    if (j.done) return 'finished';
    if (j.upload.failure) return 'failed';
    return this.offline ? 'offline' : 'connecting';
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.current) this.finishRun(this.current);
    this.current = null;
    // One last attempt to deliver, bounded; what is left stays in the journal for the next start.
    const deadline = new Promise<void>((r) => setTimeout(r, this.opts.finishTimeoutMs ?? 3000).unref());
    this.running = false;
    this.wake();
    await Promise.race([this.pumpDone, deadline]);
    this.aborted = true;
    this.wake();
    if (this.pushTimer) clearTimeout(this.pushTimer);
    this.pushTimer = null;
    this.opts.push('wandb', this.snapshot());
    this.cell.set('stopped', 'stopped');
  }

  // --- the run API (wandb-shaped) -------------------------------------------------------------

  /** Starts a run for a game session: `{session_id}_{random}`, a fresh run id. */
  private initRun(sessionId: string, levelName: string | null, startTick: number): Live {
    const journal = RunJournal.create(this.root, {
      runId: randomId(8),
      displayName: `${sessionId}_${randomId(4)}`,
      sessionId,
      levelName,
      startTick,
      project: this.opts.config.project,
      entity: this.opts.config.entity,
      createdAt: Date.now(),
      finishedAt: null,
      exitCode: null,
    });
    const live: Live = { journal, state: this.offline ? 'offline' : 'connecting', retryAt: null, attempt: 0 };
    this.runs.set(journal.meta.runId, live);
    this.opts.logger.info({ run: journal.meta.runId, session: sessionId }, 'W&B run started');
    this.wake();
    return live;
  }

  private log(run: Live, stats: Stats): void {
    const metrics: Record<string, unknown> = { _step: stats.cycle, _runtime: (Date.now() - run.journal.meta.createdAt) / 1000, _timestamp: Date.now() / 1000, tick: stats.tick };
    for (const [item, v] of Object.entries(stats.products_production)) metrics[`production/${item}`] = v;
    for (const [item, v] of Object.entries(stats.materials_consumption)) metrics[`consumption/${item}`] = v;
    run.journal.append(JSON.stringify(metrics), stats.cycle, metrics);
  }

  private finishRun(run: Live, exitCode = 0): void {
    run.journal.finish(exitCode);
    this.wake();
  }

  // --- events ---------------------------------------------------------------------------------

  private onEvent(e: PipeEvent): void {
    const ev = e.event;
    if (ev.type === 'session_init') {
      const init = ev as SessionInit;
      // The scenario sends session_init again after each load: same session, same run.
      if (this.current && this.current.journal.meta.sessionId === init.session_id && this.current.journal.meta.finishedAt === null) return;
      if (this.current) this.finishRun(this.current);
      this.current = this.initRun(init.session_id, init.level_name, init.tick);
    } else if (ev.type === 'stats') {
      const stats = ev as Stats;
      if (!this.current || this.current.journal.meta.sessionId !== stats.session_id) {
        if (this.current) this.finishRun(this.current);
        // Stats with no session_init seen: start the run anyway, so nothing is lost.
        this.current = this.initRun(stats.session_id, null, stats.tick);
      }
      const last = this.current.journal.lastStep;
      if (last !== null && stats.cycle <= last) {
        // W&B drops steps that do not increase; not sending it keeps the run honest.
        this.skippedCycles++;
      } else this.log(this.current, stats);
    } else return;
    this.changed();
  }

  // --- upload ---------------------------------------------------------------------------------

  private wake(): void {
    this.wakeUp?.();
  }

  private needsUpload(l: Live): boolean {
    const j = l.journal;
    return !j.done && !j.upload.failure && (j.pending.length > 0 || j.meta.finishedAt !== null || j.upload.entity === null);
  }

  private async pump(): Promise<void> {
    for (;;) {
      if (this.aborted) return;
      const client = this.client;
      if (client) {
        for (const l of [...this.runs.values()].filter((r) => this.needsUpload(r))) {
          if (this.aborted) return;
          if (l.retryAt !== null && l.retryAt > Date.now()) continue;
          await this.uploadRun(client, l);
          if (!this.running && !this.needsUpload(l)) continue;
        }
      }
      const anyPending = client !== null && [...this.runs.values()].some((r) => this.needsUpload(r));
      if (!this.running && !anyPending) return;
      const nextRetry = Math.min(...[...this.runs.values()].map((r) => r.retryAt ?? Infinity));
      const wait = Math.max(0, Math.min(this.opts.config.flushSeconds * 1000, nextRetry - Date.now()));
      if (!this.running && nextRetry === Infinity) return;
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, wait);
        function done() {
          clearTimeout(t);
          resolve();
        }
        // A finished run is sent at once; new lines wait for the next flush.
        this.wakeUp = done;
      });
      this.wakeUp = null;
    }
  }

  /** Sends what this run has pending; errors set its retry time or its failure. */
  private async uploadRun(client: WandbClient, l: Live): Promise<void> {
    const j = l.journal;
    try {
      if (j.upload.entity === null || l.attempt > 0) {
        l.state = 'connecting';
        const ref = await client.upsertRun({
          runId: j.meta.runId,
          project: j.meta.project,
          entity: j.meta.entity,
          displayName: j.meta.displayName,
          config: { session_id: j.meta.sessionId, level_name: j.meta.levelName, start_tick: j.meta.startTick },
        });
        if (this.aborted) return;
        if (j.upload.entity !== ref.entity) j.setUpload({ entity: ref.entity });
      }
      const ref = { entity: j.upload.entity!, project: j.meta.project, runId: j.meta.runId };
      // Only what was pending when this flush began: lines that arrive during a request wait for
      // the next flush instead of each trailing request carrying a line or two.
      let due = j.pending.length;
      while (due > 0 && j.pending.length > 0) {
        const lines = j.pending.slice(0, Math.min(BATCH_LINES, due));
        due -= lines.length;
        await client.fileStream(ref, { history: { offset: j.upload.acked, lines }, summary: j.summary });
        // A newer instance may own the journal now; an answer arriving after our deadline is not recorded.
        if (this.aborted) return;
        j.acknowledge(lines.length);
        l.state = 'active';
        this.changed();
      }
      if (j.meta.finishedAt !== null && !j.upload.complete && j.pending.length === 0) {
        await client.fileStream(ref, { summary: j.summary, complete: { exitCode: j.meta.exitCode ?? 0 } });
        j.setUpload({ complete: true });
        this.opts.logger.info({ run: j.meta.runId, lines: j.upload.acked }, 'W&B run finished');
      }
      l.state = j.upload.complete ? 'finished' : 'active';
      l.attempt = 0;
      l.retryAt = null;
    } catch (e) {
      if (e instanceof WandbHttpError && !e.retryable) {
        const failure = describeRefusal(e.status);
        j.setUpload({ failure });
        l.state = 'failed';
        this.opts.logger.warn({ run: j.meta.runId, status: e.status }, failure);
      } else {
        l.attempt++;
        const backoff = Math.min(this.opts.retryMaxMs ?? 60_000, (this.opts.retryBaseMs ?? 2000) * 2 ** (l.attempt - 1));
        const jittered = backoff * (0.5 + Math.random());
        const wait = e instanceof WandbHttpError && e.retryAfterMs !== null ? Math.max(e.retryAfterMs, jittered / 2) : jittered;
        l.retryAt = Date.now() + wait;
        l.state = 'retrying';
        this.opts.logger.debug({ run: j.meta.runId, err: (e as Error).message, waitMs: Math.round(wait) }, 'W&B request failed; will retry');
      }
    }
    this.changed();
  }

  /** Resolves once no run has anything left to send (or W&B refused it), polling every 50 ms. */
  async idle(): Promise<void> {
    while (this.client && [...this.runs.values()].some((r) => this.needsUpload(r))) await new Promise((r) => setTimeout(r, 50));
  }

  /** Uploads runs kept offline or refused before (after the key was fixed, say). */
  async sync(): Promise<{ runs: number }> {
    if (!this.opts.apiKey) throw new Error('no W&B API key is set (wandb.apiKey or WANDB_API_KEY)');
    const client = this.client ?? new WandbClient(this.opts.config.baseUrl, this.opts.apiKey);
    const todo = [...this.runs.values()].filter((l) => !l.journal.done && l !== this.current);
    for (const l of todo) {
      l.journal.setUpload({ failure: null });
      l.retryAt = null;
      l.attempt = 0;
    }
    if (this.client) {
      this.wake();
      return { runs: todo.length };
    }
    this.syncing = true;
    this.changed();
    try {
      for (const l of todo) await this.uploadRun(client, l);
    } finally {
      this.syncing = false;
      this.changed();
    }
    return { runs: todo.length };
  }

  // --- status ---------------------------------------------------------------------------------

  private info(l: Live): WandbRunInfo {
    const j = l.journal;
    return {
      runId: j.meta.runId,
      displayName: j.meta.displayName,
      sessionId: j.meta.sessionId,
      project: j.meta.project,
      entity: j.upload.entity,
      url: j.upload.entity ? runUrl(this.opts.config.baseUrl, { entity: j.upload.entity, project: j.meta.project, runId: j.meta.runId }) : null,
      state: l.state,
      retryAt: l.state === 'retrying' ? l.retryAt : null,
      failure: j.upload.failure,
      lastStep: j.lastStep,
      linesJournaled: j.journaled,
      linesAcked: j.upload.acked,
      createdAt: j.meta.createdAt,
      finishedAt: j.meta.finishedAt,
    };
  }

  snapshot(): WandbStatus {
    // Newest first; runs made in the same millisecond keep their order of creation, reversed.
    const recent = [...this.runs.values()]
      .reverse()
      .sort((a, b) => b.journal.meta.createdAt - a.journal.meta.createdAt)
      .slice(0, RECENT_RUNS);
    return {
      mode: this.offline ? 'offline' : 'online',
      active: this.current ? this.info(this.current) : null,
      runs: recent.map((l) => this.info(l)),
      skippedCycles: this.skippedCycles,
      syncing: this.syncing,
    };
  }

  private changed(): void {
    this.pushTimer ??= setTimeout(() => {
      this.pushTimer = null;
      this.opts.push('wandb', this.snapshot());
    }, 100);
  }

  status() {
    const s = this.cell.get();
    const failed = [...this.runs.values()].filter((l) => l.state === 'failed').length;
    const pending = [...this.runs.values()].reduce((a, l) => a + l.journal.pending.length, 0);
    const state = failed > 0 && s.state === 'running' ? 'degraded' : s.state;
    const summary = failed > 0 ? `${failed} run(s) refused by W&B: ${[...this.runs.values()].find((l) => l.state === 'failed')!.journal.upload.failure}` : s.summary;
    return { ...s, state, summary, details: { pendingLines: pending, skippedCycles: this.skippedCycles, runs: this.runs.size } };
  }
}
