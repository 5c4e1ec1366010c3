// The event pipe: picks FIFO or file mode, reads lines, parses them, caches accepted events and
// counts everything else. Factorio must never block on us: while running we always read, and on
// stop a FIFO we created is removed so the game's next write creates a plain file instead.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import type { Config } from '../../shared/config';
import {
  parseEventLine,
  type PipeCounters,
  type PipeEvent,
  type RejectedLine,
  type RejectReason,
} from '../../shared/events';
import { StatusCell, type Service, type ServiceBasics } from '../service';
import { Coalescer } from '../lib/coalesce';
import type { EventCache } from '../lib/cache';
import { CachedEvent } from './cached-event';
import { FifoReader } from './fifo';
import { LineSplitter } from '../lib/lines';
import { PipeStateStore } from '../lib/state';
import { FileTail } from '../lib/tail';

export interface PipeServiceOptions extends ServiceBasics {
  /** The path to read (config, or the demo feed's path when no Factorio is installed). */
  path: string;
  config: Config['pipe'];
  dataDir: string;
  cache: EventCache<PipeEvent>;
  /** How often to look again for a missing parent folder. */
  retryMs?: number;
}

const RECENT_REJECTS = 20;

export class PipeService implements Service {
  private readonly cell: StatusCell;
  private readonly splitter: LineSplitter;
  private readonly state: PipeStateStore;
  private mode: 'fifo' | 'file' | null = null;
  private fifo: FifoReader | null = null;
  private tail: FileTail | null = null;
  private mirror: RotatingFileStream | null = null;
  private createdFifoInode: number | null = null;
  private retry: NodeJS.Timeout | null = null;
  /** Counters reach the UI at most four times a second, and always after the last change. */
  private readonly counterPushes = new Coalescer(250, () => this.opts.push('pipe', this.counters()));
  private running = false;
  private linesRead = 0;
  private accepted = 0;
  private readonly rejected: Partial<Record<RejectReason, number>> = {};
  private rejectedTotal = 0;
  private lastEventAt: number | null = null;
  private runningSummary = '';
  private readonly recentRejected: RejectedLine[] = [];

  constructor(private readonly opts: PipeServiceOptions) {
    this.cell = new StatusCell('stopped', 'not started', opts.statusChanged);
    this.splitter = new LineSplitter(
      { line: (t) => this.onLine(t), bad: (r, m, p) => this.reject(r, m, p) },
      opts.config.maxLineBytes,
    );
    // One state file per path, so switching between the demo's path and Factorio's keeps both.
    const key = createHash('sha256').update(opts.path).digest('hex').slice(0, 16);
    this.state = new PipeStateStore(join(opts.dataDir, 'pipe', `state-${key}.json`), opts.path, (problem) => {
      if (problem) opts.logger.warn({ problem }, 'pipe position not saved; kept in memory, retrying');
      else opts.logger.info('pipe position saved again');
      this.setRunning(this.runningSummary);
    });
  }

  /** Running, or degraded while the read position cannot be saved (reading goes on meanwhile). */
  private setRunning(summary: string): void {
    this.runningSummary = summary;
    const cur = this.cell.get().state;
    if (!this.running || (cur !== 'running' && cur !== 'degraded')) return;
    const problem = this.state.problem;
    if (problem)
      this.cell.set(
        'degraded',
        `${summary}; ${problem} (kept in memory, retrying: a crash now re-reads lines since the last save)`,
      );
    else this.cell.set('running', summary);
  }

  async start(): Promise<void> {
    if (this.running) return;
    // Record that we ran on this path: a file that appears here later was written while we were away.
    if (!this.state.seenBefore) this.state.update({}, 'now');
    this.running = true;
    if (this.opts.config.mirrorLogPath) {
      const p = this.opts.config.mirrorLogPath;
      mkdirSync(dirname(p), { recursive: true });
      this.mirror = createStream(p.split(/[\\/]/).pop()!, {
        path: dirname(p),
        size: `${Math.ceil(this.opts.config.mirrorMaxBytes / 1024)}K`,
        maxFiles: this.opts.config.mirrorFiles,
      });
      this.mirror.on('error', (e) => this.opts.logger.warn({ err: e.message }, 'pipe mirror write failed'));
    }
    await this.open();
  }

  /** Opens the source, or schedules another try when the folder is not there yet. */
  private async open(): Promise<void> {
    this.retry = null;
    if (!this.running) return;
    const { path, config } = this.opts;
    if (!existsSync(dirname(path))) {
      this.cell.set('degraded', `waiting for ${dirname(path)} to exist (is Factorio installed here? set pipe.path)`);
      this.retry = setTimeout(() => void this.open(), this.opts.retryMs ?? 2000);
      return;
    }
    let st = lstatSafe(path);
    if (config.mode === 'file' && st?.isFIFO() && this.state.get().createdFifoInode === st.ino) {
      // A FIFO we made in FIFO mode and could not remove (the app was killed): ours to clear.
      unlinkSync(path);
      st = null;
    }
    const kind = st ? (st.isFIFO() ? 'fifo' : st.isFile() ? 'file' : 'other') : 'missing';
    if (kind === 'other') return this.cell.set('error', `${path} is neither a FIFO nor a regular file`);
    if (config.mode === 'fifo' && kind === 'file')
      return this.cell.set('error', `${path} is a regular file but pipe.mode is "fifo" (remove it, or use "auto")`);
    if (config.mode === 'file' && kind === 'fifo')
      return this.cell.set('error', `${path} is a FIFO but pipe.mode is "file" (use "auto" or "fifo")`);
    const wantFifo =
      kind === 'fifo' ||
      (kind === 'missing' && (config.mode === 'fifo' || (config.mode === 'auto' && process.platform !== 'win32')));
    try {
      if (wantFifo) {
        if (kind === 'missing') {
          // Node has no mkfifo(3); the coreutils command is on every Linux and macOS.
          execFileSync('mkfifo', ['-m', '600', path]);
          st = lstatSafe(path);
          this.createdFifoInode = st!.ino;
          this.state.update({ createdFifoInode: st!.ino }, 'now');
        } else if (this.state.get().createdFifoInode === st!.ino) {
          this.createdFifoInode = st!.ino;
        }
        if (this.createdFifoInode !== null) process.on('exit', this.removeFifoAtExit);
        this.fifo = new FifoReader(path, {
          data: (chunk) => this.splitter.push(chunk),
          error: (e) => this.cell.set('error', `reading FIFO ${path}: ${e.message}`),
        });
        this.fifo.start();
        this.mode = 'fifo';
        this.cell.set('running', `reading FIFO ${path}`);
        this.setRunning(`reading FIFO ${path}`);
      } else {
        // No saved position: on a path we have read before, everything in the file is new to us
        // (the game wrote it while we were closed); on a path new to us, startAt decides.
        const from = this.state.get().position ?? (this.state.seenBefore ? 'start' : config.startAt);
        this.tail = new FileTail(
          path,
          { from, pollMs: 100 },
          {
            data: (chunk, pos) => {
              this.splitter.push(chunk);
              // Remember the end of the last whole line, so a restart never resumes mid-line.
              this.state.update({ position: { ...pos, offset: pos.offset - this.splitter.pending } });
            },
            missing: () => {
              this.cell.set('running', `waiting for ${path} to appear`);
              this.setRunning(`waiting for ${path} to appear`);
            },
            opened: (pos) => {
              // Saved at once: a file rotated away after a crash is found again only by its identity.
              this.state.update({ position: pos }, 'now');
              this.cell.set('running', `following file ${path}`);
              this.setRunning(`following file ${path}`);
            },
            truncated: () => this.splitter.flush(),
            rotated: () => this.splitter.flush(),
            error: (e) => this.cell.set('error', `reading ${path}: ${e.message}`),
          },
        );
        this.mode = 'file';
        await this.tail.start();
      }
    } catch (e) {
      this.cell.set('error', `cannot open ${path}: ${(e as Error).message}`);
    }
    this.countersChanged();
  }

  private readonly removeFifoAtExit = (): void => {
    this.removeCreatedFifo();
  };

  private removeCreatedFifo(): void {
    if (this.createdFifoInode === null) return;
    const st = lstatSafe(this.opts.path);
    if (st?.isFIFO() && st.ino === this.createdFifoInode) {
      try {
        unlinkSync(this.opts.path);
      } catch {
        // Already gone or not ours to remove; nothing else to do at exit.
      }
    }
    this.createdFifoInode = null;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.retry) clearTimeout(this.retry);
    this.fifo?.stop();
    this.fifo = null;
    await this.tail?.stop();
    this.tail = null;
    this.removeCreatedFifo();
    process.off('exit', this.removeFifoAtExit);
    this.state.update({ createdFifoInode: undefined }, 'now');
    this.state.close();
    await new Promise<void>((resolve) => (this.mirror ? this.mirror.end(resolve) : resolve()));
    this.mirror = null;
    this.counterPushes.cancel();
    this.opts.push('pipe', this.counters());
    this.cell.set('stopped', 'stopped');
  }

  private onLine(text: string): void {
    this.linesRead++;
    // Whatever goes wrong with one line is that line's counted rejection: thrown out of here, it
    // would end the process (FIFO) or leave the file reader in error with the next line glued on.
    try {
      this.takeLine(text);
    } catch (e) {
      this.reject('failed', `the line could not be handled: ${(e as Error).message}`, preview(text));
    }
  }

  private takeLine(text: string): void {
    this.mirror?.write(text + '\n');
    const r = parseEventLine(text);
    if (!r.ok) return this.reject(r.reason, r.message, preview(text));
    const at = Date.now();
    // The cache's push count is app-wide, so sequence numbers stay unique across pipe restarts.
    const e = new CachedEvent(this.opts.cache.pushed + 1, at, text, r.event);
    this.opts.cache.push(e);
    e.release();
    this.accepted++;
    this.lastEventAt = at;
    this.countersChanged();
  }

  private reject(reason: RejectReason, message: string, preview: string): void {
    if (reason === 'too_long' || reason === 'invalid_utf8') this.linesRead++;
    this.rejected[reason] = (this.rejected[reason] ?? 0) + 1;
    this.rejectedTotal++;
    this.recentRejected.push({ at: Date.now(), reason, message, preview });
    if (this.recentRejected.length > RECENT_REJECTS) this.recentRejected.shift();
    this.opts.logger.debug({ reason, message }, 'pipe line rejected');
    this.countersChanged();
  }

  private countersChanged(): void {
    this.counterPushes.trigger();
  }

  counters(): PipeCounters {
    return {
      mode: this.mode,
      path: this.opts.path,
      createdFifo: this.createdFifoInode !== null,
      linesRead: this.linesRead,
      accepted: this.accepted,
      rejected: { ...this.rejected },
      rejectedTotal: this.rejectedTotal,
      evicted: this.opts.cache.evicted,
      cached: this.opts.cache.size(),
      capacity: this.opts.cache.capacity,
      writerHangups: this.fifo?.writerHangups ?? null,
      lastEventAt: this.lastEventAt,
      recentRejected: [...this.recentRejected],
    };
  }

  status() {
    const s = this.cell.get();
    return {
      ...s,
      details: {
        mode: this.mode,
        accepted: this.accepted,
        rejected: this.rejectedTotal,
        evicted: this.opts.cache.evicted,
      },
    };
  }
}

const preview = (text: string): string => (text.length > 200 ? text.slice(0, 200) + '…' : text);

function lstatSafe(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}
