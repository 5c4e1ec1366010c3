import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { readItemNames } from './locale';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

it('reads English names from data/*/locale/en/*.cfg, items before fluids and entities, base first', () => {
  const root = mkdtempSync(join(tmpdir(), 'cr-locale-'));
  dirs.push(root);
  const put = (mod: string, file: string, text: string) => {
    mkdirSync(join(root, 'data', mod, 'locale', 'en'), { recursive: true });
    writeFileSync(join(root, 'data', mod, 'locale', 'en', file), text);
  };
  put(
    'base',
    'base.cfg',
    '[entity-name]\nstone-furnace=Stone furnace (entity)\n\n[item-name]\niron-plate=Iron plate\nstone-furnace=Stone furnace\n; a comment\nodd=Made by __1__\n\n[fluid-name]\nwater=Water\n',
  );
  put('space-age', 'space-age.cfg', '[item-name]\niron-plate=Not this one\ntungsten-plate=Tungsten plate\n');
  mkdirSync(join(root, 'data', 'core', 'locale', 'de'), { recursive: true });
  const names = readItemNames(root);
  expect(Object.fromEntries(names)).toEqual({
    'iron-plate': 'Iron plate',
    'stone-furnace': 'Stone furnace',
    water: 'Water',
    'tungsten-plate': 'Tungsten plate',
  });
});

it('a folder without Factorio gives no names, not an error', () => {
  expect(readItemNames(join(tmpdir(), 'no-such-factorio')).size).toBe(0);
});
