// Factorio's user data folder (mods/, saves/, script-output/): where it is on each platform and
// install kind, which Factorio last ran there, and whether our mod is in it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { MOD_NAME, type GameVersion } from './modPackage';

export interface Place {
  platform: NodeJS.Platform;
  home: string;
  env: NodeJS.ProcessEnv;
}

export interface Candidate {
  path: string;
  /** How Factorio was installed for this folder to be used. */
  kind: 'standalone or Steam' | 'Steam (Flatpak)' | 'Steam (Snap)' | 'macOS' | 'Windows' | 'config';
  /** The folder exists and holds something only Factorio makes there. */
  looksLikeFactorio: boolean;
}

export function here(): Place {
  return { platform: process.platform, home: homedir(), env: process.env };
}

/** Where Factorio keeps user data, most likely first (the wiki's "User data directory" list plus sandboxed Steam). */
export function candidatePaths(place: Place): Omit<Candidate, 'looksLikeFactorio'>[] {
  const { platform, home, env } = place;
  if (platform === 'win32')
    return [{ path: join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Factorio'), kind: 'Windows' }];
  if (platform === 'darwin') return [{ path: join(home, 'Library', 'Application Support', 'factorio'), kind: 'macOS' }];
  return [
    { path: join(home, '.factorio'), kind: 'standalone or Steam' },
    // Steam in a sandbox gets its own home; Factorio's folder is inside it.
    { path: join(home, '.var', 'app', 'com.valvesoftware.Steam', '.factorio'), kind: 'Steam (Flatpak)' },
    { path: join(home, 'snap', 'steam', 'common', '.factorio'), kind: 'Steam (Snap)' },
  ];
}

const MARKERS = ['player-data.json', 'mods', 'saves', 'config', 'factorio-current.log', 'script-output'];

export function looksLikeFactorio(dir: string): boolean {
  try {
    if (!statSync(dir).isDirectory()) return false;
  } catch {
    return false;
  }
  return MARKERS.some((m) => existsSync(join(dir, m)));
}

/** The game version Factorio last logged in this folder (`factorio-current.log` starts with it). */
export function lastGameVersion(dir: string): GameVersion | null {
  let head: string;
  try {
    head = readFileSync(join(dir, 'factorio-current.log'), 'utf8').slice(0, 4096);
  } catch {
    return null;
  }
  const m = /Factorio (\d+)\.(\d+)\.\d+/.exec(head);
  if (!m) return null;
  return Number(m[1]) >= 2 ? '2.0' : m[1] === '1' && m[2] === '1' ? '1.1' : null;
}

export interface ModState {
  /** Versions of our mod found in mods/ (zips or folders). */
  versions: string[];
  /** Its mod-list.json entry: true/false, or null when not listed (Factorio enables new mods). */
  enabled: boolean | null;
}

export function modState(dir: string): ModState {
  const versions: string[] = [];
  const prefix = `${MOD_NAME}_`;
  try {
    for (const name of readdirSync(join(dir, 'mods'))) {
      if (name.startsWith(prefix)) versions.push(name.slice(prefix.length).replace(/\.zip$/, ''));
    }
  } catch {
    // no mods folder yet
  }
  let enabled: boolean | null = null;
  try {
    const list = JSON.parse(readFileSync(join(dir, 'mods', 'mod-list.json'), 'utf8')) as {
      mods?: { name?: unknown; enabled?: unknown }[];
    };
    const entry = list.mods?.find((m) => m.name === MOD_NAME);
    if (entry) enabled = entry.enabled === true;
  } catch {
    // missing or unreadable: reported as not listed
  }
  return { versions: versions.sort(), enabled };
}

export interface Detection {
  /** The folder in use: the configured one, else the first candidate that looks like Factorio's. */
  userDataDir: string | null;
  source: 'config' | 'detected' | null;
  candidates: Candidate[];
  gameVersion: GameVersion | null;
  mod: ModState | null;
  /** Factorio holds a `.lock` in the folder while it runs (and rewrites mod-list.json on exit). */
  factorioRunning: boolean;
}

export function detect(configured: string | undefined, place: Place = here()): Detection {
  const candidates: Candidate[] = candidatePaths(place).map((c) => ({
    ...c,
    looksLikeFactorio: looksLikeFactorio(c.path),
  }));
  if (configured)
    candidates.unshift({ path: configured, kind: 'config', looksLikeFactorio: looksLikeFactorio(configured) });
  const chosen = configured ? candidates[0]! : candidates.find((c) => c.looksLikeFactorio);
  const dir = chosen?.path ?? null;
  return {
    userDataDir: dir,
    source: configured ? 'config' : dir ? 'detected' : null,
    candidates,
    gameVersion: dir ? lastGameVersion(dir) : null,
    mod: dir ? modState(dir) : null,
    factorioRunning: dir ? existsSync(join(dir, '.lock')) : false,
  };
}
