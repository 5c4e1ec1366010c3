// Axis helpers. Y axis ticks in 1-2-5 steps with the top near the data: at most `count` intervals, the top
// tick the first step multiple at or above the highest value.

/** The smallest of 1, 2, 5 x 10^k that is at least x. */
export function niceStep(x: number): number {
  if (!(x > 0)) return 1;
  const k = 10 ** Math.floor(Math.log10(x));
  const m = [1, 2, 5, 10].find((f) => f * k >= x * (1 - 1e-12)) ?? 10;
  return m * k;
}

/** The 1-2-5 step after `step`. */
function nextStep(step: number): number {
  const k = 10 ** Math.floor(Math.log10(step) + 1e-9);
  const m = Math.round(step / k);
  return (m === 1 ? 2 : m === 2 ? 5 : 10) * k;
}

/**
 * Ticks covering [lo, hi] (lo ≤ 0 ≤ hi for rates), 0 included: of the 1-2-5 steps giving about
 * `count` to `count + 3` intervals, the one whose top tick overshoots the data least.
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (hi <= lo) hi = lo + 1;
  let best: { step: number; over: number } | null = null;
  for (
    let step = niceStep((hi - lo) / (count + 3));
    step <= niceStep((hi - lo) / count) * (1 + 1e-9);
    step = nextStep(step)
  ) {
    const over = Math.ceil(hi / step - 1e-9) * step - hi + (lo - Math.floor(lo / step + 1e-9) * step);
    if (!best || over <= best.over + 1e-9 * step) best = { step, over };
  }
  const step = best!.step;
  const first = Math.floor(lo / step + 1e-9) * step;
  const last = Math.ceil(hi / step - 1e-9) * step;
  const out: number[] = [];
  for (let v = first, i = 0; v <= last + step / 2 && i < 100; v += step, i++) out.push(Number(v.toPrecision(12)));
  return out;
}

// X axis: the domain moves by whole pixels of game time.
/**
 * The window [from, to] widened to whole steps of at least one pixel's game time (a power of two
 * of seconds, so the step itself stays put while the window grows): the axes change only when
 * the data has moved by a pixel or more.
 */
export function snapToPixels(from: number, to: number, pixels: number): [number, number] {
  const step = pixelStep(to - from, pixels);
  return [Math.floor(from / step) * step, Math.ceil(to / step) * step];
}

/** The power of two of game seconds at or above what one of `pixels` pixels stands for over `span`. */
export function pixelStep(span: number, pixels: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(span, 1e-9) / Math.max(1, pixels)));
}
