// `npm run dev`: Electron with hot reload (electron-vite dev). Without an Electron binary: rebuild on
// every source change and restart headless mode with the same access token and the same port (the
// one the first start chose, when that was any free port), so a reload of the browser tab shows the
// change. SIGHUP restarts without a rebuild. (electron-vite's production build has no watch mode.)
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { watch } from 'node:fs';
import { join } from 'node:path';
import {
  electronOrReason,
  electronViteDevArgs,
  ensureBuilt,
  NO_SANDBOX_NOTICE,
  root,
  runForwarding,
  sandboxRefused,
  withPort,
} from './launch.mjs';

const viteBin = join(root, 'node_modules/electron-vite/bin/electron-vite.js');
const args = process.argv.slice(2);
const headlessOnly = args.includes('--headless');
const { reason } = headlessOnly ? { reason: null } : electronOrReason();

if (!headlessOnly && !reason) {
  // As `npm start` does: Chromium refuses to run as root with its sandbox.
  if (sandboxRefused()) console.log(NO_SANDBOX_NOTICE);
  runForwarding(process.execPath, [viteBin, ...electronViteDevArgs()]);
} else {
  console.log(
    headlessOnly
      ? 'Headless mode, as asked: rebuild on change, restart, reload the page.'
      : `Electron is unavailable (${reason}); developing in headless mode: rebuild on change, restart, reload the page.`,
  );
  ensureBuilt();
  const env = { ...process.env, CONTROL_ROOM_TOKEN: randomBytes(32).toString('base64url'), CONTROL_ROOM_DEV: '1' };
  const headlessArgs = [join(root, 'out/main/headless.js'), ...args.filter((a) => a !== '--headless')];
  let port = null;
  let child = null;
  let stopping = false;
  const startChild = () => {
    child = spawn(process.execPath, port === null ? headlessArgs : withPort(headlessArgs, port), {
      cwd: root,
      stdio: ['inherit', 'pipe', 'inherit'],
      env,
    });
    // Passed through as it comes; the first URL fixes the port for every restart after it.
    let seen = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      if (port !== null) return;
      seen += d;
      const m = /Control Room UI: http:\/\/\S*?:(\d+)\//.exec(seen);
      if (m) port = Number(m[1]);
    });
    child.on('exit', (code) => {
      if (stopping) process.exit(code ?? 0);
    });
  };
  const restartChild = () => {
    if (!child || child.exitCode !== null) return startChild();
    child.once('exit', startChild);
    child.kill('SIGTERM');
  };
  const restart = () => {
    console.log('Change detected: rebuilding...');
    if (
      spawnSync(process.execPath, [viteBin, 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' }).status !==
      0
    ) {
      console.log('Build failed; keeping the previous version running.');
      return;
    }
    restartChild();
  };
  let timer = null;
  watch(join(root, 'src'), { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(restart, 200);
  });
  process.on('SIGHUP', () => {
    console.log('SIGHUP: restarting...');
    restartChild();
  });
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      stopping = true;
      if (!child || child.exitCode !== null) process.exit(0);
      child.kill(sig);
    });
  }
  startChild();
}
