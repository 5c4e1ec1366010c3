// The W&B runs and their journals: loading and creating runs, logging lines, and retrying failed journal writes.
import { randomBytes } from 'node:crypto';
import type { WandbRunInfo } from '../../shared/api';
import type { Config } from '../../shared/config';
import type { Stats } from '../../shared/events';
import type { Logger } from '../log';
import { plainRecord, RunJournal, type BranchPoint } from './journal';
import { Timeline } from './timeline';
import type { Live } from './uploader';

const MAX_UNWRITTEN_BYTES = 64 << 20;

const randomId = (n: number) => [...randomBytes(n)].map((b) => '0123456789abcdefghijklmnopqrstuvwxyz'[b % 36]).join('');

export interface RunBookOptions {
  /** The folder holding one journal per run. */
  root: string;
  config: Config['wandb'];
  logger: Logger;
  offline: boolean;
  /** Lines held in memory while the journal cannot be written (characters, all runs together). */
  maxUnwrittenBytes?: number;
  /** How often a failed journal write is tried again. */
  journalRetryMs?: number;
  /** The service's health changed (a journal failed or recovered). */
  statusChanged(): void;
  /** The pushed snapshot changed. */
  changed(): void;
  /** The uploader has something new to send. */
  wake(): void;
  running(): boolean;
}

export class RunBook {
  readonly runs = new Map<string, Live>();
  /** Where the game's stream is in the journals: tells repeats from rewinds. */
  readonly timeline = new Timeline(() => this.runs.values());
  /** Lines lost because the journal could not be written and the memory bound was reached. */
  droppedLines = 0;
  private journalRetry: NodeJS.Timeout | null = null;
  private lastCreatedAt = 0;

  constructor(private readonly opts: RunBookOptions) {}

  /** Loads every journal on disk as a run; returns them oldest first. */
  load(): RunJournal[] {
    const journals = RunJournal.loadAll(this.opts.root);
    // Every unfinished run is upserted again before sending: W&B's historyLineCount is checked against ours.
    for (const j of journals) this.runs.set(j.meta.runId, this.live(j, this.initialState(j)));
    this.lastCreatedAt = Math.max(0, ...journals.map((j) => j.meta.createdAt));
    return journals;
  }

  private initialState(j: RunJournal): WandbRunInfo['state'] {
    if (j.done) return 'finished';
    if (j.upload.failure) return 'failed';
    return this.opts.offline ? 'offline' : 'connecting';
  }

  /** Starts a run for a game session: `{session_id}_{random}`, a fresh run id. */
  create(sessionId: string, levelName: string | null, startTick: number, branch: BranchPoint | null = null): Live {
    // Strictly increasing, so the order of runs (newest open one, a branch after its origin) survives a reload.
    this.lastCreatedAt = Math.max(Date.now(), this.lastCreatedAt + 1);
    const journal = RunJournal.create(this.opts.root, {
      runId: randomId(8),
      displayName: `${sessionId}_${randomId(4)}`,
      sessionId,
      levelName,
      startTick,
      project: this.opts.config.project,
      entity: this.opts.config.entity,
      createdAt: this.lastCreatedAt,
      finishedAt: null,
      exitCode: null,
      ...(branch ? { branch } : {}),
    });
    const live = this.live(journal, this.opts.offline ? 'offline' : 'connecting');
    this.runs.set(journal.meta.runId, live);
    this.timeline.place(live, branch?.toCycle ?? null);
    this.afterWrite(journal);
    if (branch)
      this.opts.logger.info(
        {
          run: journal.meta.runId,
          session: sessionId,
          from: branch.fromRunId,
          fromCycle: branch.fromCycle,
          toCycle: branch.toCycle,
        },
        'the game went back to an earlier save: W&B run branched',
      );
    else this.opts.logger.info({ run: journal.meta.runId, session: sessionId }, 'W&B run started');
    this.opts.wake();
    return live;
  }

  live(journal: RunJournal, state: WandbRunInfo['state']): Live {
    return {
      journal,
      state,
      retryAt: null,
      attempt: 0,
      upsert: !journal.done,
      maxLines: Infinity,
      lastSentAt: Date.now(),
    };
  }

  log(run: Live, stats: Stats, content: Record<string, unknown>): void {
    const metrics = plainRecord({
      _step: stats.cycle,
      _runtime: (Date.now() - run.journal.meta.createdAt) / 1000,
      _timestamp: Date.now() / 1000,
      ...content,
    });
    const line = JSON.stringify(metrics);
    const held = [...this.runs.values()].reduce((a, l) => a + l.journal.unwrittenBytes, 0);
    if (held + line.length > (this.opts.maxUnwrittenBytes ?? MAX_UNWRITTEN_BYTES)) {
      // The disk has been failing long enough to fill the memory bound: this line is lost, and said so.
      this.droppedLines++;
      this.opts.logger.error(
        { run: run.journal.meta.runId, step: stats.cycle, dropped: this.droppedLines },
        'W&B journal full in memory and on disk: stats line dropped',
      );
      return;
    }
    run.journal.append(line, stats.cycle, metrics);
    this.timeline.place(run, stats.cycle);
    this.afterWrite(run.journal);
  }

  /** After a write: new lines on disk go out with the next flush; a failed write is retried soon. */
  afterWrite(j: RunJournal): void {
    if (j.writeError && !this.journalRetry && this.opts.running()) {
      this.opts.logger.error(
        { run: j.meta.runId, err: j.writeError.message },
        'W&B journal write failed; lines are held in memory and retried',
      );
      this.scheduleJournalRetry();
      this.opts.statusChanged();
    }
  }

  private scheduleJournalRetry(): void {
    this.journalRetry = setTimeout(() => {
      this.journalRetry = null;
      if (this.flush()) {
        this.opts.logger.info('W&B journal writable again');
        this.opts.statusChanged();
      } else if (this.opts.running()) this.scheduleJournalRetry();
      this.opts.changed();
    }, this.opts.journalRetryMs ?? 1000);
  }

  /** Tries every journal with unwritten parts; true when all are on disk. */
  flush(): boolean {
    let ok = true;
    for (const l of this.runs.values()) if (!l.journal.written) ok = l.journal.flush() && ok;
    return ok;
  }

  finish(run: Live, exitCode = 0): void {
    run.journal.finish(exitCode);
    this.afterWrite(run.journal);
    this.opts.wake();
  }
  /** Someone pressed Stop in W&B: the run ends here (what is journaled is still delivered). */
  stoppedInWandb(l: Live): void {
    if (l.journal.meta.finishedAt !== null) return;
    this.opts.logger.warn({ run: l.journal.meta.runId }, 'W&B says the run was stopped; finishing it');
    // 255, as the official client exits when Stop interrupts the program (`wandb/sdk/lib/exit_hooks.py`).
    l.journal.finish(255, true);
    this.afterWrite(l.journal);
    this.opts.wake();
  }

  /** Stops retrying failed journal writes (the service is stopping). */
  stopRetrying(): void {
    if (this.journalRetry) clearTimeout(this.journalRetry);
    this.journalRetry = null;
  }
}
