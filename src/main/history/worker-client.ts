// The main side of the query worker: one worker, requests answered in order, each within a
// budget; a request over budget ends the worker (the next request starts a fresh one) and is
// answered with an error, so a runaway query never holds the app.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { HistoryAnswer } from '../../shared/history';
import type { WorkerRequest } from './worker';

interface Pending {
  resolve: (a: HistoryAnswer) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * The worker: the built bundle's entry beside this one, or under tsx/vitest the TypeScript source,
 * loaded through tsx's loader (a worker does not take `--import` in its execArgv).
 */
function spawnWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    // The bundle may put this code in a chunk one folder below its entries. The names are
    // variables, not literals: bundlers would otherwise try to inline the URL as an asset.
    const names = ['./history-worker.js', '../history-worker.js'];
    const url =
      names.map((n) => new URL(n, import.meta.url)).find((u) => existsSync(u)) ?? new URL(names[0], import.meta.url);
    return new Worker(url);
  }
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  const tsx = pathToFileURL(join(dirname(pkg), 'dist/esm/api/index.mjs')).href;
  const source = new URL('./worker.ts', import.meta.url).href;
  return new Worker(
    `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(source)}); });`,
    { eval: true },
  );
}

export class QueryWorker {
  private worker: Worker | null = null;
  private next = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly budgetMs: number) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = spawnWorker();
    w.unref();
    w.on('message', (m: { id: number; answer?: HistoryAnswer; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.answer) p.resolve(m.answer);
      else p.reject(new Error(m.error ?? 'query failed'));
    });
    const fail = (e: Error) => {
      if (this.worker === w) this.worker = null;
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(e);
        this.pending.delete(id);
      }
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`the history worker stopped (exit ${code})`)));
    this.worker = w;
    return w;
  }

  run(req: Omit<WorkerRequest, 'id'>): Promise<HistoryAnswer> {
    const w = this.start();
    const id = this.next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`the history query took longer than ${this.budgetMs} ms and was stopped`));
        if (this.worker === w) this.worker = null;
        void w.terminate();
      }, this.budgetMs);
      this.pending.set(id, { resolve, reject, timer });
      w.postMessage({ id, ...req } satisfies WorkerRequest);
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
