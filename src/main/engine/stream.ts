// One BatchSimulate on the worker pool: environments split into contiguous shards, one per batch
// worker (small runs stay on one), stepped a slice of rounds at a time. While the main thread
// writes slice n, the workers compute slice n+1 and no further, so a stream holds at most two
// slices; a client that stops reading stops the workers. Cancel, deadline and server stop are
// checked between chunks; `close` drops the shards (and their memory) in the workers.
import { EngineError, type GameInfo } from './game';
import { BatchSimulateRequest_Output, type BatchSimulateRequest } from './gen/engine/v1/engine';
import { ChunkAssembler } from './merge';
import { WorkerLost, type Reply, type WorkerHandle, type WorkerPool } from './pool';
import type { Cut, FailCode } from './pool-protocol';
import type { Slice } from './shard';

/** Fewer environments than this per worker are not worth a second worker. */
export const MIN_SHARD_ENVS = 256;
/** Steps per slice over all shards (at least one round). */
const SLICE_STEPS = 8192;

export interface StreamLimits {
  defaultChunk: number;
  maxChunkBytes: number;
  /** Worker time one stream may use, in ms (0: unlimited). */
  budgetMs: number;
}

export interface StreamSink {
  write(chunk: Buffer): Promise<void>;
  stopped(): boolean;
  /** Settles when the client goes away or the server stops: the stream ends without waiting for a slice. */
  aborted: Promise<void>;
  onSteps(n: number): void;
}

/** Internal errors from a worker, carried to the server's INTERNAL mapping. */
export class WorkerFailure extends Error {}

let streamIds = 1;
let rotate = 0;

export function perResultBytes(req: BatchSimulateRequest, info: GameInfo): number {
  return req.output === BatchSimulateRequest_Output.OUTPUT_EPISODES
    ? info.obsBytes + 24
    : info.obsBytes + info.maxActionBytes + (req.includeState ? info.maxStateBytes : 0) + 32;
}

/** Memory a stream may hold at once: its environments in the workers and two slices of results. */
export function streamBytes(req: BatchSimulateRequest, info: GameInfo): number {
  const rounds = Math.max(1, Math.floor(SLICE_STEPS / req.numEnvs));
  const perEnv = 1024 + 2 * info.maxStateBytes + 2 * info.obsBytes + (req.actions ? 0 : 160);
  return req.numEnvs * perEnv + 2 * rounds * req.numEnvs * (perResultBytes(req, info) + 8);
}

function raise(r: Reply & { ok: false }): never {
  if (r.code === 'internal') throw new WorkerFailure(r.details);
  throw new EngineError(r.code as Exclude<FailCode, 'internal'>, r.details);
}

interface ShardRef {
  h: WorkerHandle;
  generation: number;
  lo: number;
  hi: number;
  finished: boolean;
}

export async function runStream(
  pool: WorkerPool,
  req: BatchSimulateRequest,
  raw: Uint8Array,
  info: GameInfo,
  limits: StreamLimits,
  sink: StreamSink,
): Promise<void> {
  const n = req.numEnvs;
  const k = Math.min(pool.size, Math.ceil(n / MIN_SHARD_ENVS));
  const first = rotate++ % pool.size;
  const stream = streamIds++;
  const shards: ShardRef[] = Array.from({ length: k }, (_, j) => {
    const h = pool.batchWorker((first + j) % pool.size);
    return {
      h,
      generation: h.generation,
      lo: Math.floor((j * n) / k),
      hi: Math.floor(((j + 1) * n) / k),
      finished: false,
    };
  });
  const rounds = Math.max(1, Math.floor(SLICE_STEPS / n));
  const rules = {
    chunkSize: req.chunkSize || limits.defaultChunk,
    maxChunkBytes: limits.maxChunkBytes,
    perResult: perResultBytes(req, info),
  };
  // One shard: its worker cuts the chunks, and the main thread only writes them.
  const cut = k === 1;
  const assembler = new ChunkAssembler(rules, sink.onSteps);
  let busy = 0;
  const account = (r: Reply): Reply => {
    busy += r.busyMs ?? 0;
    if (!r.ok) raise(r);
    if (limits.budgetMs > 0 && busy > limits.budgetMs)
      throw new EngineError(
        'resource_exhausted',
        `BatchSimulate used more than its budget of ${limits.budgetMs / 1000} s of worker time (engine.batchBudgetSeconds)`,
      );
    return r;
  };
  const ask = (s: ShardRef, make: Parameters<WorkerHandle['request']>[0]): Promise<Reply> => {
    if (s.h.generation !== s.generation)
      return Promise.reject(
        new WorkerLost(
          'crashed',
          true,
          'the worker this stream ran on was replaced (another request ran past its budget); retry',
        ),
      );
    return s.h.request(make);
  };
  const next = (): Promise<(Slice | null)[]> =>
    Promise.all(
      shards.map((s) =>
        s.finished
          ? null
          : ask(s, () => [{ op: 'run', id: 0, stream, rounds }, []]).then(
              (r) => (account(r) as { slice: Slice }).slice,
            ),
      ),
    );
  const aborted = sink.aborted.then(() => null);
  try {
    const opened = Promise.all(
      shards.map((s) =>
        ask(s, () => {
          // An exact copy per shard, transferred (not a clone of grpc-js's whole receive buffer).
          const req = new Uint8Array(raw);
          return [{ op: 'open', id: 0, stream, req, lo: s.lo, hi: s.hi, cut: cut ? rules : undefined }, [req.buffer]];
        }).then(account),
      ),
    );
    opened.catch(() => {});
    if ((await Promise.race([opened, aborted])) === null) return;
    if (cut)
      return await writeCuts(
        shards[0],
        () =>
          ask(shards[0], () => [{ op: 'run', id: 0, stream, rounds }, []]).then(
            (r) => (account(r) as { cut: Cut }).cut,
          ),
        aborted,
        sink,
      );
    let pending: Promise<(Slice | null)[]> | null = next();
    pending.catch(() => {});
    while (pending) {
      const slices = await Promise.race([pending, aborted]);
      pending = null;
      if (!slices || sink.stopped()) return;
      slices.forEach((s, j) => {
        if (s && (s.finished || s.error)) shards[j].finished = true;
      });
      const failed = slices.some((s) => s?.error);
      // Prefetch: the workers step the next slice while this one is written.
      if (!failed && shards.some((s) => !s.finished)) {
        pending = next();
        pending.catch(() => {});
      }
      const chunks = assembler.add(slices);
      for (let c = chunks.next(); ; c = chunks.next()) {
        if (c.done) {
          if (c.value) throw new EngineError(c.value.code, c.value.message);
          break;
        }
        if (sink.stopped()) return;
        await sink.write(c.value);
      }
    }
    if (!sink.stopped()) await sink.write(assembler.finish());
  } finally {
    for (const s of shards) if (s.h.generation === s.generation) s.h.post({ op: 'close', stream });
  }
}

/** The single-shard loop: each slice arrives as finished chunks; while they are written, the worker steps the next. */
async function writeCuts(
  shard: ShardRef,
  next: () => Promise<Cut>,
  aborted: Promise<null>,
  sink: StreamSink,
): Promise<void> {
  let pending: Promise<Cut> | null = next();
  pending.catch(() => {});
  while (pending) {
    const c = await Promise.race([pending, aborted]);
    pending = null;
    if (!c || sink.stopped()) return;
    if (c.finished || c.error) shard.finished = true;
    else {
      pending = next();
      pending.catch(() => {});
    }
    if (c.steps > 0) sink.onSteps(c.steps);
    let start = 0;
    for (const end of c.ends) {
      if (sink.stopped()) return;
      await sink.write(Buffer.from(c.bytes.buffer, start, end - start));
      start = end;
    }
    if (c.error) throw new EngineError(c.error.code, c.error.message);
  }
}
