// Simulate's messages to a game worker (added to pool-protocol's ToWorker). Replies use the
// pool's existing `{ ok, res, envId, steps }` shape: `res` is an encoded SimulateResponse (a
// shard's part of one, without env_indices, when the stream is sharded: simulate-merge.ts).
import type { SimShard } from './simulate-worker';

export type SimToWorker =
  | { op: 'simOpen'; id: number; stream: number; req: Uint8Array; shard?: SimShard }
  | { op: 'simStep'; id: number; stream: number; req: Uint8Array }
  | { op: 'simClose'; id: number; stream: number };
