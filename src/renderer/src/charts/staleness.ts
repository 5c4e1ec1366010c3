// Whether a session's numbers are current: stale after three typical gaps between stats lines
// with none arriving. Shared by the session header and the status bar so both say the same.
import type { SessionSeries } from './series';

export function staleness(
  session: SessionSeries,
  now: number,
): { stale: boolean; age: number | null; limitMs: number } {
  const gap = Math.max(session.typicalGapMs() ?? 2000, 250);
  const age = session.lastUpdateAt === null ? null : now - session.lastUpdateAt;
  return { stale: age !== null && age > 3 * gap, age, limitMs: 3 * gap };
}
