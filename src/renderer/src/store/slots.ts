// Headless slots: their live status, and deploy / restart / join test.
import type { StateCreator } from 'zustand';
import type { KeyTestResult } from '../../../shared/api';
import type { SlotsStatus } from '../../../shared/slots';
import { api } from '../api/client';
import type { Store } from './index';
import { attempt, type Outcome } from './outcome';

export interface SlotsSlice {
  /** Headless slots; null while none are configured. */
  slots: SlotsStatus | null;
  loadSlots(): Promise<void>;
  /** One slot, or every slot with a deploy target when `id` is left out. */
  deploySlots(id?: string): Promise<Outcome<unknown>>;
  restartSlot(id: string): Promise<Outcome<unknown>>;
  joinTest(id: string): Promise<Outcome<unknown>>;
  /** Logs in over RCON with the slot's saved address and password. */
  testRcon(id: string): Promise<Outcome<KeyTestResult>>;
}

export const slotsSlice: StateCreator<Store, [], [], SlotsSlice> = (set) => ({
  slots: null,
  loadSlots: async () => set({ slots: await api().call('slots.status') }),
  deploySlots: (id) => attempt(() => api().call('slots.deploy', id === undefined ? {} : { id })),
  restartSlot: (id) => attempt(() => api().call('slots.restart', { id })),
  joinTest: (id) => attempt(() => api().call('slots.joinTest', { id })),
  testRcon: (id) => attempt(() => api().call('slots.testRcon', { id })),
});
