import { describe, expect, it } from 'vitest';
import { electronStartArgs, electronViteDevArgs, sandboxRefused } from './launch.mjs';

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
