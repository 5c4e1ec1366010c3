// Follows a regular file by inode and offset: resumes from a saved position, survives truncation,
// replacement (a new inode at the path) and rename-away rotation (the old file is drained first),
// and waits for a missing file. A saved position also carries a fingerprint of the file's first
// bytes, so a restart tells "the same file, grown" from "truncated in place and refilled past our
// offset" (copytruncate), and finds the old file under a sibling name after rotation while we were
// down, to finish it before the new one. Written here rather than taken from a tail library because the ones
// we checked read by path after a stat (racing with rotation) and do not expose the inode, which a
// resumable `{inode, offset}` position needs. Reads use fs.promises (regular files have no epoll).
import { createHash } from 'node:crypto';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Wakeup } from './wakeup';

/** Identity of a file's content: a hash of its first `bytes` bytes (those never change on append). */
export interface FileHead {
  bytes: number;
  sha256: string;
}

export interface FilePosition {
  inode: number;
  offset: number;
  /** Absent in positions saved before fingerprints existed: then only the inode is checked. */
  head?: FileHead;
}

/** Enough to tell two log files apart (their first lines hold times or session ids). */
const HEAD_BYTES = 1024;

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
  private head: FileHead | undefined;
  /** The open file is an old one found under another name: after draining it, move to the path. */
  private draining = false;
  private first = true;
  private stopped = true;
  /** While paused nothing is read (the file keeps what we have not taken yet). */
  private paused = false;
  private missingReported = false;
  private loopDone: Promise<void> = Promise.resolve();
  private watcher: FSWatcher | null = null;
  /** Ends the pause between rounds: a change seen by the directory watcher, resume, stop. */
  private readonly wakeup = new Wakeup();

  constructor(
    private readonly path: string,
    private readonly opts: TailOptions,
    private readonly events: TailEvents,
  ) {}

  position(): FilePosition | null {
    return this.fh ? this.pos() : null;
  }

  /** Stops reading without closing (a reader that cannot keep what it reads); resume reads on. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    if (!paused) this.wakeup.wake();
  }

  /** Resolves once the file was opened (or found missing), so appends after this are never skipped. */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    try {
      // A wake-up hint only; polling below is what guarantees progress.
      this.watcher = watch(dirname(this.path), { persistent: false }, (_ev, name) => {
        if (!name || name === basename(this.path)) this.wakeup.wake();
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
    this.wakeup.wake();
    await this.loopDone;
    await this.fh?.close().catch(() => {});
    this.fh = null;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let again = false;
      try {
        if (!this.paused) again = await this.step();
      } catch (e) {
        this.events.error?.(e as Error);
      }
      if (this.stopped) break;
      // A change the watcher reported while this round ran ends the pause at once (Wakeup keeps it).
      if (!again) await this.wakeup.sleep(this.opts.pollMs ?? 250);
    }
  }

  /** One round; true when there is more to do at once (a rotation to follow). */
  private async step(): Promise<boolean> {
    if (!this.fh && !(await this.openFile())) return false;
    await this.drain();
    if (this.paused) return false;
    let st;
    try {
      st = await stat(this.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      st = null;
    }
    if (!st || st.ino !== this.inode || this.draining) {
      // Renamed away or replaced: finish the old file (a writer may have appended), then move on.
      await this.drain();
      if (this.paused) return false;
      await this.fh!.close().catch(() => {});
      this.fh = null;
      this.draining = false;
      this.events.rotated?.();
      return st !== null;
    }
    if ((await this.fh!.stat()).size < this.offset) {
      this.offset = 0;
      this.head = undefined;
      this.events.truncated?.();
      await this.drain();
    }
    return false;
  }

  private pos(): FilePosition {
    return this.head
      ? { inode: this.inode, offset: this.offset, head: this.head }
      : { inode: this.inode, offset: this.offset };
  }

  /** The open file's fingerprint over what it holds now, up to HEAD_BYTES. */
  private async updateHead(): Promise<void> {
    if (this.head && this.head.bytes >= HEAD_BYTES) return;
    const h = await readHead(this.fh!, HEAD_BYTES);
    if (h.bytes > 0) this.head = h;
  }

  /**
   * Where a saved position's unread bytes are now, at start: the same file at the path (grown),
   * or an older file under a sibling name (renamed, or the copy copytruncate left). Null: the
   * file at the path is new to us and the old one is gone, so all of the path is unread.
   */
  private async locate(
    saved: FilePosition,
    fh: FileHandle,
    ino: number,
    size: number,
  ): Promise<'same' | { fh: FileHandle; ino: number } | null> {
    if (ino === saved.inode && saved.offset <= size && (await sameHead(fh, saved.head))) return 'same';
    if (!saved.head) return null;
    let names: string[];
    try {
      names = await readdir(dirname(this.path));
    } catch {
      return null;
    }
    const base = basename(this.path);
    let best: { fh: FileHandle; ino: number; score: number } | null = null;
    for (const name of names) {
      // Rotated names keep the base name (`console.log.1`, `events.jsonl-20240101`); compressed ones are not text we can read.
      if (name === base || !name.startsWith(base) || /\.(gz|bz2|xz|zst|zip)$/.test(name)) continue;
      let cand: FileHandle;
      try {
        cand = await open(join(dirname(this.path), name), 'r');
      } catch {
        continue;
      }
      const st = await cand.stat();
      // The renamed file itself ranks above a copy with the same first bytes.
      const score = st.ino === saved.inode ? 2 : 1;
      if (st.isFile() && st.size >= saved.offset && (await sameHead(cand, saved.head)) && score > (best?.score ?? 0)) {
        await best?.fh.close().catch(() => {});
        best = { fh: cand, ino: st.ino, score };
      } else {
        await cand.close().catch(() => {});
      }
    }
    return best ? { fh: best.fh, ino: best.ino } : null;
  }

  private async openFile(): Promise<boolean> {
    let fh: FileHandle;
    try {
      fh = await open(this.path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      if (!this.missingReported) this.events.missing?.();
      this.missingReported = true;
      // A file that appears after we began watching is new from its first byte; a saved position
      // still counts then (its file may wait under a rotated name to be finished first).
      if (typeof this.opts.from !== 'object') this.first = false;
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
    this.head = undefined;
    if (this.first && typeof from === 'object') {
      // The same file as last time: continue where we were. An older file found elsewhere: finish
      // it first. Otherwise (shrunk, refilled, replaced) everything at the path is new to us.
      const where = await this.locate(from, fh, st.ino, st.size);
      if (where === 'same') {
        offset = from.offset;
      } else if (where) {
        await fh.close();
        this.first = false;
        this.fh = where.fh;
        this.inode = where.ino;
        this.offset = from.offset;
        this.head = from.head;
        this.draining = true;
        this.events.opened?.(this.pos());
        return true;
      }
    } else if (this.first && from === 'end') {
      offset = st.size;
    }
    this.first = false;
    this.fh = fh;
    this.inode = st.ino;
    this.offset = offset;
    await this.updateHead();
    this.events.opened?.(this.pos());
    return true;
  }

  private async drain(): Promise<void> {
    const size = this.opts.chunkBytes ?? 256 * 1024;
    for (;;) {
      const buf = Buffer.allocUnsafe(size);
      const { bytesRead } = await this.fh!.read(buf, 0, size, this.offset);
      if (bytesRead === 0) return;
      this.offset += bytesRead;
      await this.updateHead();
      this.events.data(buf.subarray(0, bytesRead), this.pos());
      if (this.stopped || this.paused) return;
    }
  }
}

async function readHead(fh: FileHandle, bytes: number): Promise<FileHead> {
  const buf = Buffer.alloc(bytes);
  const { bytesRead } = await fh.read(buf, 0, bytes, 0);
  return { bytes: bytesRead, sha256: createHash('sha256').update(buf.subarray(0, bytesRead)).digest('hex') };
}

/** Whether the file begins with the bytes `head` was taken from (true when there is no head to check). */
async function sameHead(fh: FileHandle, head: FileHead | undefined): Promise<boolean> {
  if (!head) return true;
  const now = await readHead(fh, head.bytes);
  return now.bytes === head.bytes && now.sha256 === head.sha256;
}
