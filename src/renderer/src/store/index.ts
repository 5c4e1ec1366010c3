// One zustand store of typed slices, one slice per service (zustand's slices pattern), each in its
// own file. A slice's actions make its contract calls and hand errors back as an Outcome, so views
// never call the contract themselves. Each push lands with one store update; components read
// through selectors so a push re-renders only what depends on it.
import { create } from 'zustand';
import type { PipeEvent } from '../../../shared/events';
import { api } from '../api/client';
import { connectionSlice, type ConnectionSlice } from './connection';
import { discordSlice, type DiscordSlice } from './discord';
import { engineSlice, type EngineSlice } from './engine';
import { pipeSlice, resetSeries, type PipeSlice } from './pipe';
import { chartsSlice, type ChartsSlice } from './production';
import { configSlice, type ConfigSlice } from './settings';
import { slotsSlice, type SlotsSlice } from './slots';
import { wandbSlice, type WandbSlice } from './wandb';

export { RECENT_EVENTS, series } from './pipe';
export { activeSessionId, type WindowSeconds } from './production';
export type { SettingsSection } from './settings';
export type { Outcome } from './outcome';

/** Events asked of main on (re)connection, to rebuild the charts. */
const HISTORY_EVENTS = 10_000;

export type Store = ConnectionSlice &
  ConfigSlice &
  PipeSlice &
  ChartsSlice &
  WandbSlice &
  DiscordSlice &
  EngineSlice &
  SlotsSlice;

export const useStore = create<Store>()((...a) => ({
  ...connectionSlice(...a),
  ...configSlice(...a),
  ...pipeSlice(...a),
  ...chartsSlice(...a),
  ...wandbSlice(...a),
  ...discordSlice(...a),
  ...engineSlice(...a),
  ...slotsSlice(...a),
}));

/** Drops every event and chart series (a different run of main numbers its events afresh). */
export function forgetEvents(): void {
  resetSeries();
  useStore.setState({ recentEvents: [], lastSeq: 0, sessionIds: [], sessionVersions: {}, pipeSeqOffset: null });
}

/**
 * Loads everything main knows, every slice's load at once. Main's identity and the pipe's history
 * are applied last: a different run of main means starting the events over before taking its own.
 */
export async function refetch(): Promise<void> {
  const client = api();
  const s = useStore.getState();
  const [info, pipeCounters, history] = await Promise.all([
    client.call('app.info'),
    client.call('pipe.counters'),
    client.call('pipe.query', { limit: HISTORY_EVENTS }),
    s.loadStatus(),
    s.loadConfig(),
    s.loadDemo(),
    s.loadWandb(),
    s.loadDiscord(),
    s.loadEngine(),
    s.loadSlots(),
  ]);
  if (useStore.getState().info?.runId !== info.runId) forgetEvents();
  useStore.getState().setPipeCounters(pipeCounters);
  useStore.setState({ info, connectionError: null });
  useStore.getState().appendEvents(history.events as PipeEvent[]);
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
    refetch()
      .then(() => client.call('ui.ready'))
      .catch((e: unknown) => useStore.setState({ connectionError: e instanceof Error ? e.message : String(e) }));
  });
}
