// Messages between the engine's main thread and its batch workers (worker.ts); lanes use lane-ring.ts.
import type { EngineErrorCode } from './game';
import type { ChunkRules } from './merge';
import type { Slice } from './shard';
import type { SimToWorker } from './simulate-protocol';

export type ToWorker =
  /** `cut`: the stream has this one shard, so the worker cuts its chunks itself (no merge needed). */
  | { op: 'open'; id: number; stream: number; req: Uint8Array; lo: number; hi: number; cut?: ChunkRules }
  | { op: 'run'; id: number; stream: number; rounds: number }
  | { op: 'close'; stream: number }
  | SimToWorker;

export type FailCode = EngineErrorCode | 'internal';

/** A slice of a stream's only shard, cut into finished SimResultChunks back to back. */
export interface Cut {
  bytes: Uint8Array<ArrayBuffer>;
  /** Per chunk: the byte offset where it ends. */
  ends: Uint32Array<ArrayBuffer>;
  /** Steps these chunks report beyond the ones before. */
  steps: number;
  /** The closing chunk (`last`) is among them. */
  finished: boolean;
  error: Slice['error'];
}

/** Every reply carries the request's id and how long the worker was busy with it. */
export type FromWorker = { id: number; busyMs?: number } & (
  | { ok: true; ready: true; tid: number | null }
  | { ok: true; slice: Slice }
  | { ok: true; cut: Cut }
  /** A Simulate answer (simulate-worker.ts), encoded. */
  | { ok: true; res: Uint8Array; envId: string; steps: number }
  | { ok: true }
  | { ok: false; code: FailCode; details: string; envId?: string }
);
