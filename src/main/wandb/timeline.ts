// Where the game's stream is in the journals, and what a line means: the next line of the run, a
// line delivered again (the pipe reads at least once: after a crash it re-reads up to a second of
// lines), or the game gone back in time (an earlier save loaded), which starts a branched run.
//
// How a repeat is told from a rewind: a stats line is a repeat only if a run at the stream's
// position (or a run branched from one there) already holds a line at that cycle with the same
// content (step, tick and every rate); a session_init after a load is a repeat only if a run was
// already branched there for it (same cycle and tick, from a run at the position). Anything else
// at or below a cycle already logged is a rewind. After a restart the position is not known (the
// replay can start anywhere in the last second read), so the first lines are matched against every
// run of their session, newest first; once the stream reaches the end of the open run, everything
// after it is new. A rewind is never taken for a repeat because of equal content alone: a reload
// that plays out exactly as before still goes to a new run, since its session_init opens it.
import type { SessionInit, Stats } from '../../shared/events';
import { plainRecord, type BranchPoint } from './journal';
import type { Live } from './uploader';

interface Position {
  run: Live;
  /** The last cycle of the stream in that run (null: none yet). */
  step: number | null;
}

export type Decision =
  /** Already logged: not sent again. */
  | { kind: 'repeat' }
  /** Nothing changes (a session_init for the run that is open). */
  | { kind: 'keep' }
  /** The next line of this (open, current) run. */
  | { kind: 'log'; run: Live }
  /** Finish the current run and start one for the session; `branch` when the game went back. */
  | { kind: 'start'; branch: BranchPoint | null };

export class Timeline {
  /** Candidates for where the stream is, best first; null when not known (at start, after a crash). */
  private at: Position[] | null = null;

  constructor(private readonly runs: () => Iterable<Live>) {}

  /** The stream is now at `step` of `run` (after a line was logged there, or a run was started). */
  place(run: Live, step: number | null): void {
    this.at = [{ run, step }];
  }

  /** Runs of a session, newest first. */
  private runsOf(sessionId: string): Live[] {
    return [...this.runs()].filter((l) => l.journal.meta.sessionId === sessionId).reverse();
  }

  private childrenOf(runs: Live[]): Live[] {
    const ids = new Set(runs.map((l) => l.journal.meta.runId));
    return [...this.runs()].filter((l) => l.journal.meta.branch && ids.has(l.journal.meta.branch.fromRunId)).reverse();
  }

  /** The known candidates for this session, or null (not known, or the stream is in another session). */
  private candidates(sessionId: string): Position[] | null {
    return this.at && this.at.length > 0 && this.at[0].run.journal.meta.sessionId === sessionId ? this.at : null;
  }

  /** Where the game was, for a rewind's "from": the best candidate, or the session's newest run. */
  private where(sessionId: string): Position | null {
    const known = this.candidates(sessionId);
    if (known) return known[0];
    const newest = this.runsOf(sessionId)[0];
    return newest ? { run: newest, step: stepOf(newest) } : null;
  }

  /** Keeps matching candidates; once the open run's end is reached, the stream is past any replay. */
  private matched(found: Position[], current: Live | null): void {
    const end = found.find((p) => p.run === current && p.step === current.journal.lastStep);
    this.at = end ? [end] : found;
  }

  /** `keyOf` gives the line's key (see lineKey); only asked for when the line could be a repeat. */
  onStats(stats: Stats, keyOf: () => string, current: Live | null): Decision {
    const c = stats.cycle;
    const known = this.candidates(stats.session_id);
    // The common case, the stream going on in the open run, needs no look at the journal.
    const next =
      known?.length === 1 &&
      known[0].run === current &&
      known[0].step === current.journal.lastStep &&
      (current.journal.lastStep === null || c > current.journal.lastStep);
    if (next && current.journal.meta.finishedAt === null) return { kind: 'log', run: current };
    const key = keyOf();
    const pool = known
      ? unique([...known.map((p) => p.run), ...this.childrenOf(known.map((p) => p.run))])
      : this.runsOf(stats.session_id);
    const same = pool.filter((l) => l.journal.lineAt(c)?.key === key);
    if (same.length > 0) {
      this.matched(
        same.map((run) => ({ run, step: c })),
        current,
      );
      return { kind: 'repeat' };
    }
    const where = this.where(stats.session_id);
    if (!where) return { kind: 'start', branch: null };
    const last = where.run.journal.lastStep;
    if (last !== null && c <= last) {
      const from = where.step ?? last;
      return { kind: 'start', branch: branchPoint(where, from, c - 1, null, 'stats', stats.session_id) };
    }
    const open = where.run === current && where.run.journal.meta.finishedAt === null;
    return open ? { kind: 'log', run: where.run } : { kind: 'start', branch: null };
  }

  onInit(init: SessionInit, current: Live | null): Decision {
    const s = init.session_id;
    const continues =
      current !== null &&
      current.journal.meta.sessionId === s &&
      (current.journal.meta.finishedAt === null || current.journal.meta.stoppedInWandb === true);
    // Written by a game that does not say which cycle its save holds: a load cannot be told from a start.
    if (init.cycle === undefined) return continues ? { kind: 'keep' } : { kind: 'start', branch: null };
    const k = init.cycle;
    const known = this.candidates(s);
    const opened = (known ? this.childrenOf(known.map((p) => p.run)) : this.runsOf(s)).filter((l) => {
      const b = l.journal.meta.branch;
      return b?.seenBy === 'session_init' && b.toCycle === k && b.toTick === init.tick;
    });
    if (opened.length > 0) {
      this.matched(
        opened.map((run) => ({ run, step: k })),
        current,
      );
      return { kind: 'repeat' };
    }
    const where = this.where(s);
    if (where && where.step !== null && k < where.step)
      return {
        kind: 'start',
        branch: branchPoint(where, where.step, k, init.tick, 'session_init', init.parent_session_id ?? s),
      };
    return continues ? { kind: 'keep' } : { kind: 'start', branch: null };
  }
}

/** The last cycle a run holds; for a branched run with no line yet, the cycle its save held. */
function stepOf(l: Live): number | null {
  return l.journal.lastStep ?? l.journal.meta.branch?.toCycle ?? null;
}

function branchPoint(
  where: Position,
  fromCycle: number,
  toCycle: number,
  toTick: number | null,
  seenBy: BranchPoint['seenBy'],
  parentSessionId: string,
): BranchPoint {
  const m = where.run.journal.meta;
  return {
    fromRunId: m.runId,
    fromDisplayName: m.displayName,
    fromCycle,
    fromTick: where.run.journal.lineAt(fromCycle)?.tick ?? null,
    toCycle,
    toTick,
    seenBy,
    parentSessionId,
  };
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** A stats line's history content (no clock fields). Prototype-less, so an item called `__proto__` is a key like any other. */
export function statsMetrics(stats: Stats): Record<string, unknown> {
  const metrics = plainRecord({ _step: stats.cycle, tick: stats.tick });
  for (const [item, v] of Object.entries(stats.products_production)) metrics[`production/${item}`] = v;
  for (const [item, v] of Object.entries(stats.materials_consumption)) metrics[`consumption/${item}`] = v;
  return metrics;
}
