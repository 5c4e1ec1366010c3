// The charts' side of the production history kept by main (history.* in the contract):
// - after a restart, sessions known only to the history are seeded into the in-memory series
//   from their newest samples, oldest first, so the view and its picker work as before;
// - windows reaching past what memory holds are drawn from a history query instead.
import { useEffect, useRef, useState } from 'react';
import type { HistoryAnswer, HistorySession } from '../../../shared/history';
import type { PipeEvent } from '../../../shared/events';
import { api } from '../api/client';
import { series, useStore } from '../store';
import { SeriesStore, type Mode, type Point, type SessionSeries } from './series';

/** Game seconds of samples seeded per session: the span memory keeps at full resolution. */
const SEED_SECONDS = 2 * 3600;

/** Sessions the history holds, by id (filled by seedFromHistory). */
export const historySessions = new Map<string, HistorySession>();

/** Builds the stats events of a history answer (one per point), for SeriesStore.ingest. */
export function answerToEvents(a: HistoryAnswer, level: string | null): PipeEvent[] {
  const out: PipeEvent[] = [];
  const init = { type: 'session_init', session_id: a.session, tick: Math.round((a.t[0] ?? 0) * 60), level_name: level ?? '' };
  if (level !== null) out.push({ seq: 0, receivedAt: 0, line: '', event: init });
  a.t.forEach((t, i) => {
    const p: Record<string, number> = {};
    const c: Record<string, number> = {};
    for (const s of a.series) {
      if (s.p[i]) p[s.item] = s.p[i];
      if (s.c[i]) c[s.item] = s.c[i];
    }
    out.push({ seq: 0, receivedAt: 0, line: '', event: { type: 'stats', session_id: a.session, cycle: i + 1, tick: Math.round(t * 60), products_production: p, materials_consumption: c } });
  });
  return out;
}

/** Loads the history's sessions; those not in memory are seeded, before the live ones. */
export async function seedFromHistory(): Promise<void> {
  const client = api();
  const list = await client.call('history.sessions');
  for (const s of list) historySessions.set(s.id, s);
  const missing = list.filter((s) => !series.sessions.has(s.id) && s.last !== null);
  if (!missing.length) return;
  const seeded = new Map<string, SessionSeries>();
  for (const s of missing) {
    const a = await client.call('history.query', { session: s.id, from: Math.max(0, s.last! - SEED_SECONDS), maxPoints: 4000 });
    const scratch = new SeriesStore();
    scratch.ingest(answerToEvents(a, s.level));
    const got = scratch.sessions.get(s.id);
    if (!got) continue;
    // The game's own cycles continue from wherever it is: let them in after the seeded points.
    got.lastCycle = -1;
    seeded.set(s.id, got);
  }
  // Seeded sessions are older than anything live: they go first, so "follow the newest" still does.
  const live = [...series.sessions].filter(([id]) => !seeded.has(id));
  series.sessions.clear();
  for (const [id, s] of [...seeded, ...live]) series.sessions.set(id, s);
  const versions: Record<string, number> = { ...useStore.getState().sessionVersions };
  for (const [id, s] of seeded) versions[id] = s.version;
  useStore.setState({ sessionIds: [...series.sessions.keys()], sessionVersions: versions });
}

const modeValue = (mode: Mode, p: number, c: number) => (mode === 'production' ? p : mode === 'consumption' ? c : p - c);

/** An item's points in a history answer, in a mode, with each point's range. */
export function historyPoints(a: HistoryAnswer, item: string, mode: Mode): Point[] {
  const s = a.series.find((x) => x.item === item);
  if (!s) return a.t.map((t) => ({ t, v: 0, lo: 0, hi: 0 }));
  return a.t.map((t, i) => {
    const v = modeValue(mode, s.p[i], s.c[i]);
    const lo = mode === 'production' ? s.pMin[i] : mode === 'consumption' ? s.cMin[i] : s.pMin[i] - s.cMax[i];
    const hi = mode === 'production' ? s.pMax[i] : mode === 'consumption' ? s.cMax[i] : s.pMax[i] - s.cMin[i];
    return { t, v, lo: Math.min(lo, v), hi: Math.max(hi, v) };
  });
}

/** Re-asked at most this often while the session grows. */
const REFRESH_MS = 2000;

/**
 * The history of one session over [from, to] for `items`, or null while not needed or not yet
 * answered. Asked again when the inputs change and when `growth` changes, at most every REFRESH_MS.
 */
export function useHistoryWindow(sessionId: string, needed: boolean, from: number, to: number | undefined, items: string[], maxPoints: number, growth: number): HistoryAnswer | null {
  // The answer with the inputs it was asked for: an answer to older inputs is kept on screen
  // until the new one arrives only if the session is the same.
  const [answer, setAnswer] = useState<{ session: string; a: HistoryAnswer } | null>(null);
  const [tick, setTick] = useState(0);
  // The items as a set: a change of their ranks alone asks nothing new.
  const key = JSON.stringify([sessionId, needed, Math.floor(from), to === undefined ? null : Math.floor(to), [...items].sort(), maxPoints]);
  useEffect(() => {
    if (!needed) return;
    let live = true;
    const [session, , f, t, its, mp] = JSON.parse(key) as [string, boolean, number, number | null, string[], number];
    api()
      .call('history.query', { session, from: f, ...(t === null ? {} : { to: t }), items: its, maxPoints: Math.max(10, Math.min(20_000, mp)) })
      .then((a) => live && setAnswer({ session, a }))
      .catch(() => live && setAnswer(null));
    return () => {
      live = false;
    };
  }, [key, needed, tick]);
  // The session grew enough: ask again, at most every REFRESH_MS (a pending refresh is not pushed back).
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (!needed || timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      setTick((n) => n + 1);
    }, REFRESH_MS);
  }, [growth, needed]);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return needed && answer?.session === sessionId ? answer.a : null;
}
