// One zustand store of typed slices. Each push lands with one store update; components read
// through selectors so a push re-renders only what depends on it.
import { create, type StateCreator } from 'zustand';
import type { AppInfo, ConfigView, DemoStatus, StatusSnapshot } from '../../../shared/api';
import type { PipeCounters, PipeEvent } from '../../../shared/events';
import { api, type ConnectionState } from '../api/client';

/** Events kept in the renderer for the live table (the main process keeps pipe.capacity). */
export const RECENT_EVENTS = 5000;

export interface ConnectionSlice {
  connection: ConnectionState;
  /** Last error talking to main, shown in the status bar. */
  connectionError: string | null;
}

export interface StatusSlice {
  info: AppInfo | null;
  status: StatusSnapshot | null;
}

export interface ConfigSlice {
  config: ConfigView | null;
  setConfig(view: ConfigView): void;
}

export interface PipeSlice {
  /** Newest last; at most RECENT_EVENTS. */
  recentEvents: PipeEvent[];
  pipeCounters: PipeCounters | null;
  demo: DemoStatus | null;
  appendEvents(batch: PipeEvent[]): void;
}

export type Store = ConnectionSlice & StatusSlice & ConfigSlice & PipeSlice;

const connectionSlice: StateCreator<Store, [], [], ConnectionSlice> = () => ({ connection: 'connecting', connectionError: null });
const statusSlice: StateCreator<Store, [], [], StatusSlice> = () => ({ info: null, status: null });
const configSlice: StateCreator<Store, [], [], ConfigSlice> = (set) => ({
  config: null,
  setConfig: (config) => set({ config }),
});
const pipeSlice: StateCreator<Store, [], [], PipeSlice> = (set) => ({
  recentEvents: [],
  pipeCounters: null,
  demo: null,
  appendEvents: (batch) =>
    set((s) => {
      // Events carry a per-run sequence; a batch we already have (after a reconnect) is skipped.
      const last = s.recentEvents.at(-1)?.seq ?? 0;
      const fresh = batch[0] && batch[0].seq <= last && s.recentEvents.length ? batch.filter((e) => e.seq > last) : batch;
      if (!fresh.length) return {};
      const next = s.recentEvents.concat(fresh);
      return { recentEvents: next.length > RECENT_EVENTS ? next.slice(next.length - RECENT_EVENTS) : next };
    }),
});

export const useStore = create<Store>()((...a) => ({ ...connectionSlice(...a), ...statusSlice(...a), ...configSlice(...a), ...pipeSlice(...a) }));

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
  client.on('events', (batch) => useStore.getState().appendEvents(batch as PipeEvent[]));
  client.onConnection((connection) => {
    useStore.setState({ connection });
    if (connection !== 'open') return;
    void (async () => {
      try {
        const [info, status, config, pipeCounters, demo, recent] = await Promise.all([
          client.call('app.info'),
          client.call('status.get'),
          client.call('config.get'),
          client.call('pipe.counters'),
          client.call('demo.status'),
          client.call('pipe.query', { limit: RECENT_EVENTS }),
        ]);
        useStore.setState({ info, status, config, pipeCounters, demo, recentEvents: recent.events as PipeEvent[], connectionError: null });
        await client.call('ui.ready');
      } catch (e) {
        useStore.setState({ connectionError: e instanceof Error ? e.message : String(e) });
      }
    })();
  });
}
