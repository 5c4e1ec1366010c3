// Follows a regular file by inode and offset: resumes from a saved position, survives truncation,
// replacement (a new inode at the path) and rename-away rotation (the old file is drained first),
// and waits for a missing file. Written here rather than taken from a tail library because the ones
// we checked read by path after a stat (racing with rotation) and do not expose the inode, which a
// resumable `{inode, offset}` position needs. Reads use fs.promises (regular files have no epoll).
import { open, stat, type FileHandle } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface FilePosition {
  inode: number;
  offset: number;
}

export interface TailEvents {
  /** Bytes read; `position` is just after them. */
  data(chunk: Buffer, position: FilePosition): void;
  /** The file is not there (reported once per absence). */
  missing?(): void;
  opened?(position: FilePosition): void;
  truncated?(): void;
  rotated?(): void;
  error?(err: Error): void;
}

export interface TailOptions {
  /** Where to begin: a saved position (used when its inode matches), or the start or end of the file. */
  from: FilePosition | 'start' | 'end';
  pollMs?: number;
  chunkBytes?: number;
}

export class FileTail {
  private fh: FileHandle | null = null;
  private inode = 0;
  private offset = 0;
  private first = true;
  private stopped = true;
  private missingReported = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wake: (() => void) | null = null;
  private watcher: FSWatcher | null = null;

  constructor(
    private readonly path: string,
    private readonly opts: TailOptions,
    private readonly events: TailEvents,
  ) {}

  position(): FilePosition | null {
    return this.fh ? { inode: this.inode, offset: this.offset } : null;
  }

  /** Resolves once the file was opened (or found missing), so appends after this are never skipped. */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    try {
      // A wake-up hint only; polling below is what guarantees progress.
      this.watcher = watch(dirname(this.path), { persistent: false }, (_ev, name) => {
        if (!name || name === basename(this.path)) this.wake?.();
      });
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      this.watcher = null;
    }
    try {
      await this.openFile();
    } catch (e) {
      this.events.error?.(e as Error);
    }
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    this.watcher = null;
    this.wake?.();
    await this.loopDone;
    await this.fh?.close().catch(() => {});
    this.fh = null;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let again = false;
      try {
        again = await this.step();
      } catch (e) {
        this.events.error?.(e as Error);
      }
      if (this.stopped) break;
      if (!again) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(done, this.opts.pollMs ?? 250);
          function done() {
            clearTimeout(t);
            resolve();
          }
          this.wake = done;
        });
        this.wake = null;
      }
    }
  }

  /** One round; true when there is more to do at once (a rotation to follow). */
  private async step(): Promise<boolean> {
    if (!this.fh && !(await this.openFile())) return false;
    await this.drain();
    let st;
    try {
      st = await stat(this.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      st = null;
    }
    if (!st || st.ino !== this.inode) {
      // Renamed away or replaced: finish the old file (a writer may have appended), then move on.
      await this.drain();
      await this.fh!.close().catch(() => {});
      this.fh = null;
      this.events.rotated?.();
      return st !== null;
    }
    if ((await this.fh!.stat()).size < this.offset) {
      this.offset = 0;
      this.events.truncated?.();
      await this.drain();
    }
    return false;
  }

  private async openFile(): Promise<boolean> {
    let fh: FileHandle;
    try {
      fh = await open(this.path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      if (!this.missingReported) this.events.missing?.();
      this.missingReported = true;
      // A file that appears after we began watching is new from its first byte.
      this.first = false;
      return false;
    }
    this.missingReported = false;
    const st = await fh.stat();
    if (!st.isFile()) {
      await fh.close();
      throw new Error(`${this.path} is not a regular file`);
    }
    const from = this.opts.from;
    let offset = 0;
    if (this.first && typeof from === 'object') {
      // The same file as last time: continue where we were (from the start if it shrank meanwhile).
      // A different file: everything in it was written since, so read it all.
      offset = from.inode === st.ino && from.offset <= st.size ? from.offset : 0;
    } else if (this.first && from === 'end') {
      offset = st.size;
    }
    this.first = false;
    this.fh = fh;
    this.inode = st.ino;
    this.offset = offset;
    this.events.opened?.({ inode: this.inode, offset });
    return true;
  }

  private async drain(): Promise<void> {
    const size = this.opts.chunkBytes ?? 256 * 1024;
    for (;;) {
      const buf = Buffer.allocUnsafe(size);
      const { bytesRead } = await this.fh!.read(buf, 0, size, this.offset);
      if (bytesRead === 0) return;
      this.offset += bytesRead;
      this.events.data(buf.subarray(0, bytesRead), { inode: this.inode, offset: this.offset });
      if (this.stopped) return;
    }
  }
}
