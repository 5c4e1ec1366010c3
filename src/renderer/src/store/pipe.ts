// The event pipe: recent events, its counters, the demo feed, filtered queries over main's cache,
// and the first-run Factorio set-up that makes a game write to the pipe.
import type { StateCreator } from 'zustand';
import type { DemoStatus, FactorioDetection, FactorioInstallResult, MethodInput } from '../../../shared/api';
import type { PipeCounters, PipeEvent } from '../../../shared/events';
import { api } from '../api/client';
import { SeriesStore } from '../charts/series';
import type { Store } from './index';
import { attempt, type Outcome } from './outcome';
import { learnOffset, type SeqOffset } from './pipe-figures';

/** Events kept in the renderer for the live table (the main process keeps pipe.capacity). */
export const RECENT_EVENTS = 5000;

export let series = new SeriesStore();

/** A different run of main numbers its events afresh: its charts start from nothing. */
export function resetSeries(): void {
  series = new SeriesStore();
}

export interface PipeSlice {
  /** Newest last; at most RECENT_EVENTS. */
  recentEvents: PipeEvent[];
  /** The highest event sequence number taken in (events carry main's run-wide sequence). */
  lastSeq: number;
  pipeCounters: PipeCounters | null;
  /** `seq - accepted` of the pipe's current run (see pipe-figures.ts); null while unknown. */
  pipeSeqOffset: SeqOffset;
  demo: DemoStatus | null;
  appendEvents(batch: PipeEvent[]): void;
  setPipeCounters(c: PipeCounters | null): void;
  loadDemo(): Promise<void>;
  startDemo(): Promise<Outcome<DemoStatus>>;
  /** Starts the demo feed if it is stopped, stops it if it runs. */
  toggleDemo(): Promise<Outcome<DemoStatus>>;
  /** Events of main's whole cache that match, newest last (the live table holds only RECENT_EVENTS). */
  queryEvents(q: MethodInput<'pipe.query'>): Promise<Outcome<PipeEvent[]>>;
  detectFactorio(): Promise<Outcome<FactorioDetection>>;
  installMod(userDataDir: string | undefined): Promise<Outcome<FactorioInstallResult>>;
}

function versions(ids: Iterable<string>, prev: Record<string, number>, from: SeriesStore): Record<string, number> {
  const next = { ...prev };
  for (const id of ids) next[id] = from.sessions.get(id)?.version ?? 0;
  for (const id of Object.keys(next)) if (!from.sessions.has(id)) delete next[id];
  return next;
}

/** `prev` itself while it holds the same ids in the same order, so components selecting it do not re-render. */
function stableIds(prev: string[], ids: Iterable<string>): string[] {
  const next = [...ids];
  return next.length === prev.length && next.every((id, i) => id === prev[i]) ? prev : next;
}

/**
 * What one pushed batch changes: its new events (after a reconnect a batch may repeat some) go to
 * the table and into `into`'s series, and the sessions it touched get new versions. `sessionIds`
 * stays the same array unless a session arrived or was dropped. Null when nothing is new.
 */
export function batchUpdate(
  s: Pick<Store, 'recentEvents' | 'lastSeq' | 'sessionIds' | 'sessionVersions'>,
  batch: readonly PipeEvent[],
  into: SeriesStore,
): Partial<Store> | null {
  const fresh = batch.length && batch[0].seq <= s.lastSeq ? batch.filter((e) => e.seq > s.lastSeq) : batch;
  if (!fresh.length) return null;
  const next = s.recentEvents.concat(fresh);
  const changed = into.ingest(fresh);
  return {
    recentEvents: next.length > RECENT_EVENTS ? next.slice(next.length - RECENT_EVENTS) : next,
    lastSeq: fresh[fresh.length - 1].seq,
    ...(changed.size
      ? {
          sessionIds: stableIds(s.sessionIds, into.sessions.keys()),
          sessionVersions: versions(changed, s.sessionVersions, into),
        }
      : {}),
  };
}

export const pipeSlice: StateCreator<Store, [], [], PipeSlice> = (set, get) => ({
  recentEvents: [],
  lastSeq: 0,
  pipeCounters: null,
  pipeSeqOffset: null,
  demo: null,
  // One store update per batch, and none for a batch with nothing new (returning `s` notifies nobody).
  appendEvents: (batch) =>
    set((s) => {
      const u = batchUpdate(s, batch, series);
      if (!u) return s;
      return {
        ...u,
        pipeSeqOffset: learnOffset(s.pipeCounters, u.recentEvents?.at(-1), s.pipeSeqOffset, s.pipeCounters),
      };
    }),
  setPipeCounters: (c) =>
    set((s) => ({
      pipeCounters: c,
      pipeSeqOffset: c ? learnOffset(c, s.recentEvents.at(-1), s.pipeSeqOffset, s.pipeCounters) : null,
    })),
  loadDemo: async () => set({ demo: await api().call('demo.status') }),
  startDemo: async () => {
    const r = await attempt(() => api().call('demo.start', {}));
    if (r.ok) set({ demo: r.value });
    return r;
  },
  toggleDemo: async () => {
    const r = await attempt(() => (get().demo?.running ? api().call('demo.stop') : api().call('demo.start', {})));
    if (r.ok) set({ demo: r.value });
    return r;
  },
  queryEvents: (q) => attempt(async () => (await api().call('pipe.query', q)).events as PipeEvent[]),
  detectFactorio: () => attempt(() => api().call('factorio.detect')),
  installMod: (userDataDir) =>
    attempt(() => api().call('factorio.installMod', userDataDir ? { userDataDir } : undefined)),
});
