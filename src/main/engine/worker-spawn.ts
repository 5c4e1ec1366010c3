// Starting a game worker (from source through tsx's loader, or the built engine-worker.js), and the
// error a call gets when the worker running it is lost.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type TransferListItem } from 'node:worker_threads';
import type { WorkerData } from './worker';

export type LostReason = 'budget' | 'crashed' | 'stopped';

/** The worker running this message was terminated (budget) or died; `queuedBehind` marks innocent bystanders. */
export class WorkerLost extends Error {
  constructor(
    readonly reason: LostReason,
    readonly queuedBehind: boolean,
    message: string,
  ) {
    super(message);
    this.name = 'WorkerLost';
  }
}

const here = fileURLToPath(import.meta.url);

/** Source checkout (tests, tsx): worker.ts through tsx's loader; built app: engine-worker.js. */
export function spawnWorker(workerData: WorkerData, transferList: TransferListItem[] = []): Worker {
  if (here.endsWith('.ts')) {
    const tsx = pathToFileURL(
      createRequire(import.meta.url)
        .resolve('tsx/esm/api')
        .replace(/\.cjs$/, '.mjs'),
    ).href;
    const entry = pathToFileURL(join(dirname(here), 'worker.ts')).href;
    return new Worker(
      `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`,
      { eval: true, workerData, transferList },
    );
  }
  const built = [join(dirname(here), 'engine-worker.js'), join(dirname(here), '..', 'engine-worker.js')].find((p) =>
    existsSync(p),
  );
  if (!built) throw new Error(`engine-worker.js is missing beside ${here}: rebuild the app`);
  return new Worker(built, { workerData, transferList });
}
