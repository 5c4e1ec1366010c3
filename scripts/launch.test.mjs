import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  electronStartArgs,
  electronViteDevArgs,
  FAILURE_TTL_MS,
  forgetFailure,
  rememberedFailure,
  rememberFailure,
  sandboxRefused,
  withPort,
} from './launch.mjs';

const root = { platform: 'linux', uid: 0 };
const user = { platform: 'linux', uid: 1000 };

describe('Electron launch arguments', () => {
  it('only root on Linux runs without the Chromium sandbox', () => {
    expect(sandboxRefused(root)).toBe(true);
    expect(sandboxRefused(user)).toBe(false);
    expect(sandboxRefused({ platform: 'darwin', uid: 0 })).toBe(false);
    expect(sandboxRefused({ platform: 'win32', uid: undefined })).toBe(false);
  });

  it('npm start and npm run dev both turn the sandbox off as root, and neither does otherwise', () => {
    expect(electronStartArgs(['--demo'], root)).toEqual(['.', '--demo', '--no-sandbox']);
    expect(electronViteDevArgs(root)).toEqual(['dev', '--watch', '--noSandbox']);
    expect(electronStartArgs(['--demo'], user)).toEqual(['.', '--demo']);
    expect(electronViteDevArgs(user)).toEqual(['dev', '--watch']);
  });
});

describe('npm run dev restarts', () => {
  it('put the port the first start chose in place of any --port', () => {
    expect(withPort(['headless.js', '--port', '0', '--demo'], 41234)).toEqual([
      'headless.js',
      '--demo',
      '--port',
      '41234',
    ]);
    expect(withPort(['headless.js', '--port=0'], 41234)).toEqual(['headless.js', '--port', '41234']);
    expect(withPort(['headless.js', '--config', 'c.json'], 7780)).toEqual([
      'headless.js',
      '--config',
      'c.json',
      '--port',
      '7780',
    ]);
  });
});

describe('a failed Electron download', () => {
  const env = () => ({ CONTROL_ROOM_CACHE_DIR: mkdtempSync(join(tmpdir(), 'cr-launch-')) });

  it('is remembered for 24 h, then forgotten', () => {
    const e = env();
    expect(rememberedFailure({ env: e })).toBeNull();
    const at = Date.UTC(2026, 0, 1);
    rememberFailure('getaddrinfo ENOTFOUND github.com', { env: e, now: at });
    expect(rememberedFailure({ env: e, now: at + 23 * 3600_000 })).toEqual({
      at,
      reason: 'getaddrinfo ENOTFOUND github.com',
    });
    expect(rememberedFailure({ env: e, now: at + FAILURE_TTL_MS })).toBeNull();
    // A clock set back before the failure does not make it last for ever.
    expect(rememberedFailure({ env: e, now: at - 1 })).toBeNull();
    forgetFailure({ env: e });
    expect(rememberedFailure({ env: e, now: at + 1 })).toBeNull();
  });

  it('a damaged marker counts as none', () => {
    const e = env();
    writeFileSync(join(e.CONTROL_ROOM_CACHE_DIR, 'electron-download-failed.json'), '{"at":');
    expect(rememberedFailure({ env: e })).toBeNull();
  });
});
