// One zustand store of typed slices. Pushes land here with one update each; components read
// through selectors so a push re-renders only what depends on it.
import { create, type StateCreator } from 'zustand';
import type { AppInfo, ConfigView, StatusSnapshot } from '../../../shared/api';
import { api, type ConnectionState } from '../api/client';

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

export type Store = ConnectionSlice & StatusSlice & ConfigSlice;

const connectionSlice: StateCreator<Store, [], [], ConnectionSlice> = () => ({ connection: 'connecting', connectionError: null });
const statusSlice: StateCreator<Store, [], [], StatusSlice> = () => ({ info: null, status: null });
const configSlice: StateCreator<Store, [], [], ConfigSlice> = (set) => ({
  config: null,
  setConfig: (config) => set({ config }),
});

export const useStore = create<Store>()((...a) => ({ ...connectionSlice(...a), ...statusSlice(...a), ...configSlice(...a) }));

let wired = false;

/** Subscribes to pushes and, on every (re)connection, loads the current state and says ready. */
export function connectStore(): void {
  if (wired) return;
  wired = true;
  const client = api();
  client.on('status', (status) => useStore.setState({ status }));
  client.on('config', (config) => useStore.setState({ config }));
  client.onConnection((connection) => {
    useStore.setState({ connection });
    if (connection !== 'open') return;
    void (async () => {
      try {
        const [info, status, config] = await Promise.all([client.call('app.info'), client.call('status.get'), client.call('config.get')]);
        useStore.setState({ info, status, config, connectionError: null });
        await client.call('ui.ready');
      } catch (e) {
        useStore.setState({ connectionError: e instanceof Error ? e.message : String(e) });
      }
    })();
  });
}
