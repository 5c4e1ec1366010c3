// Headless mode refuses a config it cannot run as configured: the real entry point in a child
// process, its exit code and what it printed. Every case must exit 2 naming the field, with no
// stack trace and no secret value; a good config must start (so the refusals are not a fluke).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const ENTRY = join(ROOT, 'src/main/headless.ts');
// tsx is loaded by path: the child runs in a temporary folder, where `--import tsx` would not resolve.
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const children = new Set<ChildProcess>();

afterEach(() => {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts headless on `config` (an object, or raw text); resolves when it exits, or once it printed its URL. */
function runHeadless(
  config: unknown,
  opts: { env?: Record<string, string>; files?: (dir: string) => void } = {},
): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'cr-headless-cfg-'));
  opts.files?.(dir);
  const path = join(dir, 'config.json');
  const base = { dataDir: join(dir, 'data'), pipe: { path: join(dir, 'events.pipe') } };
  writeFileSync(
    path,
    typeof config === 'string'
      ? config
      : JSON.stringify(typeof config === 'function' ? config(dir) : { ...base, ...(config as object) }),
  );
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: dir, ...opts.env };
  const child = spawn(process.execPath, ['--import', TSX, ENTRY, '--config', path, '--port', '0', '--no-demo'], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  return new Promise((resolvePromise) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => {
      stdout += d;
      // Started: that is the answer; stop it so nothing outlives the test.
      if (stdout.includes('Control Room UI:')) child.kill('SIGTERM');
    });
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('exit', (code) => {
      children.delete(child);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

function expectRefused(r: Run, field: string, message: RegExp) {
  expect(r.code, r.stderr + r.stdout).toBe(2);
  expect(r.stderr).toMatch(new RegExp(`^config error: [^\\n]*: ${field.replace(/[.*()]/g, (c) => `\\${c}`)}: `, 'm'));
  expect(r.stderr).toMatch(message);
  // A message, not a crash: no stack frames.
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

describe('headless refuses what it cannot run', () => {
  it.each([
    ['an env var that is not set', { env: 'CR_TEST_NOT_SET' }, {}, /environment variable CR_TEST_NOT_SET is not set/],
    [
      'an env var that is empty',
      { env: 'CR_TEST_EMPTY' },
      { CR_TEST_EMPTY: '' },
      /environment variable CR_TEST_EMPTY is empty/,
    ],
    ['a file that does not exist', { file: 'missing.key' }, {}, /cannot read secret file missing\.key: ENOENT/],
    ['a file that cannot be read (a folder)', { file: 'a-folder' }, {}, /cannot read secret file a-folder: EISDIR/],
    ['an empty file', { file: 'empty.key' }, {}, /secret file empty\.key is empty/],
  ])(
    'an unresolvable secret: %s',
    async (_name, ref, env, message) => {
      const r = await runHeadless(
        { wandb: { enabled: true, apiKey: ref } },
        {
          env,
          files: (dir) => {
            mkdirSync(join(dir, 'a-folder'));
            writeFileSync(join(dir, 'empty.key'), '\n');
          },
        },
      );
      expectRefused(r, 'wandb.apiKey', message);
    },
    60_000,
  );

  it('an unresolvable RCON password of a slot', async () => {
    const r = await runHeadless({ slots: [{ id: 'a', rconPort: 27015, rconPassword: { env: 'CR_TEST_RCON' } }] }, {});
    expectRefused(r, 'slots.0.rconPassword', /environment variable CR_TEST_RCON is not set/);
  }, 60_000);

  it.each([
    ['not a URL', 'hunter2-not-a-url', /is not a URL \(value not shown\)/],
    [
      'not a Discord webhook',
      'https://example.invalid/hooks/hunter2',
      /is not a Discord webhook URL .* \(value not shown\)/,
    ],
  ])(
    'a webhook URL that is %s, without printing it',
    async (_name, url, message) => {
      const r = await runHeadless({ discord: { enabled: true, webhookUrl: url } }, {});
      expectRefused(r, 'discord.webhookUrl', message);
      expect(r.stderr + r.stdout).not.toContain('hunter2');
    },
    60_000,
  );

  it('a data directory that is a file', async () => {
    const r = await runHeadless((dir: string) => {
      writeFileSync(join(dir, 'data-file'), 'x');
      return { dataDir: join(dir, 'data-file'), pipe: { path: join(dir, 'events.pipe') } };
    }, {});
    expectRefused(r, 'dataDir', /data-file exists and is not a folder/);
  }, 60_000);

  it('an empty (0-byte) config file', async () => {
    const r = await runHeadless('', {});
    expectRefused(r, '(file)', /the file is empty \(write \{\} to run on the defaults\)/);
  }, 60_000);

  it('a config nested 100,000 levels deep', async () => {
    const r = await runHeadless(`{"wandb":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`, {});
    expectRefused(r, 'wandb.a.a.a.…', /nested deeper than 32 levels/);
  }, 60_000);

  it('LOG_LEVEL=bogus', async () => {
    const r = await runHeadless({}, { env: { LOG_LEVEL: 'bogus' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^config error: environment: LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent \(got "bogus"\)$/m,
    );
    expect(r.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);

  it('a good config starts (and stops on SIGTERM)', async () => {
    const r = await runHeadless({}, { env: { LOG_LEVEL: 'warn' } });
    expect(r.stdout).toContain('Control Room UI: http://127.0.0.1:');
    expect(r.code).toBe(0);
  }, 60_000);
});
