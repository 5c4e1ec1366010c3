// What the reader must remember across runs, per path: the file position (so lines written while
// we were closed are read exactly once) and the inode of a FIFO we created (so a FIFO left behind
// by a crash is still recognised as ours and removed on stop). A save that fails (disk full, folder
// gone) never throws: the state stays in memory (one small record), the owner is told why, and the
// save is tried again until it succeeds; the owner is told that too.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FilePosition } from './tail';

export interface PipeState {
  path: string;
  position?: FilePosition;
  createdFifoInode?: number;
}

/** Told when saving starts failing (with the reason) and when it works again (null). */
export type SaveProblem = (reason: string | null) => void;

const RETRY_MS = 1000;

export class PipeStateStore {
  private state: PipeState;
  private timer: NodeJS.Timeout | null = null;
  private failing: string | null = null;
  /** Whether we have run on this path before (so a file we have no position for is all new). */
  readonly seenBefore: boolean;

  constructor(
    private readonly file: string,
    path: string,
    private readonly onProblem: SaveProblem = () => {},
  ) {
    let saved: PipeState | null = null;
    try {
      saved = JSON.parse(readFileSync(file, 'utf8')) as PipeState;
    } catch {
      saved = null;
    }
    // State recorded for another path says nothing about this one.
    this.seenBefore = saved !== null && saved.path === path;
    this.state = this.seenBefore ? saved! : { path };
  }

  get(): Readonly<PipeState> {
    return this.state;
  }

  /** Why the last save failed, while saves fail. */
  get problem(): string | null {
    return this.failing;
  }

  /** `memory`: not saved until the next flush (the owner holds it back on purpose). */
  update(patch: Partial<Omit<PipeState, 'path'>>, when: 'now' | 'soon' | 'memory' = 'soon'): void {
    this.state = { ...this.state, ...patch };
    if (when === 'memory') return;
    if (when === 'now') return void this.flush();
    // At most once a second while lines stream in; stop() flushes the final position.
    this.timer ??= setTimeout(() => this.flush(), 1000);
  }

  /** Writes the state now; false (and a retry scheduled) when it could not. */
  flush(): boolean {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const tmp = `${this.file}.tmp`;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      writeFileSync(tmp, JSON.stringify(this.state));
      renameSync(tmp, this.file);
    } catch (e) {
      // A half-written temp file only takes space the disk does not have.
      rmSync(tmp, { force: true });
      const reason = `cannot save the read position to ${this.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
      if (reason !== this.failing) {
        this.failing = reason;
        this.onProblem(reason);
      }
      this.timer = setTimeout(() => this.flush(), RETRY_MS);
      return false;
    }
    if (this.failing !== null) {
      this.failing = null;
      this.onProblem(null);
    }
    return true;
  }

  /** Stops retrying (the state in memory is as good as it gets). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
