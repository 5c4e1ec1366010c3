// A colour per item that never changes: derived from the item's name alone, so it survives rank
// changes, restarts and other machines. Hue from a hash of the name; the lightness is one of three
// levels set per theme in styles/theme.css (--item-l0..2), so every hue reads on the dark and the light
// background alike and a theme switch repaints without recomputing anything. Items on screen that land on near hues are
// nudged apart in a stable order (by name), so the same set of items always gets the same colours.

/** FNV-1a, 32 bit: small, fast and spreads similar names (item-1, item-2) apart. */
function hash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function itemHue(name: string): number {
  return hash(name) % 360;
}

const LEVELS = [0, 1, 2] as const;
const css = (hue: number, level: number) => `hsl(${Math.round(hue)} 70% var(--item-l${level}))`;

/** The item's own colour, without regard to what else is shown. */
export function itemColor(name: string): string {
  return css(itemHue(name), 0);
}

/** Hues closer than this read as the same line. */
const MIN_HUE_GAP = 360 / 24;

/**
 * Colours for the items shown together: each keeps its own hue unless an item before it (by
 * name) is within MIN_HUE_GAP, then it moves to the nearest free hue and, past 24 items, to a
 * second lightness. Depends only on the set of names, never on their order or rank.
 */
export function itemColors(names: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const taken: { hue: number; light: number }[] = [];
  const dist = (a: number, b: number) => Math.min(Math.abs(a - b), 360 - Math.abs(a - b));
  for (const name of [...new Set(names)].sort()) {
    const own = itemHue(name);
    let pick: { hue: number; light: number } | null = null;
    for (const light of LEVELS) {
      for (let step = 0; step < 360 && !pick; step += 1) {
        for (const hue of [(own + step) % 360, (own - step + 360) % 360]) {
          if (taken.every((t) => t.light !== light || dist(t.hue, hue) >= MIN_HUE_GAP)) {
            pick = { hue, light };
            break;
          }
        }
      }
      if (pick) break;
    }
    pick ??= { hue: own, light: 0 };
    taken.push(pick);
    out.set(name, css(pick.hue, pick.light));
  }
  return out;
}
