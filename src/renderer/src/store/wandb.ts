// Weights & Biases: the session manager's runs, and Sync.
import type { StateCreator } from 'zustand';
import type { KeyTestResult, WandbStatus } from '../../../shared/api';
import { api } from '../api/client';
import type { Store } from './index';
import { attempt, type Outcome } from './outcome';

export interface WandbSlice {
  /** The W&B session manager's runs; null while it is off. */
  wandb: WandbStatus | null;
  loadWandb(): Promise<void>;
  /** Starts uploading the journaled runs; the value is how many runs the sync covers. */
  syncWandb(): Promise<Outcome<{ runs: number }>>;
  /** Checks the saved API key against W&B. */
  testWandbKey(): Promise<Outcome<KeyTestResult>>;
}

export const wandbSlice: StateCreator<Store, [], [], WandbSlice> = (set) => ({
  wandb: null,
  loadWandb: async () => set({ wandb: await api().call('wandb.status') }),
  syncWandb: () => attempt(() => api().call('wandb.sync')),
  testWandbKey: () => attempt(() => api().call('wandb.testKey')),
});
