// One zustand store of typed slices. Each push lands with one store update; components read
// through selectors so a push re-renders only what depends on it. Chart series live outside React
// state (charts/series.ts, mutated in place); the store carries their version numbers.
import { create, type StateCreator } from 'zustand';
import type { AppInfo, ConfigView, DemoStatus, StatusSnapshot, WandbStatus } from '../../../shared/api';
import type { DiscordStatus } from '../../../shared/discord';
import type { EngineStatus } from '../../../shared/engine';
import type { SlotsStatus } from '../../../shared/slots';
import type { PipeCounters, PipeEvent } from '../../../shared/events';
import { api, type ConnectionState } from '../api/client';
import { SeriesStore, type Mode } from '../charts/series';
import { learnOffset, type SeqOffset } from './pipe-figures';

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
  /** The Discord relay's state; null while it is off. */
  discord: DiscordStatus | null;
  /** The engine server's figures; null while it is off. */
  engine: EngineStatus | null;
  /** Headless slots; null while none are configured. */
  slots: SlotsStatus | null;
}

/** The Settings sections a view's Off state can lead to. */
export const SETTINGS_SECTIONS = ['general', 'pipe', 'history', 'wandb', 'discord', 'engine', 'slots', 'factorio', 'web'] as const;
export type SettingsSection = (typeof SETTINGS_SECTIONS)[number];

export interface ConfigSlice {
  config: ConfigView | null;
  setConfig(view: ConfigView): void;
  /** The section Settings scrolls to and focuses when it next shows (set by an Off state's link). */
  settingsFocus: SettingsSection | null;
  focusSettings(section: SettingsSection | null): void;
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
}

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
  setChart(patch: Partial<Pick<ChartsSlice, 'pinnedSession' | 'mode' | 'windowSeconds' | 'selectedItems' | 'hiddenItems'>>): void;
}

export type Store = ConnectionSlice & StatusSlice & ConfigSlice & PipeSlice & ChartsSlice;

const connectionSlice: StateCreator<Store, [], [], ConnectionSlice> = () => ({ connection: 'connecting', connectionError: null });
const statusSlice: StateCreator<Store, [], [], StatusSlice> = () => ({ info: null, status: null, wandb: null, discord: null, engine: null, slots: null });
const configSlice: StateCreator<Store, [], [], ConfigSlice> = (set) => ({
  config: null,
  setConfig: (config) => set({ config }),
  settingsFocus: null,
  focusSettings: (settingsFocus) => set({ settingsFocus }),
});

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
export function batchUpdate(s: Pick<Store, 'recentEvents' | 'lastSeq' | 'sessionIds' | 'sessionVersions'>, batch: readonly PipeEvent[], into: SeriesStore): Partial<Store> | null {
  const fresh = batch.length && batch[0].seq <= s.lastSeq ? batch.filter((e) => e.seq > s.lastSeq) : batch;
  if (!fresh.length) return null;
  const next = s.recentEvents.concat(fresh);
  const changed = into.ingest(fresh);
  return {
    recentEvents: next.length > RECENT_EVENTS ? next.slice(next.length - RECENT_EVENTS) : next,
    lastSeq: fresh[fresh.length - 1].seq,
    ...(changed.size ? { sessionIds: stableIds(s.sessionIds, into.sessions.keys()), sessionVersions: versions(changed, s.sessionVersions, into) } : {}),
  };
}

/** The session on screen: the pinned one while it is still in memory, otherwise the newest. */
export function activeSessionId(s: Pick<Store, 'pinnedSession' | 'sessionIds'>): string | null {
  return s.pinnedSession && s.sessionIds.includes(s.pinnedSession) ? s.pinnedSession : (s.sessionIds.at(-1) ?? null);
}

const pipeSlice: StateCreator<Store, [], [], PipeSlice> = (set) => ({
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
      return { ...u, pipeSeqOffset: learnOffset(s.pipeCounters, u.recentEvents?.at(-1), s.pipeSeqOffset, s.pipeCounters) };
    }),
  setPipeCounters: (c) => set((s) => ({ pipeCounters: c, pipeSeqOffset: c ? learnOffset(c, s.recentEvents.at(-1), s.pipeSeqOffset, s.pipeCounters) : null })),
});

const chartsSlice: StateCreator<Store, [], [], ChartsSlice> = (set) => ({
  sessionIds: [],
  sessionVersions: {},
  pinnedSession: null,
  mode: 'production',
  windowSeconds: 3600,
  selectedItems: null,
  hiddenItems: [],
  setChart: (patch) => set(patch),
});

export const useStore = create<Store>()((...a) => ({ ...connectionSlice(...a), ...statusSlice(...a), ...configSlice(...a), ...pipeSlice(...a), ...chartsSlice(...a) }));

/** Drops every event and chart series (a different run of main numbers its events afresh). */
export function forgetEvents(): void {
  series = new SeriesStore();
  useStore.setState({ recentEvents: [], lastSeq: 0, sessionIds: [], sessionVersions: {}, pipeSeqOffset: null });
}

let wired = false;

/** Subscribes to pushes and, on every (re)connection, loads the current state and says ready. */
export function connectStore(): void {
  if (wired) return;
  wired = true;
  const client = api();
  client.on('status', (status) => useStore.setState({ status }));
  client.on('config', (config) => useStore.setState({ config }));
  client.on('pipe', (pipeCounters) => useStore.getState().setPipeCounters(pipeCounters));
  client.on('demo', (demo) => useStore.setState({ demo }));
  client.on('wandb', (wandb) => useStore.setState({ wandb }));
  client.on('discord', (discord) => useStore.setState({ discord }));
  client.on('engine', (engine) => useStore.setState({ engine }));
  client.on('slots', (slots) => useStore.setState({ slots }));
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
        if (useStore.getState().info?.runId !== info.runId) forgetEvents();
        useStore.getState().setPipeCounters(pipeCounters);
        useStore.setState({ info, status, config, demo, wandb, discord: await client.call('discord.status'), engine: await client.call('engine.status'), slots: await client.call('slots.status'), connectionError: null });
        useStore.getState().appendEvents(history.events as PipeEvent[]);
        await client.call('ui.ready');
      } catch (e) {
        useStore.setState({ connectionError: e instanceof Error ? e.message : String(e) });
      }
    })();
  });
}
