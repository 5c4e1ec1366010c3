// One zustand store of typed slices. Each push lands with one store update; components read
// through selectors so a push re-renders only what depends on it. Chart series live outside React
// state (charts/series.ts, mutated in place); the store carries their version numbers.
import { create, type StateCreator } from 'zustand';
import type { AppInfo, ConfigView, DemoStatus, StatusSnapshot, WandbStatus } from '../../../shared/api';
import type { PipeCounters, PipeEvent } from '../../../shared/events';
import { api, type ConnectionState } from '../api/client';
import { SeriesStore, type Mode } from '../charts/series';

/** Events kept in the renderer for the live table (the main process keeps pipe.capacity). */
export const RECENT_EVENTS = 5000;
/** Events asked of main on (re)connection, to rebuild the charts. */
const HISTORY_EVENTS = 10_000;

export let series = new SeriesStore();

export interface ConnectionSlice {
  connection: ConnectionState;
  /** Last error talking to main, shown in the status bar. */
  connectionError: string | null;
}

export interface StatusSlice {
  info: AppInfo | null;
  status: StatusSnapshot | null;
  /** The W&B session manager's runs; null while it is off. */
  wandb: WandbStatus | null;
}

export interface ConfigSlice {
  config: ConfigView | null;
  setConfig(view: ConfigView): void;
}

export interface PipeSlice {
  /** Newest last; at most RECENT_EVENTS. */
  recentEvents: PipeEvent[];
  /** The highest event sequence number taken in (events carry main's run-wide sequence). */
  lastSeq: number;
  pipeCounters: PipeCounters | null;
  demo: DemoStatus | null;
  appendEvents(batch: PipeEvent[]): void;
}

export type WindowSeconds = 300 | 1800 | 7200 | 0;

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
  setChart(patch: Partial<Pick<ChartsSlice, 'pinnedSession' | 'mode' | 'windowSeconds' | 'selectedItems' | 'hiddenItems'>>): void;
}

export type Store = ConnectionSlice & StatusSlice & ConfigSlice & PipeSlice & ChartsSlice;

const connectionSlice: StateCreator<Store, [], [], ConnectionSlice> = () => ({ connection: 'connecting', connectionError: null });
const statusSlice: StateCreator<Store, [], [], StatusSlice> = () => ({ info: null, status: null, wandb: null });
const configSlice: StateCreator<Store, [], [], ConfigSlice> = (set) => ({
  config: null,
  setConfig: (config) => set({ config }),
});

function versions(ids: Iterable<string>, prev: Record<string, number>): Record<string, number> {
  const next = { ...prev };
  for (const id of ids) next[id] = series.sessions.get(id)?.version ?? 0;
  for (const id of Object.keys(next)) if (!series.sessions.has(id)) delete next[id];
  return next;
}

const pipeSlice: StateCreator<Store, [], [], PipeSlice> = (set) => ({
  recentEvents: [],
  lastSeq: 0,
  pipeCounters: null,
  demo: null,
  appendEvents: (batch) =>
    set((s) => {
      // After a reconnect, a batch may repeat events we already have.
      const fresh = batch.length && batch[0].seq <= s.lastSeq ? batch.filter((e) => e.seq > s.lastSeq) : batch;
      if (!fresh.length) return {};
      const next = s.recentEvents.concat(fresh);
      const changed = series.ingest(fresh);
      return {
        recentEvents: next.length > RECENT_EVENTS ? next.slice(next.length - RECENT_EVENTS) : next,
        lastSeq: fresh[fresh.length - 1].seq,
        ...(changed.size ? { sessionIds: [...series.sessions.keys()], sessionVersions: versions(changed, s.sessionVersions) } : {}),
      };
    }),
});

const chartsSlice: StateCreator<Store, [], [], ChartsSlice> = (set) => ({
  sessionIds: [],
  sessionVersions: {},
  pinnedSession: null,
  mode: 'production',
  windowSeconds: 1800,
  selectedItems: null,
  hiddenItems: [],
  setChart: (patch) => set(patch),
});

export const useStore = create<Store>()((...a) => ({ ...connectionSlice(...a), ...statusSlice(...a), ...configSlice(...a), ...pipeSlice(...a), ...chartsSlice(...a) }));

let wired = false;

/** Subscribes to pushes and, on every (re)connection, loads the current state and says ready. */
export function connectStore(): void {
  if (wired) return;
  wired = true;
  const client = api();
  client.on('status', (status) => useStore.setState({ status }));
  client.on('config', (config) => useStore.setState({ config }));
  client.on('pipe', (pipeCounters) => useStore.setState({ pipeCounters }));
  client.on('demo', (demo) => useStore.setState({ demo }));
  client.on('wandb', (wandb) => useStore.setState({ wandb }));
  client.on('events', (batch) => useStore.getState().appendEvents(batch as PipeEvent[]));
  client.onConnection((connection) => {
    useStore.setState({ connection });
    if (connection !== 'open') return;
    void (async () => {
      try {
        const [info, status, config, pipeCounters, demo, wandb, history] = await Promise.all([
          client.call('app.info'),
          client.call('status.get'),
          client.call('config.get'),
          client.call('pipe.counters'),
          client.call('demo.status'),
          client.call('wandb.status'),
          client.call('pipe.query', { limit: HISTORY_EVENTS }),
        ]);
        // A different run of main numbers its events afresh: start over rather than skip them.
        if (useStore.getState().info?.runId !== info.runId) {
          series = new SeriesStore();
          useStore.setState({ recentEvents: [], lastSeq: 0, sessionIds: [], sessionVersions: {} });
        }
        useStore.setState({ info, status, config, pipeCounters, demo, wandb, connectionError: null });
        useStore.getState().appendEvents(history.events as PipeEvent[]);
        await client.call('ui.ready');
      } catch (e) {
        useStore.setState({ connectionError: e instanceof Error ? e.message : String(e) });
      }
    })();
  });
}
