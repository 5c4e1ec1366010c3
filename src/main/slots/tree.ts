// The two kinds of deploy target behind one small interface: the local file system, and a remote
// one over SFTP. deploy.ts writes, reads back and swaps through it without knowing which it has.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { SFTPWrapper, Stats as SftpStats } from 'ssh2';

export type EntryKind = 'file' | 'directory' | 'symlink' | 'other';

/** The file operations a deploy needs; paths are absolute in the target's own syntax. */
export interface TreeFs {
  /** For messages: the path, with `user@host:port:` for remote ones. */
  where(path: string): string;
  join(dir: string, rel: string): string;
  /** Does not follow symlinks; null when nothing is there. */
  kind(path: string): Promise<EntryKind | null>;
  list(dir: string): Promise<{ name: string; kind: EntryKind }[]>;
  mkdir(path: string): Promise<void>;
  writeFile(path: string, data: Buffer): Promise<void>;
  /** SHA-256 and size of what is stored now. */
  hashFile(path: string): Promise<{ sha256: string; bytes: number }>;
  /** Fails if `to` exists. */
  rename(from: string, to: string): Promise<void>;
  removeTree(path: string): Promise<void>;
}

export function kindOf(s: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): EntryKind {
  return s.isFile() ? 'file' : s.isDirectory() ? 'directory' : s.isSymbolicLink() ? 'symlink' : 'other';
}

export function errCode(e: unknown): string {
  const err = e as { code?: string | number; message?: string };
  return typeof err.code === 'string' ? err.code : (err.message ?? String(e));
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function localTree(): TreeFs {
  return {
    where: (p) => p,
    join: (dir, rel) => join(dir, ...rel.split('/')),
    async kind(p) {
      try {
        return kindOf(await lstat(p));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      }
    },
    async list(dir) {
      return (await readdir(dir, { withFileTypes: true })).map((d) => ({ name: d.name, kind: kindOf(d) }));
    },
    async mkdir(p) {
      await mkdir(p, { recursive: true });
    },
    async writeFile(p, data) {
      // fsync before the swap: after a crash the new folder holds whole files or is not in place.
      const fh = await open(p, 'wx', 0o644);
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
    },
    async hashFile(p) {
      const data = await readFile(p);
      return { sha256: sha256(data), bytes: data.length };
    },
    async rename(from, to) {
      if (existsSync(to)) throw Object.assign(new Error(`${to} exists`), { code: 'EEXIST' });
      await rename(from, to);
    },
    async removeTree(p) {
      await rm(p, { recursive: true, force: true });
    },
  };
}

const SFTP_NO_SUCH_FILE = 2;

export function sftpCall<T>(
  what: string,
  fn: (cb: (err: Error | null | undefined, value?: T) => void) => void,
): Promise<T> {
  return new Promise((resolve, reject) =>
    fn((err, value) => (err ? reject(Object.assign(err, { op: what })) : resolve(value as T))),
  );
}

function sftpKind(s: SftpStats): EntryKind {
  return kindOf(s);
}

export function sftpTree(sftp: SFTPWrapper, where: string): TreeFs {
  const tree: TreeFs = {
    where: (p) => `${where}:${p}`,
    join: (dir, rel) => posix.join(dir, rel),
    async kind(p) {
      try {
        return sftpKind(await sftpCall<SftpStats>('lstat', (cb) => sftp.lstat(p, cb)));
      } catch (e) {
        if ((e as { code?: number }).code === SFTP_NO_SUCH_FILE) return null;
        throw e;
      }
    },
    async list(dir) {
      const entries = await sftpCall<{ filename: string; attrs: SftpStats }[]>('readdir', (cb) =>
        sftp.readdir(dir, cb),
      );
      // readdir attrs come from lstat on OpenSSH; `isX()` helpers exist on them in ssh2.
      return entries
        .filter((e) => e.filename !== '.' && e.filename !== '..')
        .map((e) => ({ name: e.filename, kind: sftpKind(e.attrs) }));
    },
    async mkdir(p) {
      // mkdir -p: create each missing ancestor, tolerating ones that appear meanwhile.
      const parts = p.split('/').filter(Boolean);
      let cur = p.startsWith('/') ? '/' : '';
      for (const part of parts) {
        cur = cur ? posix.join(cur, part) : part;
        const k = await tree.kind(cur);
        // A symlink is taken to lead to a folder; if not, the next step fails with the server's reason.
        if (k === 'directory' || k === 'symlink') continue;
        if (k !== null) throw Object.assign(new Error(`${cur} exists and is not a folder`), { code: 'ENOTDIR' });
        try {
          await sftpCall<void>('mkdir', (cb) => sftp.mkdir(cur, cb));
        } catch (e) {
          if ((await tree.kind(cur)) !== 'directory') throw e;
        }
      }
    },
    async writeFile(p, data) {
      await sftpCall<void>('write', (cb) => sftp.writeFile(p, data, { flag: 'wx', mode: 0o644 }, cb));
    },
    async hashFile(p) {
      const data = await sftpCall<Buffer>('read', (cb) => sftp.readFile(p, cb));
      return { sha256: sha256(data), bytes: data.length };
    },
    async rename(from, to) {
      // SFTP rename (OpenSSH) refuses an existing destination, which is what we want.
      await sftpCall<void>('rename', (cb) => sftp.rename(from, to, cb));
    },
    async removeTree(p) {
      const k = await tree.kind(p);
      if (k === null) return;
      if (k !== 'directory') {
        await sftpCall<void>('unlink', (cb) => sftp.unlink(p, cb));
        return;
      }
      for (const e of await tree.list(p)) await tree.removeTree(posix.join(p, e.name));
      await sftpCall<void>('rmdir', (cb) => sftp.rmdir(p, cb));
    },
  };
  return tree;
}
