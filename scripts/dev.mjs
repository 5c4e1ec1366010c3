// `npm run dev`: Electron with hot reload (electron-vite dev). Without an Electron binary: rebuild on
// every source change and restart headless mode with the same access token, so a reload of the
// browser tab shows the change. (electron-vite's production build has no watch mode of its own.)
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { watch } from 'node:fs';
import { join } from 'node:path';
import { electronBinary, electronViteDevArgs, ensureBuilt, installElectron, NO_SANDBOX_NOTICE, root, runForwarding, sandboxRefused } from './launch.mjs';

const viteBin = join(root, 'node_modules/electron-vite/bin/electron-vite.js');
const args = process.argv.slice(2);
const headlessOnly = args.includes('--headless');
const reason = headlessOnly ? 'headless mode requested' : electronBinary() ? null : installElectron();

if (!reason) {
  // As `npm start` does: Chromium refuses to run as root with its sandbox.
  if (sandboxRefused()) console.log(NO_SANDBOX_NOTICE);
  runForwarding(process.execPath, [viteBin, ...electronViteDevArgs()]);
} else {
  console.log(`Electron is unavailable (${reason}); developing in headless mode: rebuild on change, restart, reload the page.`);
  ensureBuilt();
  const env = { ...process.env, CONTROL_ROOM_TOKEN: randomBytes(32).toString('base64url'), CONTROL_ROOM_DEV: '1' };
  const headlessArgs = [join(root, 'out/main/headless.js'), ...args.filter((a) => a !== '--headless')];
  let child = null;
  let stopping = false;
  const startChild = () => {
    child = spawn(process.execPath, headlessArgs, { cwd: root, stdio: 'inherit', env });
    child.on('exit', (code) => {
      if (stopping) process.exit(code ?? 0);
    });
  };
  const restart = () => {
    console.log('Change detected: rebuilding...');
    if (spawnSync(process.execPath, [viteBin, 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' }).status !== 0) {
      console.log('Build failed; keeping the previous version running.');
      return;
    }
    if (!child || child.exitCode !== null) return startChild();
    child.once('exit', startChild);
    child.kill('SIGTERM');
  };
  let timer = null;
  watch(join(root, 'src'), { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(restart, 200);
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
