// Simulate's messages to a game worker (added to pool-protocol's ToWorker). Replies use the
// pool's existing `{ ok, res, envId, steps }` shape: `res` is an encoded SimulateResponse.
export type SimToWorker =
  | { op: 'simOpen'; id: number; stream: number; req: Uint8Array }
  | { op: 'simStep'; id: number; stream: number; req: Uint8Array }
  | { op: 'simClose'; id: number; stream: number };
