// The charts' side of the production history kept by main (history.* in the contract): windows
// reaching past what memory holds are drawn from a history query instead (seeding earlier sessions
// after a restart is history-seed.ts, driven by the production slice).
import { useEffect, useRef, useState } from 'react';
import type { HistoryAnswer } from '../../../shared/history';
import { useStore } from '../store';
import type { Mode, Point } from './series';

const modeValue = (mode: Mode, p: number, c: number) =>
  mode === 'production' ? p : mode === 'consumption' ? c : p - c;

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
export function useHistoryWindow(
  sessionId: string,
  needed: boolean,
  from: number,
  to: number | undefined,
  items: string[],
  maxPoints: number,
  growth: number,
): HistoryAnswer | null {
  // The answer with the inputs it was asked for: an answer to older inputs is kept on screen
  // until the new one arrives only if the session is the same.
  const [answer, setAnswer] = useState<{ session: string; a: HistoryAnswer } | null>(null);
  const [tick, setTick] = useState(0);
  const queryHistory = useStore((s) => s.queryHistory);
  // The items as a set: a change of their ranks alone asks nothing new.
  const key = JSON.stringify([
    sessionId,
    needed,
    Math.floor(from),
    to === undefined ? null : Math.floor(to),
    [...items].sort(),
    maxPoints,
  ]);
  useEffect(() => {
    if (!needed) return;
    let live = true;
    const [session, , f, t, its, mp] = JSON.parse(key) as [string, boolean, number, number | null, string[], number];
    void queryHistory({
      session,
      from: f,
      ...(t === null ? {} : { to: t }),
      items: its,
      maxPoints: Math.max(10, Math.min(20_000, mp)),
    }).then((r) => live && setAnswer(r.ok ? { session, a: r.value } : null));
    return () => {
      live = false;
    };
  }, [key, needed, tick, queryHistory]);
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
