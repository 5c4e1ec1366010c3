// A game worker thread: answers unary Reset/Step from their raw request bytes, and holds shards of
// BatchSimulate streams, stepping one slice per message. Everything CPU-bound in the engine runs
// here; the main thread only moves bytes. Replies transfer their buffers (no copy back).
import { pathToFileURL } from 'node:url';
import { parentPort, workerData, type TransferListItem } from 'node:worker_threads';
import { EngineError, type ErasedGame, type GameRegistry } from './game';
import { BatchSimulateRequest, ResetRequest, ResetResponse, StepRequest, StepResponse } from './gen/engine/v1/engine';
import type { ToWorker, FromWorker } from './pool-protocol';
import { builtInGames } from './registry';
import { Shard } from './shard';
import { handleSim } from './simulate-worker';

const data = workerData as { registryModule?: string };
const registry: GameRegistry = data.registryModule ? ((await import(pathToFileURL(data.registryModule).href)) as { default: () => GameRegistry }).default() : builtInGames();
const games = new Map<string, ErasedGame>();
const shards = new Map<number, Shard>();

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
    throw new EngineError('invalid_argument', `request is not a valid ${name}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** A fresh ArrayBuffer of exactly these bytes, safe to transfer. */
function own(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer ? (b as Uint8Array<ArrayBuffer>) : b.slice();
}

function failure(e: unknown): { code: EngineError['code'] | 'internal'; details: string } {
  if (e instanceof EngineError) return { code: e.code, details: e.message };
  return { code: 'internal', details: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}

function handle(m: ToWorker): [FromWorker, TransferListItem[]] | null {
  if (m.op === 'close') {
    shards.delete(m.stream);
    return null;
  }
  // Simulate (simulate-worker.ts); the main thread checked num_envs against the engine's limit.
  if (m.op === 'simOpen' || m.op === 'simStep' || m.op === 'simClose') return handleSim(m, game, Number.MAX_SAFE_INTEGER);
  if (m.op === 'unary') {
    let envId = '';
    try {
      if (m.method === 'Reset') {
        const r = decode('engine.v1.ResetRequest', (b) => ResetRequest.decode(b), m.req);
        envId = r.id?.envId ?? '';
        const out = game(envId).reset(r.seed, r.hint);
        const res = own(ResetResponse.encode({ state: out.state, obs: out.obs }).finish());
        return [{ id: m.id, ok: true, res, envId: label(envId), steps: 0 }, [res.buffer]];
      }
      const r = decode('engine.v1.StepRequest', (b) => StepRequest.decode(b), m.req);
      envId = r.id?.envId ?? '';
      const res = own(StepResponse.encode(game(envId).step(r.state, r.action)).finish());
      return [{ id: m.id, ok: true, res, envId: label(envId), steps: 1 }, [res.buffer]];
    } catch (e) {
      return [{ id: m.id, ok: false, ...failure(e), envId: label(envId) }, []];
    }
  }
  if (m.op === 'open') {
    try {
      const req = BatchSimulateRequest.decode(m.req);
      shards.set(m.stream, new Shard(req, game(req.id?.envId ?? ''), m.lo, m.hi));
      return [{ id: m.id, ok: true }, []];
    } catch (e) {
      return [{ id: m.id, ok: false, ...failure(e) }, []];
    }
  }
  const shard = shards.get(m.stream);
  if (!shard) return [{ id: m.id, ok: false, code: 'failed_precondition', details: 'this stream has no shard here (closed)' }, []];
  try {
    const s = shard.run(m.rounds);
    if (s.finished || s.error) shards.delete(m.stream);
    return [{ id: m.id, ok: true, slice: s }, [s.bytes.buffer, s.recordEnds.buffer, s.recordSteps.buffer, s.roundRecords.buffer, s.roundSteps.buffer]];
  } catch (e) {
    shards.delete(m.stream);
    return [{ id: m.id, ok: false, ...failure(e) }, []];
  }
}

parentPort!.on('message', (m: ToWorker) => {
  const t0 = performance.now();
  const out = handle(m);
  if (!out) return;
  out[0].busyMs = performance.now() - t0;
  parentPort!.postMessage(out[0], out[1]);
});
parentPort!.postMessage({ id: 0, ok: true, ready: true } satisfies FromWorker);
