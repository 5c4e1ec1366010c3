// Faults drawn at random for the local W&B and Discord servers in the fault-injection run: a share
// of requests answered 5xx, a share whose connection is dropped after the request arrived. The
// random source is seeded (the demo factory's generator), so a failing run replays exactly. Test
// support only.
import { prng } from './demo/factory';

export type InjectedFault = { status: number } | { drop: true };

/** Per request: a 5xx with probability `serverErrors`, a dropped connection with `drops`, else nothing. */
export function randomFaults(opts: {
  seed: number;
  serverErrors: number;
  drops: number;
}): () => InjectedFault | undefined {
  const random = prng(opts.seed);
  const statuses = [500, 502, 503, 504];
  return () => {
    const r = random();
    if (r < opts.drops) return { drop: true };
    if (r < opts.drops + opts.serverErrors) return { status: statuses[Math.floor(random() * statuses.length)] };
    return undefined;
  };
}
