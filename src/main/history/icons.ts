// Item icons from the player's own Factorio install, read on this machine and never copied into
// the repository: `data/<mod>/graphics/icons/<item>.png` (fluids in `icons/fluid/`). They reach the
// page as data URLs through the contract (`history.icons`): one path for Electron's IPC and headless
// mode's WebSocket, allowed by the page's existing CSP (`img-src 'self' data:`), and no new HTTP
// route to guard. The page shows only the first square of a mipmapped strip (CSS object-fit).
//
// Item names come from the game's lines, so they never become paths: the folders are listed once,
// and a name is only ever a key into that listing. Only regular files are listed (a symlink there
// is skipped), so nothing outside the game's icon folders can be read whatever a name says.
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** An icon file larger than this is not an item icon (the game's 64 px strips are a few kB). */
const MAX_ICON_BYTES = 512 * 1024;
/** Icons kept encoded in memory; a factory shows a few hundred items at most. */
const MAX_CACHED = 1000;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const SUBFOLDERS = [
  ['graphics', 'icons'],
  ['graphics', 'icons', 'fluid'],
];

/** Whether a folder is a Factorio install (what `history.factorioDir` names): it holds `data/base`. */
export function isGameFolder(dir: string): boolean {
  return existsSync(join(dir, 'data', 'base'));
}

/**
 * Where the game's own files may be when `history.factorioDir` is not set: the user data folder
 * (a standalone install keeps both in one folder), then Steam's usual install folders.
 */
export function gameFolderCandidates(
  userDataDir: string | null,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string[] {
  const steam =
    platform === 'win32'
      ? ['C:\\Program Files (x86)\\Steam\\steamapps\\common\\Factorio', 'C:\\Program Files\\Factorio']
      : platform === 'darwin'
        ? [
            join(
              home,
              'Library',
              'Application Support',
              'Steam',
              'steamapps',
              'common',
              'Factorio',
              'factorio.app',
              'Contents',
            ),
          ]
        : [
            join(home, '.steam', 'steam', 'steamapps', 'common', 'Factorio'),
            join(home, '.local', 'share', 'Steam', 'steamapps', 'common', 'Factorio'),
            join(home, 'factorio'),
          ];
  return [...(userDataDir ? [userDataDir] : []), ...steam];
}

export interface ItemIcon {
  item: string;
  /** `data:image/png;base64,…`: the whole file, mipmap strip included. */
  dataUrl: string;
}

export class IconIndex {
  private index: Promise<Map<string, string>> | null = null;
  private readonly cache = new Map<string, string | null>();

  constructor(readonly dir: string) {}

  /** item -> file, base first, then other mods by name; an item's first file wins. */
  private list(): Promise<Map<string, string>> {
    this.index ??= (async () => {
      const files = new Map<string, string>();
      let mods: string[];
      try {
        mods = (await readdir(join(this.dir, 'data'), { withFileTypes: true }))
          .filter((d) => d.isDirectory())
          .map((d) => d.name)
          .sort((a, b) => (a === 'base' ? -1 : b === 'base' ? 1 : a.localeCompare(b)));
      } catch {
        return files;
      }
      for (const mod of mods)
        for (const sub of SUBFOLDERS) {
          const folder = join(this.dir, 'data', mod, ...sub);
          let entries;
          try {
            entries = await readdir(folder, { withFileTypes: true });
          } catch {
            continue;
          }
          for (const e of entries) {
            if (!e.isFile() || !e.name.endsWith('.png')) continue;
            const item = e.name.slice(0, -'.png'.length);
            if (!files.has(item)) files.set(item, join(folder, e.name));
          }
        }
      return files;
    })();
    return this.index;
  }

  /** Icons of the items that have one; items without (or with an unreadable file) are left out. */
  async icons(items: readonly string[]): Promise<ItemIcon[]> {
    const files = await this.list();
    const out: ItemIcon[] = [];
    for (const item of new Set(items)) {
      let url = this.cache.get(item);
      if (url === undefined) {
        const file = files.get(item);
        url = file ? await readIcon(file) : null;
        if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
        this.cache.set(item, url);
      }
      if (url) out.push({ item, dataUrl: url });
    }
    return out;
  }
}

/** A PNG file as a data URL, or null when it is too large or not a PNG. */
async function readIcon(file: string): Promise<string | null> {
  try {
    if ((await stat(file)).size > MAX_ICON_BYTES) return null;
    const buf = await readFile(file);
    if (buf.length > MAX_ICON_BYTES || !buf.subarray(0, 8).equals(PNG_SIGNATURE)) return null;
    return `data:image/png;base64,${buf.toString('base64')}`;
  } catch {
    return null;
  }
}
