// `npm start`: build if needed, then open the Electron window. Without an Electron binary, try its
// installer (not again for 24 h after it failed); if that cannot reach the internet, run headless
// mode and open the UI in a browser. `--headless` goes straight to headless mode, installer untouched.
import { join } from 'node:path';
import {
  electronOrReason,
  electronStartArgs,
  ensureBuilt,
  NO_SANDBOX_NOTICE,
  root,
  runForwarding,
  sandboxRefused,
} from './launch.mjs';

const args = process.argv.slice(2);
const forceHeadless = args.includes('--headless') || process.env.CONTROL_ROOM_HEADLESS === '1';

ensureBuilt();

const { exe, reason } = forceHeadless ? {} : electronOrReason();

if (exe) {
  // Chromium refuses to run as root with its sandbox; say so instead of failing obscurely.
  if (sandboxRefused()) console.log(NO_SANDBOX_NOTICE);
  runForwarding(exe, electronStartArgs(args));
} else {
  console.log(
    forceHeadless
      ? 'Headless mode, as asked: the app runs here and its UI opens in your browser.'
      : `Electron is unavailable (${reason}); starting headless mode, the same app in your browser.`,
  );
  const headlessArgs = [join(root, 'out/main/headless.js'), ...args.filter((a) => a !== '--headless')];
  if (process.env.CONTROL_ROOM_NO_BROWSER !== '1') headlessArgs.push('--open');
  runForwarding(process.execPath, headlessArgs);
}
