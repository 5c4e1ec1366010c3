// `npm run feed -- --path P [--rate N] [--lines N] ...`: the demo feed as a standalone writer.
import { join } from 'node:path';
import { ensureBuilt, root, runForwarding } from './launch.mjs';

ensureBuilt();
runForwarding(process.execPath, [join(root, 'out/main/feed.js'), ...process.argv.slice(2)]);
