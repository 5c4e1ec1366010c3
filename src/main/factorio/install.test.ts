// Installing the mod into a temporary Factorio user data folder holding a real mod-list.json.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { InstallError, installMod } from './install';
import { buildModZip, findLuaSources } from './modPackage';

const root = mkdtempSync(join(tmpdir(), 'cr-install-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const zip = buildModZip(findLuaSources(), '2.0');

// As Factorio writes it, with mods of other authors, one disabled, and a key we do not know.
const OTHER_MODS = {
  mods: [
    { name: 'base', enabled: true },
    { name: 'elevated-rails', enabled: true },
    { name: 'quality', enabled: true },
    { name: 'space-age', enabled: true },
    { name: 'even-distribution', enabled: false },
    { name: 'helmod', enabled: true, version: '2.0.4' },
  ],
};

let n = 0;
function userData(modList?: unknown | string): string {
  const dir = join(root, `factorio-${n++}`);
  mkdirSync(join(dir, 'mods'), { recursive: true });
  if (modList !== undefined)
    writeFileSync(
      join(dir, 'mods', 'mod-list.json'),
      typeof modList === 'string' ? modList : JSON.stringify(modList, null, 2) + '\n',
    );
  return dir;
}
const list = (dir: string) => JSON.parse(readFileSync(join(dir, 'mods', 'mod-list.json'), 'utf8'));

describe('installing the mod', () => {
  it('copies the zip, adds an enabled entry, keeps every other entry, and backs up the list first', () => {
    const dir = userData(OTHER_MODS);
    const before = readFileSync(join(dir, 'mods', 'mod-list.json'));
    const r = installMod(dir, zip, new Date('2026-12-07T22:00:00Z'));
    expect(r.zipPath).toBe(join(dir, 'mods', 'control-room_0.1.0.zip'));
    expect(Object.keys(unzipSync(readFileSync(r.zipPath)))).toContain('control-room_0.1.0/control.lua');
    expect(list(dir)).toEqual({ mods: [...OTHER_MODS.mods, { name: 'control-room', enabled: true }] });
    expect(r.backupPath).toBe(join(dir, 'mods', 'mod-list.json.20261207T220000.bak'));
    expect(readFileSync(r.backupPath!)).toEqual(before);
    expect(r.notes).toEqual([]);
  });

  it('turns a disabled entry on in place, and leaves an enabled one (and its file) alone', () => {
    const dir = userData({
      mods: [...OTHER_MODS.mods.slice(0, 2), { name: 'control-room', enabled: false }, ...OTHER_MODS.mods.slice(2)],
    });
    installMod(dir, zip);
    const mods = list(dir).mods as { name: string; enabled: boolean }[];
    expect(mods.map((m) => m.name)).toEqual([
      'base',
      'elevated-rails',
      'control-room',
      'quality',
      'space-age',
      'even-distribution',
      'helmod',
    ]);
    expect(mods[2]!.enabled).toBe(true);
    const text = readFileSync(join(dir, 'mods', 'mod-list.json'), 'utf8');
    const again = installMod(dir, zip);
    expect(again.backupPath).toBeNull();
    expect(readFileSync(join(dir, 'mods', 'mod-list.json'), 'utf8')).toBe(text);
  });

  it('replaces an older version of itself and nothing else', () => {
    const dir = userData(OTHER_MODS);
    writeFileSync(join(dir, 'mods', 'control-room_0.0.9.zip'), 'old');
    writeFileSync(join(dir, 'mods', 'helmod_2.0.4.zip'), 'theirs');
    const r = installMod(dir, zip);
    expect(r.replaced).toEqual(['control-room_0.0.9.zip']);
    expect(
      readdirSync(join(dir, 'mods'))
        .filter((f) => f.endsWith('.zip'))
        .sort(),
    ).toEqual(['control-room_0.1.0.zip', 'helmod_2.0.4.zip']);
  });

  it('a list that is not JSON, or not a mod list, is refused before anything is written', () => {
    for (const bad of ['{"mods": [', JSON.stringify({ mods: [{ name: 'base' }] })]) {
      const dir = userData(bad);
      expect(() => installMod(dir, zip)).toThrow(InstallError);
      expect(readFileSync(join(dir, 'mods', 'mod-list.json'), 'utf8')).toBe(bad);
      expect(readdirSync(join(dir, 'mods'))).toEqual(['mod-list.json']);
    }
  });

  it('with no list yet it says Factorio will make one; a running game and a missing folder are reported', () => {
    const dir = userData();
    expect(installMod(dir, zip).notes).toEqual([expect.stringMatching(/does not exist yet/)]);
    expect(existsSync(join(dir, 'mods', 'mod-list.json'))).toBe(false);
    writeFileSync(join(dir, '.lock'), '');
    expect(installMod(dir, zip).notes.some((x) => /running/.test(x))).toBe(true);
    expect(() => installMod(join(root, 'nope'), zip)).toThrow(/is not a folder/);
  });
});
