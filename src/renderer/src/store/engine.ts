// The engine server: its figures, and Reset/Step calls made through it.
import type { StateCreator } from 'zustand';
import type { EnginePlayResult, EngineStatus } from '../../../shared/engine';
import { api } from '../api/client';
import type { Store } from './index';
import { attempt, type Outcome } from './outcome';

export interface EngineSlice {
  /** The engine server's figures; null while it is off. */
  engine: EngineStatus | null;
  loadEngine(): Promise<void>;
  resetGame(envId: string, seed: number): Promise<Outcome<EnginePlayResult>>;
  stepGame(envId: string, state: number[], action: number[]): Promise<Outcome<EnginePlayResult>>;
}

export const engineSlice: StateCreator<Store, [], [], EngineSlice> = (set) => ({
  engine: null,
  loadEngine: async () => set({ engine: await api().call('engine.status') }),
  resetGame: (envId, seed) => attempt(() => api().call('engine.reset', { envId, seed })),
  stepGame: (envId, state, action) => attempt(() => api().call('engine.step', { envId, state, action })),
});
