// A process that reads the event pipe the way the app does (PipeService, its state in DATA_DIR) and
// prints each accepted stats line's cycle on stdout: the far side of the pipe crash test and the
// crash benchmark, killed with SIGKILL mid-stream. Test and benchmark support only.
// Usage: reader-process.ts PATH DATA_DIR [MODE] (no MODE: the configured default)
import { ConfigSchema } from '../../shared/config';
import { isStats, type PipeEvent } from '../../shared/events';
import { silentLogger } from '../log';
import { EventCache } from '../lib/cache';
import { PipeService } from './service';

const [path, dataDir, modeArg] = process.argv.slice(2) as [string, string, 'auto' | 'fifo' | 'file' | undefined];
const defaults = ConfigSchema.parse({}).pipe;
const mode = modeArg ?? defaults.mode;
const cache = new EventCache<PipeEvent>(1000, (e) => e.line);
cache.subscribe((e) => {
  if (isStats(e.event)) process.stdout.write(`c ${e.event.cycle}\n`);
});
const svc = new PipeService({
  path,
  config: { ...defaults, mode, startAt: 'start' },
  dataDir,
  cache,
  logger: silentLogger(),
  statusChanged() {},
  push() {},
});
await svc.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => void svc.stop().then(() => process.exit(0)));
