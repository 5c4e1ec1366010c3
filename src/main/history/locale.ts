// English item names from the player's own Factorio install: `data/*/locale/en/*.cfg` are INI-like
// files (`[item-name]` sections of `id=Name` lines). Read on this machine, never copied into the
// repository. Later mods and sections do not override a name already found for an id.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Sections that name things that show up in production statistics, in order of preference. */
const SECTIONS = ['item-name', 'fluid-name', 'entity-name'];
/** A locale file larger than this is not a locale file. */
const MAX_FILE_BYTES = 8 * 1024 * 1024;

export function parseLocale(text: string, into: Map<string, string>, rank: Map<string, number>): void {
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith(';') || line.startsWith('#')) continue;
    const head = /^\[([^\]]+)\]$/.exec(line);
    if (head) {
      section = head[1];
      continue;
    }
    const r = SECTIONS.indexOf(section);
    const eq = line.indexOf('=');
    if (r < 0 || eq < 1) continue;
    const id = line.slice(0, eq).trim();
    const name = line.slice(eq + 1).trim();
    // Names with parameters or rich text (`__1__`, `[img=…]`) are not plain names.
    if (!name || /__\w+__|\[[a-z-]+=/.test(name)) continue;
    if ((rank.get(id) ?? Infinity) > r) {
      into.set(id, name);
      rank.set(id, r);
    }
  }
}

/** id -> English name, from `<factorioDir>/data/<mod>/locale/en/*.cfg`; empty when nothing is there. */
export function readItemNames(factorioDir: string): Map<string, string> {
  const names = new Map<string, string>();
  const rank = new Map<string, number>();
  const data = join(factorioDir, 'data');
  let mods: string[];
  try {
    mods = readdirSync(data, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort((a, b) => (a === 'base' ? -1 : b === 'base' ? 1 : a.localeCompare(b)));
  } catch {
    return names;
  }
  for (const mod of mods) {
    const dir = join(data, mod, 'locale', 'en');
    let files: string[];
    try {
      files = readdirSync(dir)
        .filter((f) => f.endsWith('.cfg'))
        .sort();
    } catch {
      continue;
    }
    for (const f of files) {
      try {
        const buf = readFileSync(join(dir, f));
        if (buf.length <= MAX_FILE_BYTES) parseLocale(buf.toString('utf8'), names, rank);
      } catch {
        // An unreadable file is skipped; the ids it would have named show as ids.
      }
    }
  }
  return names;
}
