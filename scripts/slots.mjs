// `npm run slots -- status|deploy|join-test [--slot ID] --config FILE`: the Slots view's actions (see README).
import { join } from 'node:path';
import { ensureBuilt, root, runForwarding } from './launch.mjs';

ensureBuilt();
runForwarding(process.execPath, [join(root, 'out/main/slots.js'), ...process.argv.slice(2)]);
