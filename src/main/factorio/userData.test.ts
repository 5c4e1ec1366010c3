// Finding Factorio's user data folder per platform and install kind, with real folders in a temp home.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detect, lastGameVersion, modState } from './userData';

const root = mkdtempSync(join(tmpdir(), 'cr-userdata-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const newHome = () => {
  const home = join(root, `home-${n++}`);
  mkdirSync(home);
  return home;
};
const factorioAt = (dir: string, marker = 'player-data.json') => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, marker), '{}');
  return dir;
};

describe('detecting Factorio user data', () => {
  it('Linux: the standalone/Steam ~/.factorio first, then Steam as a Flatpak or a Snap', () => {
    const home = newHome();
    expect(detect(undefined, { platform: 'linux', home, env: {} }).userDataDir).toBeNull();
    const flatpak = factorioAt(join(home, '.var', 'app', 'com.valvesoftware.Steam', '.factorio'));
    const d = detect(undefined, { platform: 'linux', home, env: {} });
    expect(d).toMatchObject({ userDataDir: flatpak, source: 'detected' });
    expect(d.candidates.map((c) => c.kind)).toEqual(['standalone or Steam', 'Steam (Flatpak)', 'Steam (Snap)']);
    // An empty ~/.factorio does not count; one with Factorio's files wins.
    mkdirSync(join(home, '.factorio'));
    expect(detect(undefined, { platform: 'linux', home, env: {} }).userDataDir).toBe(flatpak);
    const standalone = factorioAt(join(home, '.factorio'), 'mods');
    expect(detect(undefined, { platform: 'linux', home, env: {} }).userDataDir).toBe(standalone);
  });

  it('macOS and Windows folders', () => {
    const home = newHome();
    const mac = factorioAt(join(home, 'Library', 'Application Support', 'factorio'), 'saves');
    expect(detect(undefined, { platform: 'darwin', home, env: {} }).userDataDir).toBe(mac);
    const appData = join(home, 'Roaming');
    const win = factorioAt(join(appData, 'Factorio'), 'config');
    expect(detect(undefined, { platform: 'win32', home, env: { APPDATA: appData } }).userDataDir).toBe(win);
  });

  it('a configured folder wins, even one that does not look like Factorio yet', () => {
    const home = newHome();
    factorioAt(join(home, '.factorio'));
    const mine = join(home, 'portable-factorio');
    const d = detect(mine, { platform: 'linux', home, env: {} });
    expect(d).toMatchObject({ userDataDir: mine, source: 'config', factorioRunning: false });
    expect(d.candidates[0]).toEqual({ path: mine, kind: 'config', looksLikeFactorio: false });
  });

  it('reads the game version from the log, the mod from mods/, and a running game from .lock', () => {
    const dir = factorioAt(join(newHome(), '.factorio'));
    expect(lastGameVersion(dir)).toBeNull();
    writeFileSync(
      join(dir, 'factorio-current.log'),
      '   0.000 2024-11-02 10:00:00; Factorio 2.0.15 (build 79200, linux64, full, space-age)\n',
    );
    expect(lastGameVersion(dir)).toBe('2.0');
    writeFileSync(
      join(dir, 'factorio-current.log'),
      '   0.001 2023-01-02 10:00:00; Factorio 1.1.110 (build 62000, linux64, steam)\n',
    );
    expect(lastGameVersion(dir)).toBe('1.1');
    expect(modState(dir)).toEqual({ versions: [], enabled: null });
    mkdirSync(join(dir, 'mods'));
    writeFileSync(join(dir, 'mods', 'control-room_0.1.0.zip'), 'zip');
    writeFileSync(
      join(dir, 'mods', 'mod-list.json'),
      JSON.stringify({ mods: [{ name: 'control-room', enabled: false }] }),
    );
    expect(modState(dir)).toEqual({ versions: ['0.1.0'], enabled: false });
    writeFileSync(join(dir, '.lock'), '');
    expect(detect(dir, { platform: 'linux', home: root, env: {} }).factorioRunning).toBe(true);
  });
});
