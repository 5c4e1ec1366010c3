// The link to main and what the shell shows of it: connection state, main's identity, the services' states.
import type { StateCreator } from 'zustand';
import type { AppInfo, StatusSnapshot } from '../../../shared/api';
import { api, type ConnectionState } from '../api/client';
import type { Store } from './index';

export interface ConnectionSlice {
  connection: ConnectionState;
  /** Last error talking to main, shown in the status bar. */
  connectionError: string | null;
  info: AppInfo | null;
  status: StatusSnapshot | null;
  loadStatus(): Promise<void>;
}

export const connectionSlice: StateCreator<Store, [], [], ConnectionSlice> = (set) => ({
  connection: 'connecting',
  connectionError: null,
  info: null,
  status: null,
  loadStatus: async () => set({ status: await api().call('status.get') }),
});
