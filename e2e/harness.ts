// Starts the real built app for e2e tests: headless mode as a child process with a temporary config
// and data dir, Chromium (Debian's) for the web target, Electron's binary for the electron target.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { browser } from '../scripts/system-deps.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The browser `npm test` prepared (the npm Chromium, or CHROMIUM_PATH): its path and the environment it needs. */
const prepared = browser();
export const CHROMIUM_PATH = prepared.path ?? '/nonexistent (npm test prepares the browser; or set CHROMIUM_PATH)';
export const CHROMIUM_ENV: Record<string, string> = { ...(process.env as Record<string, string>), ...prepared.env };
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface ChildRun {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null if killed by a signal). */
  exited: Promise<number | null>;
}

/** Children started by `run` in this worker and not yet exited: `stopChildren` ends them after each test. */
const live = new Set<ChildRun>();

export function run(args: string[], env: NodeJS.ProcessEnv = {}): ChildRun {
  const proc = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const r = { proc, stdout: () => out, stderr: () => err, exited };
  live.add(r);
  void exited.then(() => live.delete(r));
  return r;
}

/** Stops every child `run` started that is still running (a test that failed half-way leaves some). */
export async function stopChildren(): Promise<void> {
  await Promise.all([...live].map((r) => stopChild(r)));
}

/** Waits until `pattern` appears on stdout; rejects if the process exits first or `ms` pass. */
export function waitForLine(r: ChildRun, pattern: RegExp, ms = 30_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = r.stdout().match(pattern);
      if (m) {
        cleanup();
        resolve(m);
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`exited (${code}) before printing ${pattern}\nstdout: ${r.stdout()}\nstderr: ${r.stderr()}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no ${pattern} within ${ms} ms\nstdout: ${r.stdout()}\nstderr: ${r.stderr()}`));
    }, ms);
    const cleanup = () => {
      clearTimeout(timer);
      r.proc.stdout!.off('data', check);
      r.proc.off('exit', onExit);
    };
    r.proc.stdout!.on('data', check);
    r.proc.once('exit', onExit);
    check();
  });
}

export interface Headless extends ChildRun {
  dir: string;
  configPath: string;
  /** The printed URL, token included. */
  url: string;
  origin: string;
  port: number;
  token: string;
  stop(): Promise<number | null>;
}

/** SIGTERM, and SIGKILL if the child has not exited after `graceMs`; resolves with its exit code. */
export async function stopChild(r: ChildRun, graceMs = 10_000): Promise<number | null> {
  if (r.proc.exitCode === null && r.proc.signalCode === null) {
    r.proc.kill('SIGTERM');
    const timer = setTimeout(() => r.proc.kill('SIGKILL'), graceMs);
    try {
      return await r.exited;
    } finally {
      clearTimeout(timer);
    }
  }
  return r.exited;
}

export function tempDir(prefix = 'cr-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startHeadless(config: object = {}, extraEnv: NodeJS.ProcessEnv = {}): Promise<Headless> {
  const dir = tempDir();
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify({ web: { port: 0 }, ...config }, null, 2));
  // HOME is ours too, so a Factorio installed on the test machine never changes what the app sees.
  const r = run([join(root, 'out/main/headless.js'), '--config', configPath, '--data-dir', join(dir, 'data')], {
    CONTROL_ROOM_HOME: join(dir, 'home'),
    HOME: join(dir, 'home'),
    ...extraEnv,
  });
  let url: string;
  try {
    [, url] = await waitForLine(r, /Control Room UI: (\S+)/);
  } catch (e) {
    // It never came up (or never said so): it must not outlive the test that started it.
    await stopChild(r);
    throw e;
  }
  const u = new URL(url);
  return {
    ...r,
    dir,
    configPath,
    url,
    origin: u.origin,
    port: Number(u.port),
    token: u.searchParams.get('token')!,
    stop: () => stopChild(r),
  };
}

export function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** The Electron executable, or a reason why the electron target cannot run here. */
export function electronExecutable(): { path: string } | { reason: string } {
  const pathFile = join(root, 'node_modules/electron/path.txt');
  if (!existsSync(pathFile))
    return {
      reason:
        'Electron binary not installed (node_modules/electron has no path.txt: its download needs internet access)',
    };
  const exe = join(root, 'node_modules/electron/dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(exe) ? { path: exe } : { reason: `Electron binary missing at ${exe}` };
}
