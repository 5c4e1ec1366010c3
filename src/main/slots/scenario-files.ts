// The scenario's source side: finding the bundled folder, listing and hashing it, comparing a target tree with it.
import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errCode, kindOf, sha256, type EntryKind, type TreeFs } from './tree';

export interface FileEntry {
  /** Relative, `/`-separated. */
  path: string;
  sha256: string;
  bytes: number;
}

export interface Mismatch {
  path: string;
  /** Our SHA-256; null for a file we do not have. */
  expected: string | null;
  /** The target's SHA-256, or what is there instead (`missing`, `directory`, `symlink`, …). */
  got: string;
  problem: 'changed' | 'missing' | 'extra' | 'not-a-file';
}

// --- the scenario we ship ----------------------------------------------------------------------

/**
 * The bundled `scenario/open_world`: found from the repo root in dev and tests, beside the built
 * `out/` in the built app, and in Electron's resources folder when packaged.
 */
export function bundledScenarioDir(
  from: string = import.meta.dirname,
  resourcesPath: string | undefined = (process as { resourcesPath?: string }).resourcesPath,
): string {
  const candidates: string[] = [];
  // src/main/slots, out/main, out/main/chunks: walk up to the app root, whichever depth we are at.
  let dir = from;
  for (let i = 0; i < 6; i++) {
    candidates.push(join(dir, 'scenario', 'open_world'));
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  if (resourcesPath)
    candidates.push(
      join(resourcesPath, 'scenario', 'open_world'),
      join(resourcesPath, 'app', 'scenario', 'open_world'),
    );
  const found = candidates.find((c) => existsSync(join(c, 'control.lua')));
  if (!found)
    throw new Error(
      `the bundled scenario (scenario/open_world/control.lua) was not found; looked in ${candidates.join(', ')}`,
    );
  return found;
}

// --- walking and comparing -----------------------------------------------------------------------

/** Relative paths of every file under `root` (symlinks reported as such, not followed), sorted. */
async function walk(
  tree: TreeFs,
  root: string,
): Promise<{ files: string[]; dirs: string[]; others: { path: string; kind: EntryKind }[] }> {
  const files: string[] = [];
  const dirs: string[] = [];
  const others: { path: string; kind: EntryKind }[] = [];
  const visit = async (rel: string) => {
    const entries = await tree.list(rel ? tree.join(root, rel) : root);
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.kind === 'file') files.push(r);
      else if (e.kind === 'directory') {
        dirs.push(r);
        await visit(r);
      } else others.push({ path: r, kind: e.kind });
    }
  };
  await visit('');
  files.sort();
  dirs.sort();
  return { files, dirs, others };
}

/** The files of a source folder (symlinks followed: we deploy what they point to). */
export async function listSource(sourceDir: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (rel: string) => {
    const abs = rel ? join(sourceDir, ...rel.split('/')) : sourceDir;
    for (const d of await readdir(abs, { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      let k = kindOf(d);
      if (k === 'symlink') {
        try {
          k = kindOf(await stat(join(abs, d.name)));
        } catch {
          k = 'file'; // a dangling link: reading it fails below, with the file's name
        }
      }
      if (k === 'file') out.push(r);
      else if (k === 'directory') await visit(r);
      else throw new Error(`source ${join(abs, d.name)} is not a regular file or folder`);
    }
  };
  await visit('');
  return out.sort();
}

export async function readSource(sourceDir: string, rel: string): Promise<Buffer> {
  const p = join(sourceDir, ...rel.split('/'));
  try {
    return await readFile(p);
  } catch (e) {
    throw new Error(`cannot read source file ${p}: ${errCode(e)}`);
  }
}

/** Our files with their hashes. */
export async function hashSourceTree(sourceDir: string): Promise<FileEntry[]> {
  const out: FileEntry[] = [];
  for (const rel of await listSource(sourceDir)) {
    const data = await readSource(sourceDir, rel);
    out.push({ path: rel, sha256: sha256(data), bytes: data.length });
  }
  return out;
}

/** Compares the tree at `root` with `expected`: changed, missing, extra and non-file entries. */
export async function compareTree(
  tree: TreeFs,
  root: string,
  expected: FileEntry[],
  onFile?: (file: string, index: number, bytes: number) => void,
): Promise<Mismatch[]> {
  const mismatches: Mismatch[] = [];
  const rootKind = await tree.kind(root);
  if (rootKind !== 'directory') {
    return expected.map((f) => ({
      path: f.path,
      expected: f.sha256,
      got: rootKind === null ? 'missing' : `${rootKind} at the target`,
      problem: 'missing' as const,
    }));
  }
  const found = await walk(tree, root);
  const present = new Set(found.files);
  const wanted = new Set(expected.map((f) => f.path));
  const wantedDirs = new Set(
    expected.flatMap((f) =>
      f.path
        .split('/')
        .slice(0, -1)
        .map((_, i, a) => a.slice(0, i + 1).join('/')),
    ),
  );
  let index = 0;
  for (const f of expected) {
    index++;
    if (!present.has(f.path)) {
      const other = found.others.find((o) => o.path === f.path);
      const isDir = found.dirs.includes(f.path);
      if (other || isDir)
        mismatches.push({
          path: f.path,
          expected: f.sha256,
          got: isDir ? 'directory' : other!.kind,
          problem: 'not-a-file',
        });
      else mismatches.push({ path: f.path, expected: f.sha256, got: 'missing', problem: 'missing' });
      onFile?.(f.path, index, 0);
      continue;
    }
    const got = await tree.hashFile(tree.join(root, f.path));
    if (got.sha256 !== f.sha256)
      mismatches.push({ path: f.path, expected: f.sha256, got: got.sha256, problem: 'changed' });
    onFile?.(f.path, index, got.bytes);
  }
  for (const p of found.files)
    if (!wanted.has(p)) mismatches.push({ path: p, expected: null, got: 'extra file', problem: 'extra' });
  for (const d of found.dirs)
    if (!wantedDirs.has(d) && !wanted.has(d))
      mismatches.push({ path: `${d}/`, expected: null, got: 'extra folder', problem: 'extra' });
  for (const o of found.others)
    if (!wanted.has(o.path))
      mismatches.push({ path: o.path, expected: null, got: `extra ${o.kind}`, problem: 'extra' });
  return mismatches;
}

/** One line for a UI or log: the first few mismatches, each with both hashes. */
export function describeMismatches(mismatches: Mismatch[], max = 5): string {
  if (mismatches.length === 0) return 'no differences';
  const shown = mismatches
    .slice(0, max)
    .map((m) =>
      m.problem === 'extra'
        ? `${m.path}: ${m.got} (not in our scenario)`
        : `${m.path}: expected sha256 ${m.expected}, got ${m.got}`,
    );
  const more = mismatches.length > max ? `; and ${mismatches.length - max} more` : '';
  return `${mismatches.length} difference${mismatches.length === 1 ? '' : 's'}: ${shown.join('; ')}${more}`;
}
