// `npm run engine -- [--host H] [--port P] [--metrics-port M]`: build if needed, then run the
// engine server alone (no UI); see README "Engine server".
import { join } from 'node:path';
import { ensureBuilt, root, runForwarding } from './launch.mjs';

ensureBuilt();
runForwarding(process.execPath, [join(root, 'out/main/engine.js'), ...process.argv.slice(2)]);
