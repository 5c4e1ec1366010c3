// `npm run package:lua`: the Lua the game loads, into out/lua/ (gitignored):
//   out/lua/mod/2.0/control-room_<v>.zip and out/lua/mod/1.1/control-room_<v>.zip (the same sources;
//   info.json can name one factorio_version), and out/lua/scenario/open_world/ (the scenario folder).
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { buildModZip, findLuaSources, GAME_VERSIONS } = await tsImport(
  '../src/main/factorio/modPackage.ts',
  import.meta.url,
);

const out = join(root, 'out', 'lua');
rmSync(out, { recursive: true, force: true });
const src = findLuaSources(root);
for (const version of GAME_VERSIONS) {
  const zip = buildModZip(src, version);
  const dir = join(out, 'mod', version);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, zip.fileName), zip.bytes);
  console.log(
    `${join('out', 'lua', 'mod', version, zip.fileName)}  (${zip.entries.length} files, ${zip.bytes.length} bytes)`,
  );
}
cpSync(src.sharedDir, join(out, 'scenario', 'open_world'), { recursive: true });
console.log(join('out', 'lua', 'scenario', 'open_world'));
