// `npm run wandb-sync -- --data-dir DIR [--config FILE]`: uploads the W&B journal (see README).
import { join } from 'node:path';
import { ensureBuilt, root, runForwarding } from './launch.mjs';

ensureBuilt();
runForwarding(process.execPath, [join(root, 'out/main/wandb-sync.js'), ...process.argv.slice(2)]);
