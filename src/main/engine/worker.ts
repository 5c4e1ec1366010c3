// A game worker thread, one of two kinds (workerData.kind). A lane answers unary Reset/Step from
// their raw request bytes through a shared ring (lane-loop.ts). A batch worker holds shards of
// BatchSimulate streams, stepping one slice per message, at a lower scheduling priority than the
// main thread and the lanes. Everything CPU-bound in the engine runs here; the main thread only
// moves bytes. Batch replies transfer their buffers (no copy back).
import { pathToFileURL } from 'node:url';
import { parentPort, workerData, type MessagePort, type TransferListItem } from 'node:worker_threads';
import { EngineError, type ErasedGame, type GameRegistry } from './game';
import { BatchSimulateRequest, ResetRequest, ResetResponse, StepRequest, StepResponse } from './gen/engine/v1/engine';
import type { LaneMethod, LaneReply } from './lane-ring';
import { serveLane } from './lane-loop';
import { ChunkAssembler } from './merge';
import type { Cut, ToWorker, FromWorker } from './pool-protocol';
import { builtInGames } from './registry';
import { Shard } from './shard';
import { handleSim } from './simulate-worker';
import { lowerThreadPriority, threadId } from './thread-priority';

export type WorkerData = { registryModule?: string } & (
  { kind: 'lane'; sab: SharedArrayBuffer; port: MessagePort } | { kind: 'batch'; nice: number }
);

const data = workerData as WorkerData;
const registry: GameRegistry = data.registryModule
  ? ((await import(pathToFileURL(data.registryModule).href)) as { default: () => GameRegistry }).default()
  : builtInGames();
const games = new Map<string, ErasedGame>();
const shards = new Map<number, Shard>();
/** Streams whose only shard is here: the worker cuts their chunks (and reports steps per slice). */
const cutters = new Map<number, { asm: ChunkAssembler; steps: number }>();

/** Runs a slice of a single-shard stream and cuts it into chunks, the closing one included. */
function cutSlice(stream: number, shard: Shard, rounds: number): Cut {
  const c = cutters.get(stream)!;
  c.steps = 0;
  const parts: Uint8Array[] = [];
  const chunks = c.asm.add([shard.run(rounds)]);
  let r = chunks.next();
  for (; !r.done; r = chunks.next()) parts.push(r.value);
  const error = r.value;
  const finished = !error && shard.finished;
  if (finished) parts.push(c.asm.finish());
  const ends = new Uint32Array(parts.length);
  let n = 0;
  parts.forEach((p, i) => (ends[i] = n += p.byteLength));
  const bytes = new Uint8Array(n);
  n = 0;
  for (const p of parts) {
    bytes.set(p, n);
    n += p.byteLength;
  }
  return { bytes, ends, steps: c.steps, finished, error };
}

function game(envId: string): ErasedGame {
  let g = games.get(envId);
  if (!g) games.set(envId, (g = registry.create(envId)));
  return g;
}

const label = (envId: string) => (games.has(envId) ? envId : 'unknown');

function decode<T>(name: string, fn: (b: Uint8Array) => T, b: Uint8Array): T {
  try {
    return fn(b);
  } catch (e) {
    throw new EngineError(
      'invalid_argument',
      `request is not a valid ${name}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

function failure(e: unknown): { code: EngineError['code'] | 'internal'; details: string } {
  if (e instanceof EngineError) return { code: e.code, details: e.message };
  return { code: 'internal', details: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}

const enc = new TextEncoder();

const SIM_OPS = { SimOpen: 'simOpen', SimStep: 'simStep', SimClose: 'simClose' } as const;

/** One unary call, or a small Simulate stream's message, answered as a lane reply (never throws). */
function unary(method: LaneMethod, req: Uint8Array, stream: number): LaneReply {
  const t0 = performance.now();
  if (method === 'SimOpen' || method === 'SimStep' || method === 'SimClose') {
    const [r] = handleSim({ op: SIM_OPS[method], id: 0, stream, req }, game, Number.MAX_SAFE_INTEGER);
    const busyMs = performance.now() - t0;
    if (!r.ok) return { code: r.code, body: enc.encode(r.details), envId: r.envId ?? '', steps: 0, busyMs };
    const out = r as { res?: Uint8Array; envId?: string; steps?: number };
    return { code: 'ok', body: out.res ?? new Uint8Array(0), envId: out.envId ?? '', steps: out.steps ?? 0, busyMs };
  }
  let envId = '';
  try {
    let res: Uint8Array;
    if (method === 'Reset') {
      const r = decode('engine.v1.ResetRequest', (b) => ResetRequest.decode(b), req);
      envId = r.id?.envId ?? '';
      const out = game(envId).reset(r.seed, r.hint);
      res = ResetResponse.encode({ state: out.state, obs: out.obs }).finish();
    } else {
      const r = decode('engine.v1.StepRequest', (b) => StepRequest.decode(b), req);
      envId = r.id?.envId ?? '';
      res = StepResponse.encode(game(envId).step(r.state, r.action)).finish();
    }
    return {
      code: 'ok',
      body: res,
      envId: label(envId),
      steps: method === 'Step' ? 1 : 0,
      busyMs: performance.now() - t0,
    };
  } catch (e) {
    const f = failure(e);
    return { code: f.code, body: enc.encode(f.details), envId: label(envId), steps: 0, busyMs: performance.now() - t0 };
  }
}

function handle(m: ToWorker): [FromWorker, TransferListItem[]] | null {
  if (m.op === 'close') {
    shards.delete(m.stream);
    cutters.delete(m.stream);
    return null;
  }
  // Simulate (simulate-worker.ts); the main thread checked num_envs against the engine's limit.
  if (m.op === 'simOpen' || m.op === 'simStep' || m.op === 'simClose')
    return handleSim(m, game, Number.MAX_SAFE_INTEGER);
  if (m.op === 'open') {
    try {
      const req = BatchSimulateRequest.decode(m.req);
      shards.set(m.stream, new Shard(req, game(req.id?.envId ?? ''), m.lo, m.hi));
      if (m.cut) {
        const c = { asm: null as unknown as ChunkAssembler, steps: 0 };
        c.asm = new ChunkAssembler(m.cut, (n) => (c.steps += n));
        cutters.set(m.stream, c);
      }
      return [{ id: m.id, ok: true }, []];
    } catch (e) {
      return [{ id: m.id, ok: false, ...failure(e) }, []];
    }
  }
  const shard = shards.get(m.stream);
  if (!shard)
    return [
      { id: m.id, ok: false, code: 'failed_precondition', details: 'this stream has no shard here (closed)' },
      [],
    ];
  try {
    if (cutters.has(m.stream)) {
      const cut = cutSlice(m.stream, shard, m.rounds);
      if (cut.finished || cut.error) {
        shards.delete(m.stream);
        cutters.delete(m.stream);
      }
      return [{ id: m.id, ok: true, cut }, [cut.bytes.buffer, cut.ends.buffer]];
    }
    const s = shard.run(m.rounds);
    if (s.finished || s.error) shards.delete(m.stream);
    return [
      { id: m.id, ok: true, slice: s },
      [s.bytes.buffer, s.recordEnds.buffer, s.recordSteps.buffer, s.roundRecords.buffer, s.roundSteps.buffer],
    ];
  } catch (e) {
    shards.delete(m.stream);
    cutters.delete(m.stream);
    return [{ id: m.id, ok: false, ...failure(e) }, []];
  }
}

if (data.kind === 'lane') {
  parentPort!.postMessage({ id: 0, ok: true, ready: true, tid: threadId() } satisfies FromWorker);
  serveLane(data.sab, data.port, unary);
} else {
  lowerThreadPriority(data.nice);
  parentPort!.on('message', (m: ToWorker) => {
    const t0 = performance.now();
    const out = handle(m);
    if (!out) return;
    out[0].busyMs = performance.now() - t0;
    parentPort!.postMessage(out[0], out[1]);
  });
  parentPort!.postMessage({ id: 0, ok: true, ready: true, tid: threadId() } satisfies FromWorker);
}
