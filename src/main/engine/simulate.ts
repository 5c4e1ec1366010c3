// One Simulate stream on the worker pool: up to LANE_MAX_ENVS environments on a unary lane (its
// shared ring), larger ones on the pool's Simulate workers (nice 0: the client waits on every
// answer, README Simulate). A stream of SHARD_MIN_ENVS environments or more, when there are two
// Simulate workers (the default from four cores), is split in two contiguous halves, one per worker: while
// the games run the client and the main thread only wait, so two threads can use two cores; each
// half checks the whole request against masks the halves share (all refuse alike or none moves)
// and the main thread joins the two encoded parts (simulate-merge.ts). Requests are handled one
// at a time, in order, and the next is read only once the answer is written (a client that stops
// reading stops the stream).
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { EngineError, invalid, specsOf, type ErasedGame } from './game';
import { SimulateRequest, type SimulateOpen } from './gen/engine/v1/engine';
import type { EngineMetrics } from './metrics';
import type { LaneHandle } from './lane';
import { WorkerLost, type Reply, type WorkerHandle, type WorkerPool } from './pool';
import { mergeParts } from './simulate-merge';
import { simulateBytes, validateOpen, type SimShard } from './simulate-worker';
import { WorkerFailure } from './stream';

export type SimCall = ServerDuplexStream<Buffer, Buffer>;

/** What a Simulate stream needs from the server. */
export interface SimulateHost {
  pool: WorkerPool | null;
  game(envId: string): ErasedGame;
  maxEnvs: number;
  /** Worker time one stream may use in all, ms (0: unlimited). */
  budgetMs: number;
  metrics: EngineMetrics;
  serving(): boolean;
  /** Admission control (throws RESOURCE_EXHAUSTED) and its release. */
  admit(call: SimCall, bytes: number): void;
  release(call: SimCall): void;
  /** A running stream and what ends it at once (server stop). */
  track(call: SimCall, abort: () => void): void;
  untrack(call: SimCall): void;
  toStatus(e: unknown): { code: number; details: string };
  statusName(code: number): string;
}

/**
 * Streams of at most this many environments run on a unary lane (its ring hop is cheaper than a
 * worker's postMessage); their steps are short enough (tens of µs) not to hold up a unary Step.
 */
export const LANE_MAX_ENVS = 32;

/** Streams of at least this many environments are sharded over two workers when there are two. */
export const SHARD_MIN_ENVS = 256;

const utf8 = new TextDecoder();

let streamIds = 1;
let rotate = 0;

const ABORTED = Symbol('aborted');

export async function runSimulate(host: SimulateHost, call: SimCall): Promise<void> {
  const t0 = performance.now();
  let envId = 'unknown';
  let abort = () => {};
  const aborted = new Promise<typeof ABORTED>((resolve) => (abort = () => resolve(ABORTED)));
  const onCancel = () => {
    host.release(call);
    abort();
  };
  call.on('cancelled', onCancel);
  host.track(call, abort);
  // Not destroyed when reading ends: the answer side still has to end with a status.
  const requests = call.iterator({ destroyOnReturn: false }) as AsyncIterator<Buffer>;
  const stream = streamIds++;
  let workers: WorkerHandle[] = [];
  let lane: LaneHandle | null = null;
  let laneGen = 0;
  let generations: number[] = [];
  let busy = 0;
  const askOne = async (
    w: WorkerHandle,
    gen: number,
    op: 'simOpen' | 'simStep',
    raw: Buffer,
    shard?: SimShard,
  ): Promise<Reply | typeof ABORTED> => {
    if (w.generation !== gen)
      throw new WorkerLost(
        'crashed',
        true,
        'the worker this stream ran on was replaced (another request ran past its budget); open a new stream',
      );
    const asked = w.request(() => {
      // An exact copy, transferred (not a clone of grpc-js's receive buffer).
      const req = new Uint8Array(raw);
      return [{ op, id: 0, stream, req, ...(shard && { shard }) }, [req.buffer]];
    });
    // Once aborted nobody awaits this any more; a later rejection must not go unhandled.
    asked.catch(() => {});
    return Promise.race([asked, aborted]);
  };
  const askLane = async (l: LaneHandle, op: 'simOpen' | 'simStep', raw: Buffer): Promise<Reply | typeof ABORTED> => {
    if (l.generation !== laneGen)
      throw new WorkerLost(
        'crashed',
        true,
        'the worker this stream ran on was replaced (another request ran past its budget); open a new stream',
      );
    const asked = l
      .call(op === 'simOpen' ? 'SimOpen' : 'SimStep', raw, stream)
      .then((r): Reply =>
        r.code === 'ok'
          ? { id: 0, ok: true, res: r.body, envId: r.envId, steps: r.steps, busyMs: r.busyMs }
          : { id: 0, ok: false, code: r.code, details: utf8.decode(r.body), envId: r.envId, busyMs: r.busyMs },
      );
    asked.catch(() => {});
    return Promise.race([asked, aborted]);
  };
  /** Every worker's answer (accounted), or ABORTED. */
  const ask = async (
    op: 'simOpen' | 'simStep',
    raw: Buffer,
    shards?: SimShard[],
  ): Promise<Uint8Array[] | typeof ABORTED> => {
    const rs = lane
      ? [await askLane(lane, op, raw)]
      : await Promise.all(workers.map((w, s) => askOne(w, generations[s], op, raw, shards?.[s])));
    if (rs.includes(ABORTED)) return ABORTED;
    return (rs as Reply[]).map(account);
  };
  const account = (r: Reply): Uint8Array => {
    busy += r.busyMs ?? 0;
    if (!r.ok) {
      if (r.code === 'internal') throw new WorkerFailure(r.details);
      throw new EngineError(r.code, r.details);
    }
    if (host.budgetMs > 0 && busy > host.budgetMs)
      throw new EngineError(
        'resource_exhausted',
        `Simulate used more than its budget of ${host.budgetMs / 1000} s of worker time (engine.batchBudgetSeconds); open a new stream`,
      );
    const out = r as { res: Uint8Array; steps: number };
    if (out.steps) host.metrics.addSteps(envId, out.steps);
    return out.res;
  };
  const write = (res: Uint8Array): Promise<void> =>
    new Promise((resolve) => {
      if (call.write(Buffer.from(res.buffer, res.byteOffset, res.byteLength))) return resolve();
      const done = () => {
        call.off('drain', done);
        call.off('cancelled', done);
        resolve();
      };
      call.on('drain', done);
      call.on('cancelled', done);
    });
  const next = async (): Promise<Buffer | null> => {
    const read = requests.next();
    read.catch(() => {});
    const r = await Promise.race([read, aborted]);
    return r === ABORTED || r.done ? null : r.value;
  };
  const stopped = () => call.cancelled || !host.serving();
  try {
    const first = await next();
    if (!first || stopped()) return;
    let open: SimulateOpen | undefined;
    try {
      open = SimulateRequest.decode(first).open;
    } catch (e) {
      throw invalid(`request is not a valid engine.v1.SimulateRequest: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!open) throw invalid('the first Simulate request must be an open (env_id, num_envs, seeds)');
    const game = host.game(open.id?.envId ?? '');
    envId = game.info.envId;
    validateOpen(open, game.info, host.maxEnvs);
    host.admit(call, simulateBytes(open, game.info));
    const pool = host.pool;
    if (!pool) throw new WorkerLost('stopped', false, 'the engine is shutting down');
    const n = open.numEnvs;
    const sharded = n >= SHARD_MIN_ENVS && pool.simSize >= 2;
    const first0 = rotate++ % pool.simSize;
    if (n <= LANE_MAX_ENVS) {
      // Small: on the least busy lane, through its shared ring (a cheaper hop than postMessage).
      lane = pool.lanes.reduce((a, b) => (b.outstanding < a.outstanding ? b : a));
      laneGen = lane.generation;
    } else
      workers = sharded
        ? [pool.simWorker(first0), pool.simWorker((first0 + 1) % pool.simSize)]
        : [pool.simWorker(first0)];
    generations = workers.map((w) => w.generation);
    const half = Math.ceil(n / 2);
    const nA = game.info.actionSpace.kind === 'discrete' ? game.info.actionSpace.n : 0;
    const masks = new SharedArrayBuffer(2 * n * nA);
    const shards: SimShard[] | undefined = sharded
      ? [
          { lo: 0, hi: half, masks },
          { lo: half, hi: n, masks },
        ]
      : undefined;
    const shape = { obsBytes: game.info.obsBytes, players: specsOf(game.info).numPlayers, actions: nA };
    /** One answer: a worker's as it is, or the halves joined. */
    const join = (parts: Uint8Array[], req: Buffer | null): Uint8Array => {
      if (parts.length === 1) return parts[0];
      let idx: readonly number[] = [];
      if (req) {
        try {
          idx = SimulateRequest.decode(req).step?.envIndices ?? [];
        } catch {
          // The halves refuse it alike; the merge passes their refusal on.
        }
      }
      const k = idx.length || n;
      return mergeParts(parts, k, idx.length ? (j) => (idx[j] < half ? 0 : 1) : (j) => (j < half ? 0 : 1), idx, shape);
    };
    const opened = await ask('simOpen', first, shards);
    if (opened === ABORTED || stopped()) return;
    await write(join(opened, null));
    for (let req = await next(); req && !stopped(); req = await next()) {
      const res = await ask('simStep', req);
      if (res === ABORTED || stopped()) return;
      await write(join(res, req));
    }
    if (!stopped()) call.end();
    host.metrics.observeCall('Simulate', envId, call.cancelled ? 'CANCELLED' : 'OK', (performance.now() - t0) / 1000);
  } catch (caught) {
    let e = caught;
    if (e instanceof WorkerLost && e.reason === 'budget' && !e.queuedBehind) {
      // The batch worker's per-message budget (engine.budgetMs × 10 unless set) cut this step off.
      e = new EngineError(
        'resource_exhausted',
        'a Simulate step ran past its budget of worker time; its worker was replaced: open a new stream',
      );
    }
    if (e instanceof EngineError && e.code === 'resource_exhausted' && /budget/.test(e.message))
      host.metrics.overBudget('Simulate');
    const err = host.toStatus(e);
    host.metrics.observeCall(
      'Simulate',
      envId,
      call.cancelled ? 'CANCELLED' : host.statusName(err.code),
      (performance.now() - t0) / 1000,
    );
    if (!call.cancelled) call.emit('error', err);
  } finally {
    call.off('cancelled', onCancel);
    host.release(call);
    host.untrack(call);
    // The worker drops the stream's environments (and their memory) at once.
    if (lane && lane.generation === laneGen) lane.call('SimClose', new Uint8Array(0), stream).catch(() => {});
    workers.forEach((w, s) => {
      if (w.generation === generations[s]) w.request(() => [{ op: 'simClose', id: 0, stream }, []]).catch(() => {});
    });
  }
}
