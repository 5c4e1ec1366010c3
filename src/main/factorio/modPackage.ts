// Builds the control-room mod's zip from its sources: mod/control-room/ plus the modules of the
// scenario's emitter it requires (scenario/open_world/), found by following require() calls, so the
// shared Lua exists once in the repo and the zip always holds exactly what the mod loads.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { zipSync, type Zippable } from 'fflate';

export const MOD_NAME = 'control-room';
export const GAME_VERSIONS = ['2.0', '1.1'] as const;
export type GameVersion = (typeof GAME_VERSIONS)[number];

export interface LuaSources {
  /** mod/control-room: control.lua, info.json (written for 2.0) and anything only the mod has. */
  modDir: string;
  /** scenario/open_world: the shared emitter and what it requires. */
  sharedDir: string;
}

export interface ModZip {
  /** `control-room_<version>.zip`, the name Factorio expects. */
  fileName: string;
  modVersion: string;
  gameVersion: GameVersion;
  bytes: Uint8Array;
  /** Paths inside the zip, e.g. `control-room_0.1.0/control.lua`. */
  entries: string[];
}

/** Finds the sources from a folder inside the repo (or a packaged app's resources) upwards. */
export function findLuaSources(from: string = import.meta.dirname): LuaSources {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const modDir = join(dir, 'mod', MOD_NAME);
    const sharedDir = join(dir, 'scenario', 'open_world');
    if (existsSync(join(modDir, 'info.json')) && existsSync(join(sharedDir, 'emitter.lua')))
      return { modDir, sharedDir };
    if (dirname(dir) === dir)
      throw new Error(
        `the mod's sources (mod/${MOD_NAME}/info.json and scenario/open_world/emitter.lua) were not found above ${from}`,
      );
  }
}

const ENTRY_POINTS = new Set(['control.lua', 'data.lua', 'settings.lua']);
const REQUIRE = /\brequire\s*\(?\s*["']([\w.]+)["']/g;

/** The mod's files (name -> content): its own, then every shared module reachable by require(). */
export function modFiles(src: LuaSources): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(src.modDir)) {
    const path = join(src.modDir, name);
    if (statSync(path).isFile()) files.set(name, readFileSync(path));
  }
  // Each side has its own entry points (control.lua); any other module of the same name is a copy.
  for (const name of files.keys()) {
    if (name.endsWith('.lua') && !ENTRY_POINTS.has(name) && existsSync(join(src.sharedDir, name)))
      throw new Error(`${name} exists in both ${src.modDir} and ${src.sharedDir}: the shared Lua must live once`);
  }
  const pending = [...files.keys()].filter((n) => n.endsWith('.lua'));
  while (pending.length) {
    const text = files.get(pending.pop()!)!.toString('utf8');
    for (const m of text.matchAll(REQUIRE)) {
      const file = m[1]!.replace(/\./g, '/') + '.lua';
      if (files.has(file)) continue;
      const path = join(src.sharedDir, file);
      if (!existsSync(path))
        throw new Error(`the mod requires "${m[1]}", which is neither in ${src.modDir} nor in ${src.sharedDir}`);
      files.set(file, readFileSync(path));
      pending.push(file);
    }
  }
  return files;
}

interface InfoJson {
  name: string;
  version: string;
  factorio_version: string;
  dependencies?: string[];
  [k: string]: unknown;
}

// Fixed entry times make the same sources give the same bytes (zip stores local times from 1980).
const ZIP_TIME = new Date(2024, 0, 1, 0, 0, 0);

/**
 * The zip for one game version. info.json can name one factorio_version, so the same sources are
 * packaged twice: as written for 2.0, and with factorio_version 1.1 and a 1.1 base dependency.
 */
export function buildModZip(src: LuaSources, gameVersion: GameVersion): ModZip {
  const files = modFiles(src);
  const info = JSON.parse(files.get('info.json')!.toString('utf8')) as InfoJson;
  if (info.name !== MOD_NAME || !/^\d+\.\d+\.\d+$/.test(info.version))
    throw new Error(`info.json must name ${MOD_NAME} with a version x.y.z`);
  const forVersion: InfoJson = { ...info, factorio_version: gameVersion, dependencies: [`base >= ${gameVersion}.0`] };
  files.set('info.json', Buffer.from(JSON.stringify(forVersion, null, 2) + '\n'));
  const top = `${MOD_NAME}_${info.version}`;
  const tree: Zippable = {};
  const entries: string[] = [];
  for (const [name, content] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    tree[`${top}/${name}`] = [new Uint8Array(content), { mtime: ZIP_TIME }];
    entries.push(`${top}/${name}`);
  }
  return { fileName: `${top}.zip`, modVersion: info.version, gameVersion, bytes: zipSync(tree, { level: 9 }), entries };
}
