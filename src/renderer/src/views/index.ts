// The view table: one row per view, in navigation order. The shell (Sidebar, ViewHost) reads only
// this table, so a new view is one file in this folder and one row here. `short` is the label the
// collapsed sidebar shows (the full label stays the link's accessible name).
import type { ComponentType } from 'react';
import { DiscordView } from './DiscordView';
import { EngineView } from './EngineView';
import { EventsView } from './EventsView';
import { ProductionView } from './ProductionView';
import { SessionsView } from './SessionsView';
import { SettingsView } from './SettingsView';
import { SlotsView } from './SlotsView';

interface ViewRow {
  readonly id: string;
  readonly short: string;
  readonly label: string;
  readonly View: ComponentType;
}

export const VIEWS = [
  { id: 'production', short: 'Prod', label: 'Production', View: ProductionView },
  { id: 'events', short: 'Evts', label: 'Events', View: EventsView },
  { id: 'sessions', short: 'W&B', label: 'Sessions (W&B)', View: SessionsView },
  { id: 'discord', short: 'Disc', label: 'Discord', View: DiscordView },
  { id: 'engine', short: 'Eng', label: 'Engine', View: EngineView },
  { id: 'slots', short: 'Slots', label: 'Slots', View: SlotsView },
  { id: 'settings', short: 'Set', label: 'Settings', View: SettingsView },
] as const satisfies readonly ViewRow[];

export type ViewId = (typeof VIEWS)[number]['id'];

/** A view's address is `#/id`; other fragments (a skip link's, say) are not view changes. */
export function isViewHash(hash: string): boolean {
  return hash === '' || hash === '#' || hash.startsWith('#/');
}

export function viewFromHash(hash: string): ViewId {
  const id = hash.replace(/^#\/?/, '');
  return (VIEWS.find((v) => v.id === id)?.id ?? 'production') as ViewId;
}
