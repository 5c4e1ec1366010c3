// Production and consumption series per game session, keyed by game time (tick / 60, seconds).
// A session's samples live in a Branch (branch.ts); loading an earlier save (a `session_init` with
// `resumed` and a cycle below the last one seen, or a stats line whose tick or cycle goes back)
// keeps the branch so far as an earlier one and starts a new branch at that game time, with a
// "loaded an earlier save" marker: the lines of both stay, and are never joined across the rewind.
// At most MAX_SESSIONS sessions and MAX_EARLIER_BRANCHES earlier branches each are kept.
// Plain mutable structures, outside React state: the store only carries version numbers.
import type { PipeEvent, SessionInit, Stats } from '../../../shared/events';
import { Branch, type Mode, type Point } from './branch';

export { ARCHIVE_BUCKET_SECONDS, FULL_RES_SECONDS, MAX_ARCHIVE_BUCKETS, type Mode, type Point } from './branch';
export { downsample, type Row } from './downsample';

export const MAX_SESSIONS = 10;
export const MAX_EARLIER_BRANCHES = 4;
export const REWIND_LABEL = 'loaded an earlier save';

export interface Marker {
  t: number;
  label: string;
}

/** A line of play left behind when an earlier save was loaded. */
export interface EarlierBranch {
  /** 1 for the first rewind of the session, 2 for the next, … */
  n: number;
  /** Game time the game went back to. */
  rewoundTo: number;
  branch: Branch;
}

export class SessionSeries {
  level: string | null = null;
  firstTick: number | null = null;
  lastTick = 0;
  lastCycle = -1;
  /** Epoch ms of the newest stats line, and the recent gaps between stats lines. */
  lastUpdateAt: number | null = null;
  private gaps: number[] = [];
  readonly markers: Marker[] = [];
  /** Samples ignored because they repeat the last cycle (the same line read twice). */
  skipped = 0;
  /** Earlier saves loaded, and earlier branches dropped to stay within MAX_EARLIER_BRANCHES. */
  rewinds = 0;
  droppedBranches = 0;
  version = 0;
  private current = new Branch();
  readonly earlier: EarlierBranch[] = [];

  constructor(readonly id: string) {}

  /** The current line of play (samples since the last load of an earlier save). */
  get branch(): Branch {
    return this.current;
  }

  get samples(): number {
    return this.current.samples;
  }

  get archivedBuckets(): number {
    return this.current.archivedBuckets;
  }

  /** Items of the current branch, then those only earlier branches had. */
  items(): string[] {
    const all = new Set(this.current.items());
    for (const e of this.earlier) for (const i of e.branch.items()) all.add(i);
    return [...all];
  }

  /** Typical time between stats lines (median of recent gaps), for the stale marker. */
  typicalGapMs(): number | null {
    if (this.gaps.length === 0) return null;
    const s = [...this.gaps].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  }

  private hasSamples(): boolean {
    return this.current.samples > 0 || this.current.archivedBuckets > 0;
  }

  addInit(e: SessionInit): void {
    this.level = e.level_name;
    const t = e.tick / 60;
    this.firstTick ??= e.tick;
    // The save holds fewer cycles than were seen: the game went back to an earlier save.
    if (
      e.resumed &&
      e.cycle !== undefined &&
      this.hasSamples() &&
      (e.cycle < this.lastCycle || e.tick < this.lastTick)
    ) {
      this.rewind(t);
      this.lastCycle = e.cycle;
      this.lastTick = e.tick;
    } else this.markers.push({ t, label: this.markers.length === 0 ? 'session start' : 'game loaded' });
    this.version++;
  }

  addStats(e: Stats, receivedAt: number): void {
    if (this.hasSamples()) {
      if (e.tick < this.lastTick || e.cycle < this.lastCycle) this.rewind(e.tick / 60);
      else if (e.cycle === this.lastCycle) {
        this.skipped++;
        return;
      }
    }
    this.firstTick ??= e.tick;
    this.lastTick = e.tick;
    this.lastCycle = e.cycle;
    if (this.lastUpdateAt !== null) {
      this.gaps.push(receivedAt - this.lastUpdateAt);
      if (this.gaps.length > 10) this.gaps.shift();
    }
    this.lastUpdateAt = receivedAt;
    this.current.add(e);
    this.version++;
  }

  /** Keeps the branch so far as an earlier one and starts a new one at game time `t`. */
  private rewind(t: number): void {
    this.rewinds++;
    this.earlier.push({ n: this.rewinds, rewoundTo: t, branch: this.current });
    if (this.earlier.length > MAX_EARLIER_BRANCHES) {
      this.earlier.shift();
      this.droppedBranches++;
    }
    this.current = new Branch();
    this.markers.push({ t, label: REWIND_LABEL });
  }

  /** The newest value of an item in a mode (current branch), or null if the item is unknown. */
  latest(item: string, mode: Mode): number | null {
    return this.current.latest(item, mode);
  }

  /** Items by their newest value in a mode, largest first (by magnitude for net). */
  topItems(mode: Mode, n: number): string[] {
    return this.items()
      .map((name) => [name, Math.abs(this.latest(name, mode) ?? 0)] as const)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, n)
      .map(([name]) => name);
  }

  /** From the session's start (its session_init, or first sample) to the newest sample held in any branch. */
  span(): [number, number] | null {
    const spans = [this.current.span(), ...this.earlier.map((e) => e.branch.span())].filter((s) => s !== null);
    if (!spans.length) return null;
    const first = Math.min(...spans.map((s) => s[0]), (this.firstTick ?? Infinity) / 60);
    // The newest sample of any branch: a line played before a load stays in view until the new
    // one passes it.
    return [first, Math.max(...spans.map((s) => s[1]))];
  }

  /** An item's points in a mode from time `from` on, in the current branch. */
  points(item: string, mode: Mode, from: number): Point[] {
    return this.current.points(item, mode, from);
  }
}

/** All sessions in memory, newest last. */
export class SeriesStore {
  readonly sessions = new Map<string, SessionSeries>();
  /** Sessions dropped to stay within MAX_SESSIONS. */
  dropped = 0;

  /** Adds a batch of events; returns the ids of sessions that changed. */
  ingest(batch: readonly PipeEvent[]): Set<string> {
    const changed = new Set<string>();
    for (const e of batch) {
      const ev = e.event;
      if (ev.type !== 'stats' && ev.type !== 'session_init') continue;
      const s = this.session((ev as Stats | SessionInit).session_id);
      if (ev.type === 'stats') s.addStats(ev as Stats, e.receivedAt);
      else s.addInit(ev as SessionInit);
      changed.add(s.id);
    }
    return changed;
  }

  private session(id: string): SessionSeries {
    let s = this.sessions.get(id);
    if (!s) {
      s = new SessionSeries(id);
      this.sessions.set(id, s);
      while (this.sessions.size > MAX_SESSIONS) {
        this.sessions.delete(this.sessions.keys().next().value!);
        this.dropped++;
      }
    }
    return s;
  }

  latestSessionId(): string | null {
    let last: string | null = null;
    for (const id of this.sessions.keys()) last = id;
    return last;
  }
}
