// The Events view's counters and its table come from two pushes (counters at most four times a
// second, events within ~50 ms), so the counters could lag the table by a line or run ahead of it.
// Within one pipe run `seq - accepted` is constant (every accepted event takes the next app-wide
// seq), so once a counters snapshot is seen to match the table's newest row we know that offset and
// derive the figures from the table itself: both then change in the same store update.
import type { PipeCounters, PipeEvent } from '../../../shared/events';

/** `seq - accepted` of the current pipe run, or null while unknown. */
export type SeqOffset = number | null;

/** The offset a counters snapshot shows, when it counts exactly up to the table's newest row. */
export function learnOffset(
  c: PipeCounters | null,
  newest: PipeEvent | undefined,
  prev: SeqOffset,
  prevCounters: PipeCounters | null,
): SeqOffset {
  // A new pipe run counts from zero again: the old offset no longer holds.
  const restarted = !!prevCounters && !!c && c.accepted < prevCounters.accepted;
  if (c && newest && c.lastEventAt !== null && c.lastEventAt === newest.receivedAt && c.accepted > 0)
    return newest.seq - c.accepted;
  return restarted ? null : prev;
}

export interface PipeFigures {
  accepted: number;
  linesRead: number;
  cached: number;
  lastEventAt: number | null;
}

/** The counters as of the table's newest row (never behind it). */
export function pipeFigures(c: PipeCounters, newest: PipeEvent | undefined, offset: SeqOffset): PipeFigures {
  const ahead = offset !== null && newest ? Math.max(0, newest.seq - offset - c.accepted) : 0;
  const lastEventAt =
    newest && (c.lastEventAt === null || newest.receivedAt > c.lastEventAt) && ahead > 0
      ? newest.receivedAt
      : c.lastEventAt;
  return {
    accepted: c.accepted + ahead,
    linesRead: c.linesRead + ahead,
    cached: Math.min(c.capacity, c.cached + ahead),
    lastEventAt,
  };
}
