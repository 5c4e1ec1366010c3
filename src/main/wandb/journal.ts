// The per-run journal: every history line is appended here before any attempt to send it, and the
// offset W&B has acknowledged is saved after each accepted request. A run's folder holds
// meta.json (who the run is), history.jsonl (the lines) and upload.json (how far W&B has them).
//
// Writes never throw at the caller: a write that fails (a full disk, say) keeps what it could not
// write in memory, reports the error in `writeError`, and is tried again by the next `flush()`.
// Lines are only handed to the uploader once they are on disk.
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/** Where a run came from when the game went back in time (an earlier save was loaded). */
export interface BranchPoint {
  /** The run the game was in when it went back. */
  fromRunId: string;
  fromDisplayName: string;
  /** The cycle (and its tick) the game had reached there; null if that run had no line yet. */
  fromCycle: number | null;
  fromTick: number | null;
  /** The cycle the loaded save holds: this run's lines start after it. */
  toCycle: number;
  /** The tick the save was loaded at (from its session_init; null when only a stats line showed it). */
  toTick: number | null;
  /** What showed the rewind: the session_init written after the load, or a stats line whose cycle went back. */
  seenBy: 'session_init' | 'stats';
  /** The session the branch continues. */
  parentSessionId: string;
}

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
  /** W&B answered `stopped` (someone pressed Stop in its UI): the session's later stats are not logged. */
  stoppedInWandb?: boolean;
  /** Set when this run continues a session from an earlier save. */
  branch?: BranchPoint;
}

/** The run's config in W&B: who it is, and, for a branch, the run it branched from. */
export function runConfig(meta: RunMeta): Record<string, unknown> {
  const config: Record<string, unknown> = {
    session_id: meta.sessionId,
    level_name: meta.levelName,
    start_tick: meta.startTick,
  };
  const b = meta.branch;
  if (!b) return config;
  return Object.assign(config, {
    branched_from_run: b.fromRunId,
    branched_from_name: b.fromDisplayName,
    rewound_from_cycle: b.fromCycle,
    rewound_from_tick: b.fromTick,
    loaded_cycle: b.toCycle,
    ...(b.toTick !== null ? { loaded_tick: b.toTick } : {}),
    rewind_seen_by: b.seenBy,
    parent_session_id: b.parentSessionId,
  });
}

/** One journaled line as far as telling a repeat goes: its content (the clock fields left out) and tick. */
export interface LineKey {
  key: string;
  tick: number;
}

/**
 * The content of a history line without `_runtime` and `_timestamp` (which differ each time a line
 * is logged), hashed. Two lines with the same key carry the same step, tick and rates.
 */
export function lineKey(metrics: Record<string, unknown>): LineKey {
  const content = plainRecord(metrics);
  delete content._runtime;
  delete content._timestamp;
  return { key: createHash('sha1').update(JSON.stringify(content)).digest('base64'), tick: Number(content.tick) };
}

export interface UploadState {
  /** The entity W&B put the run in, once it exists there. */
  entity: string | null;
  /** Journal lines dealt with: accepted by W&B, or refused as too large (`refused`). */
  acked: number;
  /** Of those, lines never sent because no request could carry them. W&B's line count is acked − refused. */
  refused: number;
  /** Why the last refused line was refused. */
  refusal: string | null;
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

/** A null-prototype copy, so item names like `__proto__` or `constructor` stay plain keys. */
export function plainRecord(from: Record<string, unknown>): Record<string, unknown> {
  return Object.assign(Object.create(null) as Record<string, unknown>, from);
}

export class RunJournal {
  /** Lines on disk and not yet dealt with, in order: lines[acked + i] = pending[i]. */
  readonly pending: string[];
  /** Lines on disk. */
  journaled: number;
  lastStep: number | null;
  /** The newest metrics, for the run's summary. */
  summary: Record<string, unknown>;
  /** The last write that failed (null once everything is on disk). */
  writeError: Error | null = null;
  /** Lines accepted but not yet on disk, oldest first. */
  private unwritten: string[] = [];
  private unwrittenSize = 0;
  private metaDirty = false;
  private uploadDirty = false;
  /** Size of history.jsonl when its last write succeeded: a failed append is cut back to it. */
  private bytes: number;
  /** The file ends in a half line (a crash mid-append): cut it off before appending. */
  private cutPending = false;
  /** Step -> line key, built from the file the first time a repeat has to be told apart. */
  private index: Map<number, LineKey> | null = null;

  private constructor(
    readonly dir: string,
    public meta: RunMeta,
    public upload: UploadState,
    lines: string[],
    private created: boolean,
    bytes: number,
  ) {
    this.bytes = bytes;
    this.journaled = lines.length;
    this.pending = lines.slice(upload.acked);
    const last = lines.at(-1);
    const lastObj = last ? (JSON.parse(last) as Record<string, unknown>) : null;
    this.lastStep = lastObj ? Number(lastObj._step) : null;
    this.summary = plainRecord({
      session_id: meta.sessionId,
      level_name: meta.levelName,
      start_tick: meta.startTick,
      ...(lastObj ?? {}),
    });
  }

  /** A new run; its folder is written now if the disk allows, else by a later flush(). */
  static create(root: string, meta: RunMeta): RunJournal {
    const upload: UploadState = { entity: null, acked: 0, refused: 0, refusal: null, complete: false, failure: null };
    const j = new RunJournal(join(root, meta.runId), meta, upload, [], false, 0);
    j.flush();
    return j;
  }

  static load(dir: string): RunJournal {
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as RunMeta;
    const upload = {
      refused: 0,
      refusal: null,
      ...(JSON.parse(readFileSync(join(dir, 'upload.json'), 'utf8')) as Partial<UploadState>),
    } as UploadState;
    const path = join(dir, 'history.jsonl');
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    // A crash mid-append can leave half a line at the end: it was never acknowledged. Cut it off,
    // so the next append starts on a line of its own.
    const whole = !text.endsWith('\n') && text !== '' ? text.slice(0, text.lastIndexOf('\n') + 1) : text;
    const j = new RunJournal(
      dir,
      meta,
      upload,
      whole.split('\n').filter((l) => l !== ''),
      true,
      Buffer.byteLength(whole),
    );
    if (whole !== text) {
      j.cutPending = true;
      j.flush();
    }
    return j;
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

  /** Accepts a history line: written through to the file (or held until it can be), then queued for sending. */
  append(line: string, step: number, metrics: Record<string, unknown>): void {
    this.unwritten.push(line);
    this.unwrittenSize += line.length;
    this.lastStep = step;
    this.index?.set(step, lineKey(metrics));
    this.summary = plainRecord({
      session_id: this.meta.sessionId,
      level_name: this.meta.levelName,
      start_tick: this.meta.startTick,
      ...metrics,
    });
    this.flush();
  }

  /**
   * The line this run holds at `step`, if any. Only read when a line does not simply continue the
   * run (a repeat or a rewind), so the index is built then, from the file and what is still in memory.
   */
  lineAt(step: number | null): LineKey | undefined {
    if (step === null || this.lastStep === null || step > this.lastStep) return undefined;
    if (!this.index) {
      const index = new Map<number, LineKey>();
      let text = '';
      try {
        if (this.created) text = readFileSync(join(this.dir, 'history.jsonl'), 'utf8');
      } catch {
        // Unreadable: the run is taken to hold no line, so a line it may hold is logged again elsewhere rather than lost.
      }
      for (const line of [...text.split('\n'), ...this.unwritten]) {
        try {
          const metrics = JSON.parse(line) as Record<string, unknown>;
          index.set(Number(metrics._step), lineKey(metrics));
        } catch {
          // The empty tail, or a half line a crash left (cut off on the next write).
        }
      }
      this.index = index;
    }
    return this.index.get(step);
  }

  /** Lines accepted but not on disk yet. */
  get unwrittenLines(): number {
    return this.unwritten.length;
  }

  /** Their size in characters (for the in-memory bound). */
  get unwrittenBytes(): number {
    return this.unwrittenSize;
  }

  /** Writes whatever is still only in memory; true when nothing is left. Never throws. */
  flush(): boolean {
    try {
      const history = join(this.dir, 'history.jsonl');
      if (!this.created) {
        mkdirSync(this.dir, { recursive: true });
        writeJson(join(this.dir, 'meta.json'), this.meta);
        writeJson(join(this.dir, 'upload.json'), this.upload);
        writeFileSync(history, '');
        this.created = true;
        this.metaDirty = this.uploadDirty = false;
      }
      if (this.cutPending) {
        truncateSync(history, this.bytes);
        this.cutPending = false;
      }
      if (this.unwritten.length) {
        const chunk = this.unwritten.join('\n') + '\n';
        try {
          appendFileSync(history, chunk);
        } catch (e) {
          // Part of the chunk may have landed: cut it back so no half line stays in the file.
          try {
            truncateSync(history, this.bytes);
          } catch {
            // The next load drops a half line at the end; a retried append starts after it then.
          }
          throw e;
        }
        this.bytes += Buffer.byteLength(chunk);
        this.pending.push(...this.unwritten);
        this.journaled += this.unwritten.length;
        this.unwritten = [];
        this.unwrittenSize = 0;
      }
      if (this.metaDirty) {
        writeJson(join(this.dir, 'meta.json'), this.meta);
        this.metaDirty = false;
      }
      if (this.uploadDirty) {
        writeJson(join(this.dir, 'upload.json'), this.upload);
        this.uploadDirty = false;
      }
      this.writeError = null;
      return true;
    } catch (e) {
      this.writeError = e instanceof Error ? e : new Error(String(e));
      return false;
    }
  }

  /** Everything accepted is on disk. */
  get written(): boolean {
    return this.created && this.unwritten.length === 0 && !this.metaDirty && !this.uploadDirty && !this.cutPending;
  }

  /** W&B accepted the next `n` pending lines. */
  acknowledge(n: number): void {
    this.pending.splice(0, n);
    this.setUpload({ acked: this.upload.acked + n });
  }

  /** The next pending line can never be sent: it is skipped (W&B's numbering goes on without it), counted, with why. */
  refuseNext(reason: string): void {
    this.pending.shift();
    this.setUpload({ acked: this.upload.acked + 1, refused: this.upload.refused + 1, refusal: reason });
  }

  /** W&B's own count says it holds `n` more lines than we saw acknowledged (an answer that was lost). */
  skipHeld(n: number): void {
    this.acknowledge(Math.min(n, this.pending.length));
  }

  /** Lines W&B holds: the history offset of the next line to send. */
  get serverLines(): number {
    return this.upload.acked - this.upload.refused;
  }

  setUpload(patch: Partial<UploadState>): void {
    this.upload = { ...this.upload, ...patch };
    this.uploadDirty = true;
    this.flush();
  }

  finish(exitCode: number, stoppedInWandb = false): void {
    if (this.meta.finishedAt !== null) return;
    this.meta = { ...this.meta, finishedAt: Date.now(), exitCode, ...(stoppedInWandb ? { stoppedInWandb } : {}) };
    this.metaDirty = true;
    this.flush();
  }

  /** Nothing more to do for this run: all lines and the finish are with W&B. */
  get done(): boolean {
    return this.upload.complete;
  }
}
