// The engine's game workers. Two kinds, so a unary call never waits behind a batch:
// - lanes (few) answer Reset/Step; a call goes to the lane with the fewest calls outstanding;
// - batch workers (one per core by default, one on two cores) each hold one shard of every large
//   BatchSimulate, at a lower thread priority than the main thread and the lanes;
// - interactive workers (one per core) run Simulate streams at the main thread's priority: the
//   client waits on every answer, so a stream at nice 10 lost every contention (README, Simulate).
// Each worker answers its messages in order, so the oldest unanswered message is the one it is
// running; a watchdog terminates a worker whose running message exceeds the budget and starts a
// fresh one in its place (calls queued behind it on a lane are sent again; shards are lost).
import { availableParallelism } from 'node:os';
import type { TransferListItem, Worker } from 'node:worker_threads';
import type { Logger } from '../log';
import { LaneHandle } from './lane';
import type { FailCode, FromWorker, ToWorker } from './pool-protocol';
import { spawnWorker, WorkerLost, type LostReason } from './worker-spawn';

export { WorkerLost, type LostReason } from './worker-spawn';

export interface PoolOptions {
  /** Batch workers; default defaultBatchWorkers() (one per core; cores - 1 on two). */
  workers?: number;
  /** Nice value for batch worker threads (default DEFAULT_BATCH_NICE; 0: as the main thread). */
  batchNice?: number;
  /** Workers for Simulate streams, at the main thread's priority (default defaultSimWorkers()). */
  simWorkers?: number;
  /** Workers for unary Reset/Step (default 2: one stuck call leaves the other lane serving). */
  unaryWorkers?: number;
  /** Longest a lane may run one unary call before it is replaced. */
  budgetMs: number;
  /**
   * Longest a batch worker may run one message (opening a shard, one slice) before it is replaced;
   * default 10 × budgetMs: a slice of a 65,536-environment stream is legitimately far longer than
   * a Step, and this only has to catch a game that never returns (the stream's total worker time
   * has its own budget).
   */
  sliceBudgetMs?: number;
  /** A module whose default export makes the GameRegistry the workers serve (default: built-in games). */
  registryModule?: string;
  logger: Logger;
  /** A worker was replaced: over budget, or it died. */
  onRestart?(reason: LostReason): void;
}

export type Reply = FromWorker & { busyMs?: number };

/** A unary call's outcome, as a lane answered it. */
export type UnaryReply =
  | { ok: true; res: Uint8Array; envId: string; steps: number; busyMs: number }
  | { ok: false; code: FailCode; details: string; envId: string; busyMs: number };

/** Nice value of batch worker threads (Linux; see thread-priority.ts). */
export const DEFAULT_BATCH_NICE = 10;

/**
 * One batch worker per core, but on one or two cores one fewer than cores (at least one): measured
 * on 2 cores (README, Benchmarks), a second batch worker added no throughput and, during a large
 * stream, multiplied the other clients' Step p99 several times over, where one left it unchanged.
 */
export function defaultBatchWorkers(cores = availableParallelism()): number {
  return cores <= 2 ? Math.max(1, cores - 1) : cores;
}

/**
 * Simulate workers: one per core from four cores up, one below. With two, a stream of 256 envs or
 * more is split over both (simulate.ts); on 2 cores shared with the client that lost to one
 * worker (0.76x, README Simulate), so it waits for cores to spare.
 */
export function defaultSimWorkers(cores = availableParallelism()): number {
  return cores >= 4 ? cores : 1;
}

const utf8 = new TextDecoder();

type Message = Exclude<ToWorker, { op: 'close' }>;

interface Pending {
  /** Makes the message (again, for a retry: a transferred buffer is gone from this thread). */
  make(): [Message, TransferListItem[]];
  /** Sent again to the replacement when the worker is lost while this one only waited. */
  retry: boolean;
  resolve(r: Reply): void;
  reject(e: WorkerLost): void;
}

export class WorkerHandle {
  private worker!: Worker;
  private queue: Pending[] = [];
  private headSince = 0;
  private ready = false;
  private readyWaiters: (() => void)[] = [];
  /** Bumped whenever the worker is replaced: shards opened on an older generation are gone. */
  generation = 0;
  /** The worker's Linux thread id, once it is up (null elsewhere). */
  tid: number | null = null;
  private closed = false;

  constructor(
    readonly index: number,
    private readonly registryModule: string | undefined,
    private readonly nice: number,
    private readonly onLost: (index: number, reason: LostReason) => void,
  ) {
    this.spawn();
  }

  private spawn(): void {
    const w = spawnWorker({ registryModule: this.registryModule, kind: 'batch', nice: this.nice });
    this.worker = w;
    this.ready = false;
    w.on('message', (m: Reply) => {
      if (w !== this.worker) return;
      if ('ready' in m) {
        this.tid = m.tid;
        this.ready = true;
        this.headSince = performance.now();
        for (const f of this.readyWaiters.splice(0)) f();
        return;
      }
      const p = this.queue.shift();
      this.headSince = performance.now();
      p?.resolve(m);
    });
    w.on('error', () => {});
    w.on('exit', () => {
      if (w === this.worker && !this.closed) this.replace('crashed');
    });
  }

  whenReady(): Promise<void> {
    return this.ready ? Promise.resolve() : new Promise((r) => this.readyWaiters.push(r));
  }

  get outstanding(): number {
    return this.queue.length;
  }

  /** Sends a message; `make` is called again if it is retried on a replacement worker. */
  request(make: Pending['make'], retry = false): Promise<Reply> {
    if (this.closed) return Promise.reject(new WorkerLost('stopped', false, 'the engine is shutting down'));
    return new Promise((resolve, reject) => {
      if (this.queue.length === 0) this.headSince = performance.now();
      this.queue.push({ make, retry, resolve, reject });
      this.worker.postMessage(...make());
    });
  }

  /** Fire and forget (no reply). */
  post(msg: Extract<ToWorker, { op: 'close' }>): void {
    if (!this.closed) this.worker.postMessage(msg);
  }

  /** Called by the watchdog: replaces the worker if its running message is over budget. */
  check(now: number, budgetMs: number): void {
    if (this.ready && this.queue.length > 0 && now - this.headSince > budgetMs) this.replace('budget');
  }

  private replace(reason: LostReason): void {
    const old = this.worker;
    const lost = this.queue;
    this.queue = [];
    this.generation++;
    void old.terminate();
    this.spawn();
    const [head, ...rest] = lost;
    head?.reject(
      new WorkerLost(
        reason,
        false,
        reason === 'budget'
          ? 'the request ran past its budget; its worker was replaced'
          : 'the worker running it died and was replaced',
      ),
    );
    for (const p of rest) {
      if (p.retry) {
        this.queue.push(p);
        this.worker.postMessage(...p.make());
      } else
        p.reject(
          new WorkerLost(
            reason,
            true,
            'the worker this stream ran on was replaced (another request ran past its budget); retry',
          ),
        );
    }
    this.onLost(this.index, reason);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new WorkerLost('stopped', false, 'the engine is shutting down'));
    await this.worker.terminate();
  }
}

export class WorkerPool {
  readonly size: number;
  readonly lanes: LaneHandle[] = [];
  private readonly batch: (WorkerHandle | undefined)[];
  /** Simulate streams' workers (nice 0), started on first use. */
  readonly simSize: number;
  private readonly sim: (WorkerHandle | undefined)[];
  private watchdog: NodeJS.Timeout | null = null;

  constructor(private readonly opts: PoolOptions) {
    this.size = Math.max(1, opts.workers ?? defaultBatchWorkers());
    this.batch = new Array<WorkerHandle | undefined>(this.size);
    this.simSize = Math.max(1, opts.simWorkers ?? defaultSimWorkers());
    this.sim = new Array<WorkerHandle | undefined>(this.simSize);
  }

  private lost = (index: number, reason: LostReason): void => {
    this.opts.logger.warn({ worker: index, reason }, 'engine worker replaced');
    this.opts.onRestart?.(reason);
  };

  async start(): Promise<void> {
    const n = Math.max(1, this.opts.unaryWorkers ?? 2);
    for (let i = 0; i < n; i++) this.lanes.push(new LaneHandle(i, this.opts.registryModule, this.lost));
    await Promise.all(this.lanes.map((l) => l.whenReady()));
    const every = Math.max(10, Math.min(250, this.opts.budgetMs / 4));
    this.watchdog = setInterval(() => {
      const now = performance.now();
      for (const h of this.lanes) h.check(now, this.opts.budgetMs);
      for (const h of [...this.batch, ...this.sim]) h?.check(now, this.opts.sliceBudgetMs ?? this.opts.budgetMs * 10);
    }, every);
    this.watchdog.unref();
  }

  /** A unary call on the lane with the fewest calls outstanding. */
  async unary(method: 'Reset' | 'Step', bytes: Uint8Array): Promise<UnaryReply> {
    let lane = this.lanes[0];
    for (const l of this.lanes) if (l.outstanding < lane.outstanding) lane = l;
    const r = await lane.call(method, bytes);
    if (r.code === 'ok') return { ok: true, res: r.body, envId: r.envId, steps: r.steps, busyMs: r.busyMs };
    return { ok: false, code: r.code, details: utf8.decode(r.body), envId: r.envId, busyMs: r.busyMs };
  }

  /** Batch worker i (started on first use). */
  batchWorker(i: number): WorkerHandle {
    let h = this.batch[i];
    if (!h)
      this.batch[i] = h = new WorkerHandle(
        i,
        this.opts.registryModule,
        this.opts.batchNice ?? DEFAULT_BATCH_NICE,
        this.lost,
      );
    return h;
  }

  /** Simulate worker i (started on first use), at the priority of the thread that made the pool. */
  simWorker(i: number): WorkerHandle {
    let h = this.sim[i];
    if (!h) this.sim[i] = h = new WorkerHandle(i, this.opts.registryModule, 0, this.lost);
    return h;
  }

  async stop(): Promise<void> {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    await Promise.all([...this.lanes, ...this.batch, ...this.sim].map((h) => h?.close()));
  }
}
