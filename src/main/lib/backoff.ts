// The wait before a retry: `baseMs` doubling per attempt up to `maxMs`, times a random factor.
// Hand-written rather than p-retry or exponential-backoff: those own the retry loop, while our
// pumps keep the attempt count and the next retry time in their state (the UI shows both) and
// only need the number.
export interface Backoff {
  baseMs: number;
  maxMs: number;
  /** The random factor's range, e.g. [0.5, 1.5] for ±50%. */
  jitter: readonly [number, number];
  /** Whether the jittered wait is capped at maxMs too (else only the doubled base is). */
  capJitter: boolean;
}

/** Wait before retry number `attempt` (1-based). */
export function backoffDelay(attempt: number, b: Backoff, random: () => number = Math.random): number {
  const doubled = b.baseMs * 2 ** Math.min(attempt - 1, 32);
  const factor = b.jitter[0] + (b.jitter[1] - b.jitter[0]) * random();
  return b.capJitter ? Math.min(b.maxMs, doubled * factor) : Math.min(b.maxMs, doubled) * factor;
}
