// Messages between the engine's main thread and its game workers (worker.ts).
import type { EngineErrorCode } from './game';
import type { Slice } from './shard';
import type { SimToWorker } from './simulate-protocol';

export type ToWorker =
  | { op: 'unary'; id: number; method: 'Reset' | 'Step'; req: Uint8Array }
  | { op: 'open'; id: number; stream: number; req: Uint8Array; lo: number; hi: number }
  | { op: 'run'; id: number; stream: number; rounds: number }
  | { op: 'close'; stream: number }
  | SimToWorker;

export type FailCode = EngineErrorCode | 'internal';

/** Every reply carries the request's id and how long the worker was busy with it. */
export type FromWorker = { id: number; busyMs?: number } & (
  | { ok: true; ready: true }
  | { ok: true; res: Uint8Array; envId: string; steps: number }
  | { ok: true; slice: Slice }
  | { ok: true }
  | { ok: false; code: FailCode; details: string; envId?: string }
);
