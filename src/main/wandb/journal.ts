// The per-run journal: every history line is appended here before any attempt to send it, and the
// offset W&B has acknowledged is saved after each accepted request. A run's folder holds
// meta.json (who the run is), history.jsonl (the lines) and upload.json (how far W&B has them).
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RunMeta {
  runId: string;
  displayName: string;
  sessionId: string;
  levelName: string | null;
  startTick: number;
  project: string;
  /** As configured ('' = the API key's default entity). */
  entity: string;
  createdAt: number;
  /** Set when the run was finished here (its last line is in the journal). */
  finishedAt: number | null;
  exitCode: number | null;
}

export interface UploadState {
  /** The entity W&B put the run in, once it exists there. */
  entity: string | null;
  /** History lines W&B has accepted. */
  acked: number;
  /** W&B accepted `complete`. */
  complete: boolean;
  /** Why W&B refused the run for good (until the next Sync). */
  failure: string | null;
}

function writeJson(path: string, value: unknown): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, path);
}

export class RunJournal {
  /** Lines not yet acknowledged, in order: lines[acked + i] = pending[i]. */
  readonly pending: string[];
  journaled: number;
  lastStep: number | null;
  /** The newest metrics, for the run's summary. */
  summary: Record<string, unknown>;

  private constructor(
    readonly dir: string,
    public meta: RunMeta,
    public upload: UploadState,
    lines: string[],
  ) {
    this.journaled = lines.length;
    this.pending = lines.slice(upload.acked);
    const last = lines.at(-1);
    const lastObj = last ? (JSON.parse(last) as Record<string, unknown>) : null;
    this.lastStep = lastObj ? Number(lastObj._step) : null;
    this.summary = { session_id: meta.sessionId, level_name: meta.levelName, start_tick: meta.startTick, ...(lastObj ?? {}) };
  }

  static create(root: string, meta: RunMeta): RunJournal {
    const dir = join(root, meta.runId);
    mkdirSync(dir, { recursive: true });
    const upload: UploadState = { entity: null, acked: 0, complete: false, failure: null };
    writeJson(join(dir, 'meta.json'), meta);
    writeJson(join(dir, 'upload.json'), upload);
    writeFileSync(join(dir, 'history.jsonl'), '');
    return new RunJournal(dir, meta, upload, []);
  }

  static load(dir: string): RunJournal {
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as RunMeta;
    const upload = JSON.parse(readFileSync(join(dir, 'upload.json'), 'utf8')) as UploadState;
    const text = existsSync(join(dir, 'history.jsonl')) ? readFileSync(join(dir, 'history.jsonl'), 'utf8') : '';
    // A crash mid-append can leave half a line at the end: it was never acknowledged, drop it.
    const lines = text.split('\n').filter((l, i, all) => l !== '' && (i < all.length - 1 || text.endsWith('\n')));
    return new RunJournal(dir, meta, upload, lines);
  }

  /** Every run folder under `root`, oldest first. */
  static loadAll(root: string): RunJournal[] {
    if (!existsSync(root)) return [];
    const out: RunJournal[] = [];
    for (const name of readdirSync(root)) {
      try {
        out.push(RunJournal.load(join(root, name)));
      } catch {
        // Not a run folder (or one written by a newer version): leave it alone.
      }
    }
    return out.sort((a, b) => a.meta.createdAt - b.meta.createdAt);
  }

  /** Appends a history line (written through to the file before it is queued for sending). */
  append(line: string, step: number, metrics: Record<string, unknown>): void {
    appendFileSync(join(this.dir, 'history.jsonl'), line + '\n');
    this.pending.push(line);
    this.journaled++;
    this.lastStep = step;
    this.summary = { session_id: this.meta.sessionId, level_name: this.meta.levelName, start_tick: this.meta.startTick, ...metrics };
  }

  /** W&B accepted `n` more lines. */
  acknowledge(n: number): void {
    this.pending.splice(0, n);
    this.setUpload({ acked: this.upload.acked + n });
  }

  setUpload(patch: Partial<UploadState>): void {
    this.upload = { ...this.upload, ...patch };
    writeJson(join(this.dir, 'upload.json'), this.upload);
  }

  finish(exitCode: number): void {
    if (this.meta.finishedAt !== null) return;
    this.meta = { ...this.meta, finishedAt: Date.now(), exitCode };
    writeJson(join(this.dir, 'meta.json'), this.meta);
  }

  /** Nothing more to do for this run: all lines and the finish are with W&B. */
  get done(): boolean {
    return this.upload.complete;
  }
}
