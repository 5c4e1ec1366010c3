// The Production view's chart choices; the series themselves live outside React state (pipe.ts's
// `series`, mutated in place) and the store carries their version numbers.
import type { StateCreator } from 'zustand';
import type { MethodInput } from '../../../shared/api';
import type { HistoryAnswer } from '../../../shared/history';
import { api } from '../api/client';
import { placeSeeded, SEED_SECONDS, seededSession } from '../charts/history-seed';
import type { Mode, SessionSeries } from '../charts/series';
import { attempt, type Outcome } from './outcome';
import { series } from './pipe';
import type { Store } from './index';

/** Game seconds of the chart's window; 0: everything. */
export type WindowSeconds = number;

export interface ChartsSlice {
  /** Session ids in arrival order, and a version per session that changes with its data. */
  sessionIds: string[];
  sessionVersions: Record<string, number>;
  /** The session shown; null follows the newest. */
  pinnedSession: string | null;
  mode: Mode;
  /** 0: the whole session. */
  windowSeconds: WindowSeconds;
  /** Chosen items; null: the top 8 by current rate. */
  selectedItems: string[] | null;
  hiddenItems: string[];
  /** Loads the history's sessions; those not in memory are seeded, before the live ones. */
  seedHistory(): Promise<Outcome<void>>;
  /** A window of one session from main's history (for spans memory no longer holds). */
  queryHistory(q: MethodInput<'history.query'>): Promise<Outcome<HistoryAnswer>>;
  /** Items' display names from the history's item table (id -> name). */
  loadItemNames(): Promise<Outcome<Record<string, string>>>;
  setChart(
    patch: Partial<Pick<ChartsSlice, 'pinnedSession' | 'mode' | 'windowSeconds' | 'selectedItems' | 'hiddenItems'>>,
  ): void;
}

/** The session on screen: the pinned one while it is still in memory, otherwise the newest. */
export function activeSessionId(s: Pick<Store, 'pinnedSession' | 'sessionIds'>): string | null {
  return s.pinnedSession && s.sessionIds.includes(s.pinnedSession) ? s.pinnedSession : (s.sessionIds.at(-1) ?? null);
}

export const chartsSlice: StateCreator<Store, [], [], ChartsSlice> = (set, get) => ({
  sessionIds: [],
  sessionVersions: {},
  pinnedSession: null,
  mode: 'production',
  windowSeconds: 3600,
  selectedItems: null,
  hiddenItems: [],
  seedHistory: () =>
    attempt(async () => {
      const list = await api().call('history.sessions');
      const missing = list.filter((s) => !series.sessions.has(s.id) && s.last !== null);
      if (!missing.length) return;
      const seeded = new Map<string, SessionSeries>();
      for (const s of missing) {
        const a = await api().call('history.query', {
          session: s.id,
          from: Math.max(0, (s.last ?? 0) - SEED_SECONDS),
          maxPoints: 4000,
        });
        const got = seededSession(a, s.level);
        if (got) seeded.set(s.id, got);
      }
      const sessionVersions = placeSeeded(series, seeded, get().sessionVersions);
      set({ sessionIds: [...series.sessions.keys()], sessionVersions });
    }),
  queryHistory: (q) => attempt(() => api().call('history.query', q)),
  loadItemNames: () => attempt(() => api().call('history.names')),
  setChart: (patch) => set(patch),
});
