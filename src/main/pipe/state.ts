// What the reader must remember across runs, per path: the file position (so lines written while
// we were closed are read exactly once) and the inode of a FIFO we created (so a FIFO left behind
// by a crash is still recognised as ours and removed on stop).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FilePosition } from './tail';

export interface PipeState {
  path: string;
  position?: FilePosition;
  createdFifoInode?: number;
}

export class PipeStateStore {
  private state: PipeState;
  private timer: NodeJS.Timeout | null = null;
  /** Whether we have run on this path before (so a file we have no position for is all new). */
  readonly seenBefore: boolean;

  constructor(
    private readonly file: string,
    path: string,
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

  update(patch: Partial<Omit<PipeState, 'path'>>, when: 'now' | 'soon' = 'soon'): void {
    this.state = { ...this.state, ...patch };
    if (when === 'now') return this.flush();
    // At most once a second while lines stream in; stop() flushes the final position.
    this.timer ??= setTimeout(() => this.flush(), 1000);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state));
    renameSync(tmp, this.file);
  }
}
