// Messages between the engine's main thread and its batch workers (worker.ts); lanes use lane-ring.ts.
import type { EngineErrorCode } from './game';
import type { Slice } from './shard';

export type ToWorker =
  | { op: 'open'; id: number; stream: number; req: Uint8Array; lo: number; hi: number }
  | { op: 'run'; id: number; stream: number; rounds: number }
  | { op: 'close'; stream: number };

export type FailCode = EngineErrorCode | 'internal';

/** Every reply carries the request's id and how long the worker was busy with it. */
export type FromWorker = { id: number; busyMs?: number } & (
  | { ok: true; ready: true }
  | { ok: true; slice: Slice }
  | { ok: true }
  | { ok: false; code: FailCode; details: string; envId?: string }
);
