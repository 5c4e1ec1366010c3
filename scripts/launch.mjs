// Helpers for `npm start` and `npm run headless`: build when the output is missing or older than
// the sources, find or install Electron's binary, and run a child with signals forwarded.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const OUTPUTS = [
  'out/main/index.js',
  'out/main/headless.js',
  'out/main/feed.js',
  'out/main/wandb-sync.js',
  'out/preload/index.cjs',
  'out/renderer/index.html',
];
const INPUTS = ['src', 'electron.vite.config.ts', 'package.json', 'package-lock.json'];

function newestMtime(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** True when some output is missing or some source is newer than the oldest output. */
export function buildIsStale() {
  const outs = OUTPUTS.map((p) => join(root, p));
  if (outs.some((p) => !existsSync(p))) return true;
  const oldestOut = Math.min(...outs.map((p) => statSync(p).mtimeMs));
  const newestIn = Math.max(
    ...INPUTS.map((p) => join(root, p))
      .filter(existsSync)
      .map(newestMtime),
  );
  return newestIn > oldestOut;
}

export function ensureBuilt() {
  if (!buildIsStale()) return;
  console.log('Building the app (electron-vite build)...');
  const r = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    console.error('Build failed; see the errors above.');
    process.exit(r.status ?? 1);
  }
}

/** The Electron executable, or null when its binary was never downloaded (install scripts are off). */
export function electronBinary() {
  const dir = join(root, 'node_modules/electron');
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const exe = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(exe) ? exe : null;
}

export const NO_SANDBOX_NOTICE =
  'Running as root: starting Electron with --no-sandbox (run as a normal user to keep the Chromium sandbox).';

/** Chromium refuses to run as root on Linux with its sandbox: Electron must then run without it. */
export function sandboxRefused({ platform = process.platform, uid = process.getuid?.() } = {}) {
  return platform === 'linux' && uid === 0;
}

/** Electron's arguments for `npm start`. */
export function electronStartArgs(args, host) {
  return sandboxRefused(host) ? ['.', ...args, '--no-sandbox'] : ['.', ...args];
}

/** electron-vite's arguments for `npm run dev` (it passes `--noSandbox` on to Electron as `--no-sandbox`). */
export function electronViteDevArgs(host) {
  return sandboxRefused(host) ? ['dev', '--watch', '--noSandbox'] : ['dev', '--watch'];
}

/** Runs Electron's own installer (it downloads the binary); returns null on success or a one-line reason. */
export function installElectron() {
  const script = join(root, 'node_modules/electron/install.js');
  if (!existsSync(script)) return 'the electron package is not installed (run npm install)';
  console.log('Electron binary not found; running its installer (downloads about 100 MB)...');
  const r = spawnSync(process.execPath, [script], { cwd: root, encoding: 'utf8', timeout: 10 * 60_000 });
  if (r.status === 0 && electronBinary()) return null;
  const text = `${r.stderr ?? ''}\n${r.stdout ?? ''}`;
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => /error|ENOTFOUND|ECONN|EAI_AGAIN|timed? ?out|fail/i.test(l));
  return line ?? (r.error ? r.error.message : `installer exited with code ${r.status}`);
}

/** A failed download is remembered this long: each try costs minutes (10 min timeout) and ~100 MB. */
export const FAILURE_TTL_MS = 24 * 3600_000;

/** Where our launch state lives (CONTROL_ROOM_CACHE_DIR for tests); beside the unpacked test browser. */
export function cacheDir(env = process.env) {
  return env.CONTROL_ROOM_CACHE_DIR || join(root, 'node_modules/.cache/control-room');
}

const failureFile = (env) => join(cacheDir(env), 'electron-download-failed.json');

/** The failure remembered from a download less than FAILURE_TTL_MS ago ({at, reason}), or null. */
export function rememberedFailure({ env = process.env, now = Date.now() } = {}) {
  let m;
  try {
    m = JSON.parse(readFileSync(failureFile(env), 'utf8'));
  } catch {
    return null;
  }
  if (typeof m?.at !== 'number' || typeof m.reason !== 'string' || now - m.at >= FAILURE_TTL_MS || m.at > now)
    return null;
  return { at: m.at, reason: m.reason };
}

export function rememberFailure(reason, { env = process.env, now = Date.now() } = {}) {
  mkdirSync(cacheDir(env), { recursive: true });
  writeFileSync(failureFile(env), JSON.stringify({ at: now, reason }) + '\n');
}

export function forgetFailure({ env = process.env } = {}) {
  rmSync(failureFile(env), { force: true });
}

function ago(ms) {
  const min = Math.round(ms / 60_000);
  return min < 60 ? `${min} min` : `${Math.round(min / 60)} h`;
}

/**
 * The Electron executable ({exe}) or why there is none ({reason}, one line). Runs the installer only
 * when no failure is remembered (or CONTROL_ROOM_RETRY_ELECTRON=1), and remembers a new failure.
 */
export function electronOrReason({ env = process.env, now = Date.now(), install = installElectron } = {}) {
  const exe = electronBinary();
  if (exe) return { exe };
  const last = env.CONTROL_ROOM_RETRY_ELECTRON === '1' ? null : rememberedFailure({ env, now });
  if (last)
    return {
      reason: `its download failed ${ago(now - last.at)} ago: ${last.reason}; tried again after 24 h, or now with CONTROL_ROOM_RETRY_ELECTRON=1`,
    };
  const reason = install();
  if (!reason) {
    forgetFailure({ env });
    return { exe: electronBinary() };
  }
  rememberFailure(reason, { env, now });
  return { reason };
}

/** `args` with `--port N` (either spelling) replaced by `--port port`. */
export function withPort(args, port) {
  const out = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--port') i++;
    else if (!args[i].startsWith('--port=')) out.push(args[i]);
  }
  return [...out, '--port', String(port)];
}

/** Spawns a child that shares our terminal; Ctrl+C and SIGTERM reach it, and we exit with its code. */
export function runForwarding(cmd, args, options = {}) {
  const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return child;
}
