// Item icons from the player's Factorio folder (history.icons: data URLs of the game's own files).
// Asked once per item per page, shared by every place an item shows; an item without an icon
// shows its coloured swatch. The game's icon files are mipmap strips (the full-size square first,
// then halves to its right); CSS shows only that first square (object-fit, production.css).
import { useEffect, useSyncExternalStore } from 'react';
import { api } from '../api/client';

/** item -> data URL, or null: asked, and the game has none for it. */
const known = new Map<string, string | null>();
const asked = new Set<string>();
const listeners = new Set<() => void>();
let version = 0;

function notify(): void {
  version++;
  for (const l of listeners) l();
}

function ask(items: readonly string[]): void {
  const missing = items.filter((i) => !known.has(i) && !asked.has(i));
  if (!missing.length) return;
  for (const i of missing) asked.add(i);
  void api()
    .call('history.icons', { items: missing.slice(0, 500) })
    .then(
      (icons) => {
        for (const i of missing) known.set(i, null);
        for (const { item, dataUrl } of icons) known.set(item, dataUrl);
        notify();
      },
      // Not answered (disconnected, older main): asked again when these items show next time.
      () => {
        for (const i of missing) asked.delete(i);
      },
    );
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

/** The icons of these items as far as known; asks for the rest. */
export function useItemIcons(items: readonly string[]): ReadonlyMap<string, string | null> {
  useSyncExternalStore(subscribe, () => version);
  const key = items.join('\n');
  useEffect(() => ask(key ? key.split('\n') : []), [key]);
  return known;
}

/** An item's icon, underlined in its line colour; the coloured swatch when it has none. */
export function ItemMark({
  item,
  color,
  icons,
}: {
  item: string;
  color: string | undefined;
  icons: ReadonlyMap<string, string | null>;
}) {
  const url = icons.get(item);
  if (!url) return <i className="swatch" style={{ background: color }} />;
  return (
    <img className="item-icon" src={url} alt="" data-testid={`icon-${item}`} style={{ borderBottomColor: color }} />
  );
}
