// The app's views, in navigation order. `plan` is what a view will show once its service ships;
// until then the view says exactly that and shows nothing invented. `short` is the label the
// collapsed sidebar shows (the full label stays the link's accessible name).
export const VIEWS = [
  { id: 'production', short: 'Prod', label: 'Production', plan: 'Live per-item production and consumption charts (items/min) from the event pipe, per game session.' },
  { id: 'events', short: 'Evts', label: 'Events', plan: 'The raw event stream from the Factorio scenario: accepted, rejected (with reasons) and dropped counts, and the latest events.' },
  { id: 'sessions', short: 'W&B', label: 'Sessions (W&B)', plan: 'One Weights & Biases run per game session: run state, journal depth, acknowledged and pending history lines.' },
  { id: 'discord', short: 'Disc', label: 'Discord', plan: 'The console.log relay to a Discord webhook: queue depth, delivery counts, rate-limit state and the last relayed lines.' },
  { id: 'engine', short: 'Eng', label: 'Engine', plan: 'The gRPC engine server: registered game cartridges, address, call counts and latency.' },
  { id: 'slots', short: 'Slots', label: 'Slots', plan: 'Headless Factorio servers over RCON: reachability, tick, players, scenario version, deploy and join tests.' },
  { id: 'settings', short: 'Set', label: 'Settings', plan: '' },
] as const;

export type ViewId = (typeof VIEWS)[number]['id'];

/** A view's address is `#/id`; other fragments (a skip link's, say) are not view changes. */
export function isViewHash(hash: string): boolean {
  return hash === '' || hash === '#' || hash.startsWith('#/');
}

export function viewFromHash(hash: string): ViewId {
  const id = hash.replace(/^#\/?/, '');
  return (VIEWS.find((v) => v.id === id)?.id ?? 'production') as ViewId;
}
