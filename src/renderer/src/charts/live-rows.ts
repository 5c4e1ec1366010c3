// Keeps a RowWindow (row-window.ts) following the current line of play for a window drawn from
// memory: each call appends the samples added since the last one and drops what scrolled out;
// anything else that changes what is drawn (lines, mode, width, window, a load of an earlier save)
// builds it anew.
import type { Branch, Mode } from './branch';
import { RowWindow } from './row-window';

export interface LiveRows {
  /** What the rows were built for; another value means a rebuild. */
  identity: string;
  win: RowWindow;
}

/** Index of the first time after `t` in ascending `times`. */
function firstAfter(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The rows of `lines` (key, item, mode) over [from, newest] of `branch`, at about one bucket per
 * two pixels of `plotWidth`, updated in place from `prev` when it was built for the same `identity`.
 */
export function liveRows(
  prev: LiveRows | null,
  identity: string,
  branch: Branch,
  lines: readonly { key: string; item: string; mode: Mode }[],
  windowSeconds: number,
  from: number,
  plotWidth: number,
): LiveRows {
  const buckets = Math.max(1, Math.floor(plotWidth / 2));
  const times = branch.sampleTimes();
  const values = new Float64Array(lines.length);
  const feed = (win: RowWindow, start: number) => {
    for (let i = start; i < times.length; i++) {
      for (let k = 0; k < lines.length; k++) values[k] = branch.sampleValue(lines[k].item, lines[k].mode, i);
      win.append(times[i], values);
    }
  };
  const win = prev?.identity === identity ? prev.win : null;
  // Path x coordinates are kept small (SVG numbers are single precision): a new origin now and then.
  if (
    win &&
    (win.width > 0 || win.samples <= buckets * 2) &&
    win.last - win.origin < 50 * windowSeconds &&
    (times.length === 0 || times[0] <= win.last)
  ) {
    feed(win, firstAfter(times, win.last));
    win.dropBefore(from);
    // Every sample as it is while they fit; past that, buckets (a rebuild, once).
    if (win.width > 0 || win.samples <= buckets * 2) return prev!;
  }
  const inWindow = times.length - firstAfter(times, from - 1e-9);
  const width = inWindow <= buckets * 2 ? 0 : windowSeconds / buckets;
  const fresh = new RowWindow(
    lines.map((l) => l.key),
    width,
    from,
  );
  feed(fresh, firstAfter(times, fresh.startOf(from) - 1e-9));
  return { identity, win: fresh };
}

/**
 * Holds the LiveRows of one chart between renders (a cache of derived data, like a memo: reading it
 * never changes what a render shows for the same inputs).
 */
export class LiveRowsCache {
  private state: LiveRows | null = null;

  update(...args: Parameters<typeof liveRows> extends [unknown, ...infer R] ? R : never): RowWindow {
    this.state = liveRows(this.state, ...args);
    return this.state.win;
  }

  clear(): void {
    this.state = null;
  }
}
