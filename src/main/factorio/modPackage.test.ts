// The mod's package: built from the repo's sources, one top folder named as Factorio expects, the
// shared emitter included once, and the unpacked zip alone plays under the Lua double.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { skipTitle, TOOLS, toolSkipReason } from '../../../scripts/system-deps.mjs';
import { parseEventLine } from '../../shared/events';
import { buildModZip, findLuaSources, modFiles } from './modPackage';

const tmp = mkdtempSync(join(tmpdir(), 'cr-modpkg-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const src = findLuaSources();
const noLua = toolSkipReason('lua5.2');
const lua = TOOLS.find((t) => t.id === 'lua5.2')!.find();
const runner = join(src.sharedDir, '..', 'tests', 'run_scenario.lua');

function unpack(bytes: Uint8Array, into: string): void {
  for (const [path, content] of Object.entries(unzipSync(bytes))) {
    const file = join(into, path);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, content);
  }
}

describe('the control-room mod package', () => {
  it.each(['2.0', '1.1'] as const)(
    'for %s: control-room_<v>/ holds control.lua, info.json naming that version, and the shared emitter',
    (version) => {
      const zip = buildModZip(src, version);
      expect(zip.fileName).toMatch(/^control-room_\d+\.\d+\.\d+\.zip$/);
      const top = zip.fileName.replace(/\.zip$/, '');
      const files = unzipSync(zip.bytes);
      expect(Object.keys(files).every((p) => p.startsWith(`${top}/`))).toBe(true);
      for (const f of ['control.lua', 'info.json', 'emitter.lua', 'compat.lua', 'jsonl.lua', 'production.lua'])
        expect(files[`${top}/${f}`], f).toBeDefined();
      // The scenario's own modules that the mod does not require stay out.
      expect(files[`${top}/tools.lua`]).toBeUndefined();
      const info = JSON.parse(new TextDecoder().decode(files[`${top}/info.json`]));
      expect(info).toMatchObject({
        name: 'control-room',
        factorio_version: version,
        dependencies: [`base >= ${version}.0`],
      });
      expect(buildModZip(src, version).bytes).toEqual(zip.bytes);
    },
  );

  it('refuses a module kept in both the mod and the shared folder', () => {
    const modDir = join(tmp, 'dup-mod');
    cpSync(src.modDir, modDir, { recursive: true });
    cpSync(join(src.sharedDir, 'emitter.lua'), join(modDir, 'emitter.lua'));
    expect(() => modFiles({ modDir, sharedDir: src.sharedDir })).toThrow(/emitter\.lua exists in both/);
  });

  it('refuses a require that resolves nowhere', () => {
    const modDir = join(tmp, 'missing-mod');
    cpSync(src.modDir, modDir, { recursive: true });
    writeFileSync(join(modDir, 'control.lua'), 'local x = require("not_there")\n');
    expect(() => modFiles({ modDir, sharedDir: src.sharedDir })).toThrow(/requires "not_there"/);
  });

  it.skipIf(noLua).each(['2.0', '1.1'] as const)(
    skipTitle('for %s: the unpacked zip alone, added to a running save, writes lines the dashboard accepts', noLua),
    (version) => {
      const zip = buildModZip(src, version);
      const dir = join(tmp, `run-${version}`);
      unpack(zip.bytes, dir);
      const modDir = join(dir, zip.fileName.replace(/\.zip$/, ''));
      const r = spawnSync(
        lua!,
        [runner, '--out', dir, '--api', version, '--mod-dir', modDir, '--ticks', '600', '--added-at', '130'],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(r.stderr).toBe('');
      const lines = (JSON.parse(r.stdout) as { text: string }).text.trimEnd().split('\n');
      const events = lines.map((l) => parseEventLine(l));
      expect(events.every((e) => e.ok && e.known)).toBe(true);
      expect(events.map((e) => e.ok && e.event.type)).toEqual(['session_init', 'stats', 'stats', 'stats', 'stats']);
      const first = events[0]!;
      expect(first.ok && first.event).toMatchObject({ tick: 130, level_name: 'freeplay' });
    },
  );
});
