// Faults drawn at random for the local W&B and Discord servers in the fault-injection run: a share
// of requests answered 5xx, a share whose connection is dropped after the request arrived. The
// random source is seeded, so a failing run replays exactly. Test support only. (A 32-bit
// generator is all this needs; a dependency for five lines of arithmetic would weigh more.)

export type InjectedFault = { status: number } | { drop: true };

/** mulberry32: a small, well-known seeded generator with full 32-bit period. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Per request: a 5xx with probability `serverErrors`, a dropped connection with `drops`, else nothing. */
export function randomFaults(opts: { seed: number; serverErrors: number; drops: number }): () => InjectedFault | undefined {
  const random = seededRandom(opts.seed);
  const statuses = [500, 502, 503, 504];
  return () => {
    const r = random();
    if (r < opts.drops) return { drop: true };
    if (r < opts.drops + opts.serverErrors) return { status: statuses[Math.floor(random() * statuses.length)] };
    return undefined;
  };
}
