// Deploys a scenario folder to a slot's target, locally or over SFTP, so that the target is at any
// moment either the complete old folder or the complete, verified new one: files go into a temp
// folder beside the target (same parent, so renames stay on one filesystem and are atomic), are
// read back and hashed, and only then is the old folder renamed away and the new one renamed in.
// Verification is exported on its own: the join test compares a slot's files without deploying.
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { dirname, basename, join, resolve, posix, sep } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import type { Config, SecretRef } from '../../shared/config';
import type { Logger } from '../log';
import { SshError, connectSsh, type SshConnectOptions } from './ssh';
import { errCode, localTree, sftpCall, sftpTree, sha256, type EntryKind, type TreeFs } from './tree';
import {
  bundledScenarioDir,
  compareTree,
  hashSourceTree,
  listSource,
  readSource,
  type FileEntry,
  type Mismatch,
} from './scenario-files';

export { localTree, sftpTree, type TreeFs };
export {
  bundledScenarioDir,
  describeMismatches,
  hashSourceTree,
  type FileEntry,
  type Mismatch,
} from './scenario-files';

type SlotDeploy = NonNullable<Config['slots'][number]['deploy']>;

/** A deploy target with its password resolved (`resolveDeployTarget`). */
export type DeployTarget =
  | { kind: 'local'; dir: string }
  | {
      kind: 'ssh';
      host: string;
      port: number;
      user: string;
      dir: string;
      keyPath?: string;
      password?: string;
      hostFingerprint?: string;
    };

/** What resolves secrets: `SecretStore` fits. */
export interface SecretResolver {
  resolve(ref: SecretRef | undefined, path: string): string | undefined;
}

/** Resolves the SSH password (if any); `secretPath` names it in errors, e.g. `slots.0.deploy.password`. */
export function resolveDeployTarget(deploy: SlotDeploy, secrets: SecretResolver, secretPath: string): DeployTarget {
  if (deploy.kind === 'local') return { kind: 'local', dir: deploy.dir };
  const { password, ...rest } = deploy;
  return { ...rest, password: secrets.resolve(password, secretPath) };
}

export interface DeployProgress {
  phase: 'upload' | 'verify' | 'swap';
  /** The file just handled (relative path); null for the swap. */
  file: string | null;
  /** Files done in this phase, 1-based (reported after each file). */
  index: number;
  total: number;
  bytes: number;
}

export interface DeployResult {
  ok: boolean;
  files: FileEntry[];
  mismatches: Mismatch[];
  durationMs: number;
  /** Where: the folder, or `user@host:port:/abs/folder`. */
  target: string;
}

export type VerifyResult = DeployResult;

interface CommonOptions {
  target: DeployTarget;
  /** Default: `bundledScenarioDir()`. */
  sourceDir?: string;
  onProgress?: (p: DeployProgress) => void;
  logger?: Logger;
  /** For SSH targets: known_hosts path, timeouts. */
  ssh?: Omit<SshConnectOptions, 'logger'>;
}

export interface DeployOptions extends CommonOptions {
  /**
   * Replace an existing target even when it does not look like a scenario folder (no control.lua
   * at its top). Off by default, so a `dir` pointing one level too high is refused, not wiped.
   */
  force?: boolean;
}

export type VerifyOptions = CommonOptions;

// --- deploy and verify over a TreeFs ------------------------------------------------------------

function looksLikeScenario(entries: { name: string }[]): boolean {
  return entries.length === 0 || entries.some((e) => e.name === 'control.lua');
}

/** Deploys `sourceDir` to `targetDir` on `tree`. Exported for tests that inject failures. */
export async function deployToTree(
  tree: TreeFs,
  targetDir: string,
  sourceDir: string,
  opts: {
    onProgress?: (p: DeployProgress) => void;
    logger?: Logger;
    force?: boolean;
    parentDir: string;
    baseName: string;
  },
): Promise<{ files: FileEntry[]; mismatches: Mismatch[] }> {
  const log = opts.logger;
  const existing = await tree.kind(targetDir);
  if (existing !== null && existing !== 'directory')
    throw new Error(`${tree.where(targetDir)} exists and is not a folder`);
  if (existing === 'directory' && !opts.force) {
    const entries = await tree.list(targetDir);
    if (!looksLikeScenario(entries))
      throw new Error(
        `refusing to replace ${tree.where(targetDir)}: it is not empty and has no control.lua, so it does not look like a scenario folder (deploy.dir must be the scenario folder itself, e.g. …/scenarios/open_world)`,
      );
  }
  const sources = await listSource(sourceDir);
  if (sources.length === 0) throw new Error(`source ${sourceDir} holds no files`);

  await tree.mkdir(opts.parentDir).catch((e: unknown) => {
    throw new Error(`cannot create ${tree.where(opts.parentDir)}: ${errCode(e)}`);
  });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temp = tree.join(opts.parentDir, `.${opts.baseName}.deploy-${tag}`);
  const old = tree.join(opts.parentDir, `.${opts.baseName}.old-${tag}`);
  const files: FileEntry[] = [];
  let swapped = false;
  try {
    await tree.mkdir(temp).catch((e: unknown) => {
      throw new Error(`cannot create ${tree.where(temp)}: ${errCode(e)}`);
    });
    const made = new Set<string>();
    for (const rel of sources) {
      const data = await readSource(sourceDir, rel);
      const parent = rel.split('/').slice(0, -1).join('/');
      if (parent && !made.has(parent)) {
        await tree.mkdir(tree.join(temp, parent));
        made.add(parent);
      }
      const dest = tree.join(temp, rel);
      await tree.writeFile(dest, data).catch((e: unknown) => {
        throw new Error(`cannot write ${tree.where(dest)}: ${errCode(e)}`);
      });
      files.push({ path: rel, sha256: sha256(data), bytes: data.length });
      opts.onProgress?.({ phase: 'upload', file: rel, index: files.length, total: sources.length, bytes: data.length });
    }

    // Read back what landed before it replaces anything: a bad copy never goes live.
    const mismatches = await compareTree(tree, temp, files, (file, index, bytes) =>
      opts.onProgress?.({ phase: 'verify', file, index, total: files.length, bytes }),
    );
    if (mismatches.length > 0) {
      log?.warn(
        { target: tree.where(targetDir), mismatches: mismatches.slice(0, 20) },
        'deploy: read-back differs; target left as it was',
      );
      return { files, mismatches };
    }

    opts.onProgress?.({ phase: 'swap', file: null, index: 1, total: 1, bytes: 0 });
    if ((await tree.kind(targetDir)) === null) {
      await tree.rename(temp, targetDir).catch((e: unknown) => {
        throw new Error(`cannot move ${tree.where(temp)} to ${targetDir}: ${errCode(e)}`);
      });
      swapped = true;
    } else {
      await tree.rename(targetDir, old).catch((e: unknown) => {
        throw new Error(`cannot move the old ${tree.where(targetDir)} aside: ${errCode(e)}`);
      });
      try {
        await tree.rename(temp, targetDir);
        swapped = true;
      } catch (e) {
        // Put the old folder back: the target must never be left missing.
        await tree.rename(old, targetDir).catch((e2: unknown) => {
          log?.error(
            { target: tree.where(targetDir), old: tree.where(old), err: errCode(e2) },
            'deploy: could not restore the old target',
          );
          throw new Error(
            `cannot move ${tree.where(temp)} into place (${errCode(e)}) nor restore the old folder (${errCode(e2)}); it is at ${old}`,
          );
        });
        throw new Error(`cannot move ${tree.where(temp)} into place: ${errCode(e)}; the old folder is back`);
      }
      await tree
        .removeTree(old)
        .catch((e: unknown) =>
          log?.warn({ old: tree.where(old), err: errCode(e) }, 'deploy: could not remove the old folder'),
        );
    }
    await removeLeftovers(tree, opts.parentDir, opts.baseName, log);
    return { files, mismatches: [] };
  } finally {
    if (!swapped)
      await tree
        .removeTree(temp)
        .catch((e: unknown) =>
          log?.warn({ temp: tree.where(temp), err: errCode(e) }, 'deploy: could not remove the temp folder'),
        );
  }
}

/**
 * Temp and old folders an interrupted deploy left beside the target (`.NAME.deploy-*`, `.NAME.old-*`).
 * Removed only after a successful swap: until then an old folder may be the last good copy.
 */
async function removeLeftovers(
  tree: TreeFs,
  parentDir: string,
  baseName: string,
  log: Logger | undefined,
): Promise<void> {
  const prefixes = [`.${baseName}.deploy-`, `.${baseName}.old-`];
  let entries: { name: string; kind: EntryKind }[];
  try {
    entries = await tree.list(parentDir);
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.kind !== 'directory' || !prefixes.some((p) => e.name.startsWith(p))) continue;
    const path = tree.join(parentDir, e.name);
    await tree
      .removeTree(path)
      .catch((err: unknown) =>
        log?.warn({ leftover: tree.where(path), err: errCode(err) }, 'deploy: could not remove a leftover folder'),
      );
  }
}

function localPath(dir: string): string {
  const expanded = dir === '~' ? homedir() : dir.startsWith('~/') ? join(homedir(), dir.slice(2)) : dir;
  return resolve(expanded);
}

/** SFTP paths relative to the login folder (or `~/…`) made absolute, so dirname/rename are unambiguous. */
async function remotePath(sftp: SFTPWrapper, dir: string, where: string): Promise<string> {
  const rel = dir === '~' ? '.' : dir.startsWith('~/') ? dir.slice(2) : dir;
  if (rel.startsWith('/')) return posix.normalize(rel).replace(/(.)\/$/, '$1');
  const home = await sftpCall<string>('realpath', (cb) => sftp.realpath('.', cb)).catch((e: unknown) => {
    throw new Error(`${where}: cannot find the login folder for ${dir}: ${errCode(e)}`);
  });
  return posix.join(home, rel).replace(/(.)\/$/, '$1');
}

async function withTarget<T>(
  target: DeployTarget,
  opts: CommonOptions,
  fn: (tree: TreeFs, dir: string, shown: string) => Promise<T>,
): Promise<T> {
  if (target.kind === 'local') {
    const dir = localPath(target.dir);
    return fn(localTree(), dir, dir);
  }
  const conn = await connectSsh(target, { ...opts.ssh, logger: opts.logger });
  try {
    const sftp = await conn.sftp();
    const dir = await remotePath(sftp, target.dir, conn.where);
    return await fn(sftpTree(sftp, conn.where), dir, `${conn.where}:${dir}`);
  } finally {
    conn.close();
  }
}

/** Says which target an error is about; SSH errors name their host already. */
function prefixed(e: unknown, what: string): Error {
  if (e instanceof SshError) return e;
  return new Error(`${what}: ${(e as Error).message ?? String(e)}`, { cause: e });
}

/** Copies every file of the source folder to the target, verifies it, and swaps it in atomically. */
export async function deployScenario(opts: DeployOptions): Promise<DeployResult> {
  const started = performance.now();
  const sourceDir = opts.sourceDir ?? bundledScenarioDir();
  const log = opts.logger;
  return withTarget(opts.target, opts, async (tree, dir, shown) => {
    const isRemote = opts.target.kind === 'ssh';
    const parentDir = isRemote ? posix.dirname(dir) : dirname(dir);
    const baseName = isRemote ? posix.basename(dir) : basename(dir);
    if (parentDir === dir || !baseName || baseName === sep)
      throw new Error(`deploy to ${shown}: the target cannot be a filesystem root`);
    log?.info({ target: shown, source: sourceDir }, 'deploy: starting');
    try {
      const r = await deployToTree(tree, dir, sourceDir, {
        onProgress: opts.onProgress,
        logger: log,
        force: opts.force,
        parentDir,
        baseName,
      });
      const result: DeployResult = {
        ok: r.mismatches.length === 0,
        files: r.files,
        mismatches: r.mismatches,
        durationMs: Math.round(performance.now() - started),
        target: shown,
      };
      log?.info(
        { target: shown, ok: result.ok, files: r.files.length, durationMs: result.durationMs },
        'deploy: finished',
      );
      return result;
    } catch (e) {
      throw prefixed(e, `deploy to ${shown}`);
    }
  });
}

/** Compares the target's files with the source folder's (SHA-256, missing and extra files), changing nothing. */
export async function verifyScenario(opts: VerifyOptions): Promise<VerifyResult> {
  const started = performance.now();
  const sourceDir = opts.sourceDir ?? bundledScenarioDir();
  const expected = await hashSourceTree(sourceDir);
  return withTarget(opts.target, opts, async (tree, dir, shown) => {
    try {
      const mismatches = await compareTree(tree, dir, expected, (file, index, bytes) =>
        opts.onProgress?.({ phase: 'verify', file, index, total: expected.length, bytes }),
      );
      return {
        ok: mismatches.length === 0,
        files: expected,
        mismatches,
        durationMs: Math.round(performance.now() - started),
        target: shown,
      };
    } catch (e) {
      throw prefixed(e, `verify ${shown}`);
    }
  });
}
