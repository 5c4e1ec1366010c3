// The config as main reports it, saving edits to it, and where Settings should scroll next.
import type { StateCreator } from 'zustand';
import type { ConfigView } from '../../../shared/api';
import { api } from '../api/client';
import type { Store } from './index';
import { attempt, type Outcome } from './outcome';

/** The Settings sections a view's Off state can lead to. */
export const SETTINGS_SECTIONS = [
  'general',
  'pipe',
  'history',
  'wandb',
  'discord',
  'engine',
  'slots',
  'factorio',
  'web',
] as const;
export type SettingsSection = (typeof SETTINGS_SECTIONS)[number];

export interface ConfigSlice {
  config: ConfigView | null;
  setConfig(view: ConfigView): void;
  loadConfig(): Promise<void>;
  /** Sends a candidate config (built by views/settings/draft.ts); the saved view becomes the store's. */
  saveConfig(candidate: unknown): Promise<Outcome<ConfigView>>;
  /** The section Settings scrolls to and focuses when it next shows (set by an Off state's link). */
  settingsFocus: SettingsSection | null;
  focusSettings(section: SettingsSection | null): void;
}

export const configSlice: StateCreator<Store, [], [], ConfigSlice> = (set) => ({
  config: null,
  setConfig: (config) => set({ config }),
  loadConfig: async () => set({ config: await api().call('config.get') }),
  // The contract validates the candidate in main; the draft's type is the form's, not the schema's.
  saveConfig: (candidate) => attempt(() => api().call('config.update', candidate as never)),
  settingsFocus: null,
  focusSettings: (settingsFocus) => set({ settingsFocus }),
});
