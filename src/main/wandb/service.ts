// The W&B session manager: one run per game session, fed from the EventCache. Every metric goes
// to the run's local journal first; an uploader sends journaled lines in requests under a byte cap
// (every wandb.flushSeconds and when a run finishes), retrying what the official client retries
// with its backoff, and stopping for good on refusals. While a run is open and online, an empty
// request goes out when nothing was sent for wandb.heartbeatSeconds, so W&B does not mark the run
// crashed. Runs left unfinished by a crash are resumed at start (UpsertBucket, then the history
// offset both sides agree on: see reconcile()). A game that goes back to an earlier save starts a
// new run that names the one it branched from; a line delivered again is not sent twice (timeline.ts).
//
// The run API (runs.ts) is shaped like wandb's (init -> run.log(metrics, step) -> run.finish(exitCode)), so
// an official SDK that can re-send could take the uploader's place later.
import { join } from 'node:path';
import type { WandbStatus } from '../../shared/api';
import type { Config } from '../../shared/config';
import { isSessionInit, isStats, type PipeEvent } from '../../shared/events';
import type { EventCache } from '../lib/cache';
import { StatusCell, type Service, type ServiceBasics } from '../service';
import { Coalescer } from '../lib/coalesce';
import { Wakeup } from '../lib/wakeup';
import type { Limits } from './batch';
import { MAX_LINE_BYTES, MAX_REQUEST_BYTES, WandbClient } from './client';
import { lineKey } from './journal';
import { RunBook } from './runs';
import { journalError, recentRuns, runInfo, serviceStatus } from './status';
import { statsMetrics } from './timeline';
import { uploadRun, type Live, type UploadContext } from './uploader';

export interface WandbServiceOptions extends ServiceBasics {
  config: Config['wandb'];
  dataDir: string;
  /** Resolved API key; none means offline. */
  apiKey: string | undefined;
  events: EventCache<PipeEvent>;
  /** Backoff: first wait and cap (ms). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** How long stop() may spend sending the last lines before leaving them to the next start. */
  finishTimeoutMs?: number;
  /** Byte caps per request and per line (default: the official client's). */
  limits?: Partial<Limits>;
  /** Lines held in memory while the journal cannot be written (characters, all runs together). */
  maxUnwrittenBytes?: number;
  /** How often a failed journal write is tried again. */
  journalRetryMs?: number;
}

const RECENT_RUNS = 20;

export class WandbService implements Service {
  private readonly cell: StatusCell;
  private readonly client: WandbClient | null;
  private readonly book: RunBook;
  private readonly runs: Map<string, Live>;
  private current: Live | null = null;
  private unsubscribe: (() => void) | null = null;
  /** Events that arrived before start() finished loading the journal. */
  private early: PipeEvent[] | null = [];
  private running = false;
  /** Set when stop()'s deadline passed: the uploader gives up at once (the journal keeps the rest). */
  private aborted = false;
  private pumpDone: Promise<void> = Promise.resolve();
  private readonly wakeup = new Wakeup();
  private skippedCycles = 0;
  private readonly pushes = new Coalescer(100, () => this.opts.push('wandb', this.snapshot()));
  private syncing = false;
  private readonly limits: Limits;
  private readonly heartbeatMs: number;
  /** Stats for a session whose run was stopped in W&B's UI: not logged, counted. */
  private stoppedCycles = 0;
  private readonly uploadContext: UploadContext;

  constructor(private readonly opts: WandbServiceOptions) {
    this.client =
      opts.apiKey && opts.config.mode === 'online' ? new WandbClient(opts.config.baseUrl, opts.apiKey) : null;
    this.book = new RunBook({
      root: join(opts.dataDir, 'wandb', 'runs'),
      config: opts.config,
      logger: opts.logger,
      offline: this.client === null,
      maxUnwrittenBytes: opts.maxUnwrittenBytes,
      journalRetryMs: opts.journalRetryMs,
      statusChanged: () => opts.statusChanged(),
      changed: () => this.changed(),
      wake: () => this.wake(),
      running: () => this.running,
    });
    this.runs = this.book.runs;
    this.limits = {
      maxRequestBytes: opts.limits?.maxRequestBytes ?? MAX_REQUEST_BYTES,
      maxLineBytes: opts.limits?.maxLineBytes ?? MAX_LINE_BYTES,
    };
    this.heartbeatMs = opts.config.heartbeatSeconds * 1000;
    this.uploadContext = {
      limits: this.limits,
      logger: opts.logger,
      retryBaseMs: opts.retryBaseMs ?? 2000,
      retryMaxMs: opts.retryMaxMs ?? 60_000,
      aborted: () => this.aborted,
      changed: () => this.changed(),
      stopped: (l) => this.book.stoppedInWandb(l),
    };
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
    const journals = this.book.load();
    // A run left open by a crash goes on if its session does; older open ones are finished.
    const open = journals.filter((j) => j.meta.finishedAt === null);
    for (const j of open.slice(0, -1)) j.finish(0);
    const last = open.at(-1);
    this.current = last ? this.runs.get(last.meta.runId)! : null;
    const early = this.early ?? [];
    this.early = null;
    for (const e of early) this.onEvent(e);
    this.cell.set(
      'running',
      this.offline
        ? this.opts.apiKey
          ? 'offline mode: runs are kept in the journal (Sync uploads them)'
          : 'offline: no API key, runs are kept in the journal'
        : `online: ${this.opts.config.baseUrl}`,
    );
    this.pumpDone = this.pump();
    this.changed();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.current) this.book.finish(this.current);
    this.current = null;
    // One last attempt to deliver, bounded; what is left stays in the journal for the next start.
    const deadline = new Promise<void>((r) => setTimeout(r, this.opts.finishTimeoutMs ?? 3000).unref());
    this.running = false;
    this.wake();
    await Promise.race([this.pumpDone, deadline]);
    this.aborted = true;
    this.wake();
    this.book.stopRetrying();
    this.book.flush();
    const unwritten = [...this.runs.values()].reduce((a, l) => a + l.journal.unwrittenLines, 0);
    if (unwritten > 0)
      this.opts.logger.error(
        { lines: unwritten, err: journalError(this.runs.values())?.message },
        'W&B journal could not be written: lines lost at stop',
      );
    this.pushes.cancel();
    this.opts.push('wandb', this.snapshot());
    this.cell.set('stopped', 'stopped');
  }

  // --- events ---------------------------------------------------------------------------------

  private onEvent(e: PipeEvent): void {
    const ev = e.event;
    if (isSessionInit(ev)) {
      const init = ev;
      const d = this.book.timeline.onInit(init, this.current);
      if (d.kind !== 'start') return;
      if (this.current) this.book.finish(this.current);
      this.current = this.book.create(init.session_id, init.level_name, init.tick, d.branch);
    } else if (isStats(ev)) {
      const stats = ev;
      if (this.current?.journal.meta.stoppedInWandb && this.current.journal.meta.sessionId === stats.session_id) {
        this.stoppedCycles++;
        this.changed();
        return;
      }
      const metrics = statsMetrics(stats);
      const d = this.book.timeline.onStats(stats, () => lineKey(metrics).key, this.current);
      if (d.kind === 'repeat' || d.kind === 'keep') {
        // Delivered again (the pipe's at-least-once replay): W&B has it, or will from the journal.
        this.skippedCycles++;
      } else {
        let run = d.kind === 'log' ? d.run : null;
        if (!run) {
          if (this.current) this.book.finish(this.current);
          // Stats with no session_init seen (or the game went back without one): a run anyway, so nothing is lost.
          const levelName =
            d.kind === 'start' && d.branch ? (this.runs.get(d.branch.fromRunId)?.journal.meta.levelName ?? null) : null;
          run = this.current = this.book.create(
            stats.session_id,
            levelName,
            stats.tick,
            d.kind === 'start' ? d.branch : null,
          );
        }
        this.book.log(run, stats, metrics);
      }
    } else return;
    this.changed();
  }

  // --- upload ---------------------------------------------------------------------------------

  private wake(): void {
    this.wakeup.wake();
  }

  private needsUpload(l: Live): boolean {
    const j = l.journal;
    return (
      !j.done && !j.upload.failure && (j.pending.length > 0 || j.meta.finishedAt !== null || j.upload.entity === null)
    );
  }

  /** The open run that keeps W&B's heartbeat: the current one, while online and not refused. */
  private heartbeatRun(): Live | null {
    const l = this.current;
    return this.client && this.running && l && l.journal.meta.finishedAt === null && !l.journal.upload.failure
      ? l
      : null;
  }

  private async pump(): Promise<void> {
    for (;;) {
      if (this.aborted) return;
      const client = this.client;
      if (client) {
        for (const l of [...this.runs.values()].filter((r) => this.needsUpload(r))) {
          if (this.aborted) return;
          if (l.retryAt !== null && l.retryAt > Date.now()) continue;
          await uploadRun(client, l, this.uploadContext);
        }
        const hb = this.heartbeatRun();
        if (hb && hb.retryAt === null && Date.now() - hb.lastSentAt >= this.heartbeatMs && !this.aborted)
          await uploadRun(client, hb, this.uploadContext, true);
      }
      const due = client ? [...this.runs.values()].filter((r) => this.needsUpload(r)) : [];
      if (!this.running && due.length === 0) return;
      const nextRetry = Math.min(...due.map((r) => r.retryAt ?? Infinity));
      const hb = this.heartbeatRun();
      const nextHeartbeat = hb && hb.retryAt === null ? hb.lastSentAt + this.heartbeatMs : Infinity;
      // Stopping: lines that arrived during the last request go out at once, not after a flush interval.
      const stopping = !this.running && due.some((r) => r.retryAt === null);
      const wait = stopping
        ? 0
        : Math.max(
            0,
            Math.min(this.opts.config.flushSeconds * 1000, nextRetry - Date.now(), nextHeartbeat - Date.now()),
          );
      // A finished run is sent at once (wake); new lines wait for the next flush.
      await this.wakeup.sleep(wait);
    }
  }

  /** Resolves once no run has anything left to send (or W&B refused it), polling every 50 ms. */
  async idle(): Promise<void> {
    while (this.client && this.running && [...this.runs.values()].some((r) => this.needsUpload(r)))
      await new Promise((r) => setTimeout(r, 50));
  }

  /** Uploads runs kept offline or refused before (after the key was fixed, say). */
  async sync(): Promise<{ runs: number }> {
    if (!this.opts.apiKey) throw new Error('no W&B API key is set (wandb.apiKey or WANDB_API_KEY)');
    const client = this.client ?? new WandbClient(this.opts.config.baseUrl, this.opts.apiKey);
    // Offline, the open run is still being written: it is synced once it is finished.
    const todo = [...this.runs.values()].filter((l) => !l.journal.done && (this.client !== null || l !== this.current));
    for (const l of todo) {
      // A refusal is cleared (the key may be fixed now) and the run upserted again, like a resume.
      l.journal.setUpload({ failure: null });
      this.book.afterWrite(l.journal);
      l.retryAt = null;
      l.attempt = 0;
      l.upsert = true;
      if (l.state === 'failed') l.state = this.client ? 'connecting' : 'offline';
    }
    if (this.client) {
      this.wake();
      return { runs: todo.length };
    }
    this.syncing = true;
    this.changed();
    try {
      for (const l of todo) await uploadRun(client, l, this.uploadContext);
    } finally {
      this.syncing = false;
      this.changed();
    }
    return { runs: todo.length };
  }

  // --- status ---------------------------------------------------------------------------------

  snapshot(): WandbStatus {
    return {
      mode: this.offline ? 'offline' : 'online',
      active: this.current ? runInfo(this.current, this.opts.config.baseUrl) : null,
      runs: recentRuns(this.runs.values(), RECENT_RUNS).map((l) => runInfo(l, this.opts.config.baseUrl)),
      skippedCycles: this.skippedCycles,
      stoppedCycles: this.stoppedCycles,
      droppedLines: this.book.droppedLines,
      journalError: journalError(this.runs.values())?.message ?? null,
      syncing: this.syncing,
    };
  }

  private changed(): void {
    this.pushes.trigger();
  }

  status() {
    return serviceStatus(this.cell.get(), [...this.runs.values()], {
      droppedLines: this.book.droppedLines,
      skippedCycles: this.skippedCycles,
      stoppedCycles: this.stoppedCycles,
    });
  }
}
