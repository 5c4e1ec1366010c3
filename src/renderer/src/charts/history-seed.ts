// After a restart, sessions known only to main's history are seeded into the in-memory series from
// their newest samples, oldest first, so the Production view and its picker work as before. The
// contract calls are the production slice's (store/production.ts); this is the series side.
import type { PipeEvent } from '../../../shared/events';
import type { HistoryAnswer } from '../../../shared/history';
import { SeriesStore, type SessionSeries } from './series';

/** Game seconds of samples seeded per session: the span memory keeps at full resolution. */
export const SEED_SECONDS = 2 * 3600;

/** Builds the stats events of a history answer (one per point), for SeriesStore.ingest. */
export function answerToEvents(a: HistoryAnswer, level: string | null): PipeEvent[] {
  const out: PipeEvent[] = [];
  const init = {
    type: 'session_init',
    session_id: a.session,
    tick: Math.round((a.t[0] ?? 0) * 60),
    level_name: level ?? '',
  };
  if (level !== null) out.push({ seq: 0, receivedAt: 0, line: '', event: init });
  a.t.forEach((t, i) => {
    const p: Record<string, number> = {};
    const c: Record<string, number> = {};
    for (const s of a.series) {
      if (s.p[i]) p[s.item] = s.p[i];
      if (s.c[i]) c[s.item] = s.c[i];
    }
    out.push({
      seq: 0,
      receivedAt: 0,
      line: '',
      event: {
        type: 'stats',
        session_id: a.session,
        cycle: i + 1,
        tick: Math.round(t * 60),
        products_production: p,
        materials_consumption: c,
      },
    });
  });
  return out;
}

/** One session's series built from a history answer; null when the answer holds none of it. */
export function seededSession(a: HistoryAnswer, level: string | null): SessionSeries | null {
  const scratch = new SeriesStore();
  scratch.ingest(answerToEvents(a, level));
  const got = scratch.sessions.get(a.session);
  if (!got) return null;
  // The game's own cycles continue from wherever it is: let them in after the seeded points.
  got.lastCycle = -1;
  return got;
}

/**
 * Puts seeded sessions into `into` ahead of the live ones (they are older than anything live, so
 * "follow the newest" still does) and returns the new versions of every seeded session.
 */
export function placeSeeded(
  into: SeriesStore,
  seeded: Map<string, SessionSeries>,
  versions: Record<string, number>,
): Record<string, number> {
  const live = [...into.sessions].filter(([id]) => !seeded.has(id));
  into.sessions.clear();
  for (const [id, s] of [...seeded, ...live]) into.sessions.set(id, s);
  const next = { ...versions };
  for (const [id, s] of seeded) next[id] = s.version;
  return next;
}
