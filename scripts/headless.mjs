// `npm run headless -- --config FILE [--data-dir DIR]`: build if needed, then run headless mode.
import { join } from 'node:path';
import { ensureBuilt, root, runForwarding } from './launch.mjs';

ensureBuilt();
runForwarding(process.execPath, [join(root, 'out/main/headless.js'), ...process.argv.slice(2)]);
