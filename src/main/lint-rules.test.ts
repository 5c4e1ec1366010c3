// The architecture rules the linter enforces, proven against real ESLint with our config.
import { builtinModules } from 'node:module';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

/** Messages of our two architecture rules for `code` linted as if it were `filePath`. */
async function architectureErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  const fatal = result.messages.filter((m) => m.fatal);
  if (fatal.length) throw new Error(`parse error: ${fatal[0].message}`);
  return result.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
    .map((m) => m.message);
}

/** Every way TypeScript code can load `mod`. */
const loads = (mod: string) => ({
  import: `import * as m from '${mod}';\nexport const a = m;\n`,
  'import type': `import type * as m from '${mod}';\nexport type A = typeof m;\n`,
  're-export': `export * from '${mod}';\n`,
  require: `const m = require('${mod}');\nexport const a = m;\n`,
  'dynamic import()': `export const a = import('${mod}');\n`,
  'import = require': `import m = require('${mod}');\nexport const a = m;\n`,
});
const forms = Object.keys(loads('x')) as (keyof ReturnType<typeof loads>)[];

const SERVICE_FILES = ['src/main/pipe/reader.ts', 'src/main/wandb/run.ts', 'src/main/app.ts'];
const BROWSER_FILES = ['src/shared/x.ts', 'src/renderer/src/x.tsx'];

describe('lint rules', () => {
  describe.each([...SERVICE_FILES, ...BROWSER_FILES])('forbids electron in %s', (file) => {
    it.each(['electron', 'electron/main', 'electron/renderer', 'electron/common'])('%s', async (mod) => {
      for (const form of forms)
        expect(await architectureErrors(file, loads(mod)[form]), `${form} of ${mod}`).toHaveLength(1);
    });
  });

  it('allows electron in the shell and the IPC transport', async () => {
    for (const file of ['src/main/index.ts', 'src/main/transport/ipc.ts']) {
      for (const mod of ['electron', 'electron/main']) {
        for (const form of forms)
          expect(await architectureErrors(file, loads(mod)[form]), `${form} of ${mod} in ${file}`).toEqual([]);
      }
    }
  });

  it('does not mistake packages that merely start with "electron" for it', async () => {
    expect(await architectureErrors('src/main/app.ts', loads('electron-vite').import)).toEqual([]);
    expect(await architectureErrors('src/main/app.ts', loads('electron-vite').require)).toEqual([]);
  });

  describe.each(BROWSER_FILES)('keeps Node built-ins out of %s', (file) => {
    it.each([
      'node:fs',
      'fs',
      'path',
      'child_process',
      'fs/promises',
      'node:fs/promises',
      'os',
      'crypto',
      'events',
      'worker_threads',
    ])('%s', async (mod) => {
      for (const form of forms)
        expect(await architectureErrors(file, loads(mod)[form]), `${form} of ${mod}`).toHaveLength(1);
    });

    it('every bare built-in name, imported', async () => {
      for (const mod of builtinModules) expect(await architectureErrors(file, loads(mod).import), mod).toHaveLength(1);
    });
  });

  it('allows Node built-ins in main, and npm packages named like a built-in only with a suffix', async () => {
    for (const form of forms) expect(await architectureErrors('src/main/app.ts', loads('fs')[form]), form).toEqual([]);
    expect(await architectureErrors('src/renderer/src/x.tsx', loads('path-browserify').import)).toEqual([]);
    expect(await architectureErrors('src/renderer/src/x.tsx', loads('events-ish').require)).toEqual([]);
  });

  describe('keeps each service in its own folder', () => {
    // pipe/ and wandb/ stand for every service folder; engine/games/ checks a nested file.
    const cases: [file: string, mod: string][] = [
      ['src/main/wandb/run.ts', '../pipe/cache'],
      ['src/main/discord/follow.ts', '../pipe/tail'],
      ['src/main/history/feed.ts', '../factorio/userData'],
      ['src/main/engine/games/x.ts', '../../slots/rcon'],
      ['src/main/pipe/x.fixture.ts', '../wandb'],
    ];
    it.each(cases)('%s may not load %s', async (file, mod) => {
      for (const form of forms)
        expect(await architectureErrors(file, loads(mod)[form]), `${form} of ${mod}`).toHaveLength(1);
    });

    it('allows lib/, transport/, the root files and its own folder; tests may combine services', async () => {
      const allowed: [string, string][] = [
        ['src/main/wandb/run.ts', '../lib/cache'],
        ['src/main/discord/follow.ts', '../service'],
        ['src/main/pipe/x.ts', './service'],
        ['src/main/engine/games/x.ts', '../rng'],
        ['src/main/wandb/run.ts', '../../shared/engine'],
        ['src/main/demo/feed.test.ts', '../pipe/service'],
        ['src/main/app.ts', './pipe/service'],
      ];
      for (const [file, mod] of allowed)
        for (const form of forms)
          expect(await architectureErrors(file, loads(mod)[form]), `${form} of ${mod} in ${file}`).toEqual([]);
    });
  });

  describe('keeps test support (*.fixture.ts) out of production code', () => {
    it.each([
      ['src/main/wandb/service.ts', './server.fixture'],
      ['src/main/app.ts', './lib/tiny-disk.fixture'],
      ['src/main/lib/tail.ts', './tiny-disk.fixture.ts'],
      ['src/main/index.ts', './fault-injection.fixture'],
    ])('%s may not load %s', async (file, mod) => {
      for (const form of forms)
        expect(await architectureErrors(file, loads(mod)[form]), `${form} of ${mod}`).toHaveLength(1);
    });

    it('tests and other fixtures may', async () => {
      for (const [file, mod] of [
        ['src/main/wandb/service.test.ts', './server.fixture'],
        ['src/main/wandb/harness.fixture.ts', './server.fixture'],
        ['src/main/pipe/reliability.test.ts', '../lib/tiny-disk.fixture'],
      ]) {
        for (const form of forms)
          expect(await architectureErrors(file, loads(mod)[form]), `${form} of ${mod} in ${file}`).toEqual([]);
      }
    });
  });
});
