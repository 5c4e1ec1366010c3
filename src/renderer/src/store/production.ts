// The Production view's chart choices; the series themselves live outside React state (pipe.ts's
// `series`, mutated in place) and the store carries their version numbers.
import type { StateCreator } from 'zustand';
import type { Mode } from '../charts/series';
import { api } from '../api/client';
import { attempt, type Outcome } from './outcome';
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
  /** Items' display names from the history's item table (id -> name). */
  loadItemNames(): Promise<Outcome<Record<string, string>>>;
  setChart(patch: Partial<Pick<ChartsSlice, 'pinnedSession' | 'mode' | 'windowSeconds' | 'selectedItems' | 'hiddenItems'>>): void;
}

/** The session on screen: the pinned one while it is still in memory, otherwise the newest. */
export function activeSessionId(s: Pick<Store, 'pinnedSession' | 'sessionIds'>): string | null {
  return s.pinnedSession && s.sessionIds.includes(s.pinnedSession) ? s.pinnedSession : (s.sessionIds.at(-1) ?? null);
}

export const chartsSlice: StateCreator<Store, [], [], ChartsSlice> = (set) => ({
  sessionIds: [],
  sessionVersions: {},
  pinnedSession: null,
  mode: 'production',
  windowSeconds: 3600,
  selectedItems: null,
  hiddenItems: [],
  loadItemNames: () => attempt(() => api().call('history.names')),
  setChart: (patch) => set(patch),
});
