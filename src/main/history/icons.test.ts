import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { gameFolderCandidates, IconIndex, isGameFolder } from './icons';
import { iconStrip } from './png.fixture';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A temporary "Factorio install": data/<mod>/graphics/icons with generated PNG strips. */
function game(): { root: string; put: (mod: string, rel: string, body: Buffer | string) => string } {
  const root = mkdtempSync(join(tmpdir(), 'cr-icons-'));
  dirs.push(root);
  const put = (mod: string, rel: string, body: Buffer | string) => {
    const file = join(root, 'data', mod, 'graphics', 'icons', rel);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, body);
    return file;
  };
  return { root, put };
}

const decode = (url: string) => Buffer.from(url.slice('data:image/png;base64,'.length), 'base64');

it("serves an item's icon file as a data URL, base before other mods, fluids from icons/fluid", async () => {
  const { root, put } = game();
  const plate = iconStrip(64, 4, [200, 40, 40], [40, 40, 200]);
  put('base', 'iron-plate.png', plate);
  put('space-age', 'iron-plate.png', iconStrip(64, 4, [0, 255, 0], [0, 255, 0]));
  put('space-age', 'tungsten-plate.png', iconStrip(64, 4, [9, 9, 9], [9, 9, 9]));
  put('base', 'fluid/water.png', iconStrip(64, 4, [0, 0, 255], [0, 0, 255]));
  expect(isGameFolder(root)).toBe(true);
  const icons = await new IconIndex(root).icons([
    'iron-plate',
    'water',
    'tungsten-plate',
    'no-such-item',
    'iron-plate',
  ]);
  expect(icons.map((i) => i.item)).toEqual(['iron-plate', 'water', 'tungsten-plate']);
  expect(decode(icons[0].dataUrl).equals(plate)).toBe(true);
});

it('refuses path traversal, symlinks out of the icon folders, non-PNG and oversized files', async () => {
  const { root, put } = game();
  put('base', 'iron-plate.png', iconStrip(32, 2, [1, 2, 3], [4, 5, 6]));
  // Files a crafted item name might try to reach, each a valid PNG so only the path could stop it.
  const secret = iconStrip(8, 1, [6, 6, 6], [6, 6, 6]);
  writeFileSync(join(root, 'secret.png'), secret);
  writeFileSync(join(root, 'data', 'base', 'secret.png'), secret);
  writeFileSync(join(root, 'data', 'base', 'graphics', 'secret.png'), secret);
  const outside = mkdtempSync(join(tmpdir(), 'cr-icons-outside-'));
  dirs.push(outside);
  writeFileSync(join(outside, 'passwd.png'), secret);
  symlinkSync(join(outside, 'passwd.png'), join(root, 'data', 'base', 'graphics', 'icons', 'linked.png'));
  put('base', 'not-a-png.png', 'just text');
  put('base', 'huge.png', Buffer.concat([iconStrip(8, 1, [1, 1, 1], [1, 1, 1]), Buffer.alloc(600 * 1024)]));
  const names = [
    '../../etc/passwd',
    '../../../../../../etc/passwd',
    '../secret',
    '../../secret',
    '../../../secret',
    '../../../../secret',
    'fluid/../../secret',
    '..\\..\\secret',
    '/etc/passwd',
    join(outside, 'passwd'),
    'secret',
    'linked',
    'not-a-png',
    'huge',
    '__proto__',
    'constructor',
  ];
  const index = new IconIndex(root);
  expect(await index.icons(names)).toEqual([]);
  expect((await index.icons(['iron-plate', ...names])).map((i) => i.item)).toEqual(['iron-plate']);
});

it('a folder without the game gives no icons, not an error', async () => {
  expect(await new IconIndex(join(tmpdir(), 'no-such-factorio')).icons(['iron-plate'])).toEqual([]);
  expect(isGameFolder(join(tmpdir(), 'no-such-factorio'))).toBe(false);
});

it("looks for the game's files in the user data folder first, then Steam's install folders", () => {
  expect(gameFolderCandidates('/home/p/.factorio', 'linux', '/home/p')).toEqual([
    '/home/p/.factorio',
    '/home/p/.steam/steam/steamapps/common/Factorio',
    '/home/p/.local/share/Steam/steamapps/common/Factorio',
    '/home/p/factorio',
  ]);
  expect(gameFolderCandidates(null, 'win32', 'C:\\Users\\p')[0]).toBe(
    'C:\\Program Files (x86)\\Steam\\steamapps\\common\\Factorio',
  );
});
