// The Discord relay: its state, a test message, and which event types it relays.
import type { StateCreator } from 'zustand';
import type { MethodOutput } from '../../../shared/api';
import type { DiscordStatus } from '../../../shared/discord';
import { api } from '../api/client';
import type { Store } from './index';
import { attempt, type Outcome } from './outcome';

export interface DiscordSlice {
  /** The Discord relay's state; null while it is off. */
  discord: DiscordStatus | null;
  loadDiscord(): Promise<void>;
  /** Queues a test message; the value is its line (its id follows its delivery). */
  testDiscord(): Promise<Outcome<MethodOutput<'discord.test'>>>;
  setDiscordType(type: string, enabled: boolean): Promise<Outcome<unknown>>;
}

export const discordSlice: StateCreator<Store, [], [], DiscordSlice> = (set) => ({
  discord: null,
  loadDiscord: async () => set({ discord: await api().call('discord.status') }),
  testDiscord: () => attempt(() => api().call('discord.test')),
  setDiscordType: (type, enabled) => attempt(() => api().call('discord.setType', { type, enabled })),
});
