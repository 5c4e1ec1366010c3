// Installs the mod into a Factorio user data folder: the zip into mods/, an enabled entry in
// mods/mod-list.json that leaves every other entry as it was, and a backup of the list first.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { MOD_NAME, type ModZip } from './modPackage';

// Unknown keys are kept: the list is Factorio's file, and newer versions may add fields.
const ModListSchema = z.looseObject({ mods: z.array(z.looseObject({ name: z.string(), enabled: z.boolean() })) });
type ModList = z.infer<typeof ModListSchema>;

export interface InstallResult {
  zipPath: string;
  modListPath: string;
  /** The copy of mod-list.json made before it was changed; null when it needed no change or did not exist. */
  backupPath: string | null;
  /** Other versions of our own mod removed from mods/ (Factorio refuses two versions of one mod). */
  replaced: string[];
  /** Things the player should know (Factorio running, a list created by Factorio on next start). */
  notes: string[];
}

export class InstallError extends Error {}

function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function readModList(path: string): ModList | null {
  if (!existsSync(path)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InstallError(`${path} is not valid JSON (${(e as Error).message}); nothing was changed`);
  }
  const r = ModListSchema.safeParse(raw);
  if (!r.success)
    throw new InstallError(`${path} is not a mod list ({"mods":[{"name","enabled"}...]}); nothing was changed`);
  return r.data;
}

function stamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
}

export function installMod(userDataDir: string, zip: ModZip, now: Date = new Date()): InstallResult {
  if (!existsSync(userDataDir) || !statSync(userDataDir).isDirectory())
    throw new InstallError(`${userDataDir} is not a folder`);
  const modsDir = join(userDataDir, 'mods');
  const modListPath = join(modsDir, 'mod-list.json');
  // Read and check the list before anything is written, so a bad list changes nothing.
  const list = readModList(modListPath);
  mkdirSync(modsDir, { recursive: true });

  const zipPath = join(modsDir, zip.fileName);
  writeAtomic(zipPath, zip.bytes);
  const replaced: string[] = [];
  for (const name of readdirSync(modsDir)) {
    if (name.startsWith(`${MOD_NAME}_`) && name !== zip.fileName) {
      rmSync(join(modsDir, name), { recursive: true, force: true });
      replaced.push(name);
    }
  }

  const notes: string[] = [];
  let backupPath: string | null = null;
  if (!list) {
    notes.push('mods/mod-list.json does not exist yet: Factorio creates it on its next start, with new mods enabled');
  } else {
    const entry = list.mods.find((m) => m.name === MOD_NAME);
    if (!entry || entry.enabled !== true) {
      backupPath = `${modListPath}.${stamp(now)}.bak`;
      copyFileSync(modListPath, backupPath);
      if (entry) entry.enabled = true;
      else list.mods.push({ name: MOD_NAME, enabled: true });
      writeAtomic(modListPath, JSON.stringify(list, null, 2) + '\n');
    }
  }
  if (existsSync(join(userDataDir, '.lock')))
    notes.push(
      'Factorio looks to be running (a .lock in its folder): it may write its own mod-list.json when it quits, undoing this; quit Factorio, install again, then start it',
    );
  return { zipPath, modListPath, backupPath, replaced, notes };
}
