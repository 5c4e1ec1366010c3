// npm test's preparation, run for real as a child process: with a system tool hidden from PATH it
// stops before running anything and says what to install; at a terminal it asks first.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installCommand, missingParagraph, notLinux, skipTitle, TOOLS } from './system-deps.mjs';

const testScript = join(import.meta.dirname, 'test.mjs');

/** A PATH holding only the named commands (so Lua, busted, luacheck and protoc look missing). */
function pathWith(commands) {
  const dir = mkdtempSync(join(tmpdir(), 'cr-path-'));
  for (const c of commands) {
    const found = spawnSync('sh', ['-c', `command -v ${c}`], { encoding: 'utf8' }).stdout.trim();
    if (found) symlinkSync(found, join(dir, c));
  }
  return dir;
}

function childEnv(extra) {
  const env = { ...process.env, ...extra };
  delete env.CI;
  delete env.CONTROL_ROOM_TESTS_SKIP_MISSING;
  return env;
}

const lua = TOOLS.filter((t) => ['lua5.2', 'busted', 'luacheck'].includes(t.id));

describe('the install command and the paragraph', () => {
  it('name the packages for each kind of system', () => {
    expect(installCommand(lua, 'darwin')).toMatch(/^brew install /);
    expect(installCommand(lua, 'win32')).toContain('WSL 2');
    if (process.platform === 'linux' && process.getuid?.() === 0) {
      expect(installCommand(lua, 'linux')).toMatch(
        /apt-get install -y --no-install-recommends lua5\.2 lua-busted lua-check$/,
      );
    }
    const p = missingParagraph(lua, 'why not');
    expect(p).toMatch(
      /^npm test stopped before running anything: Lua 5\.2 .*; busted .*; luacheck .* are missing, and why not\./,
    );
    expect(p).toContain('npm test -- --skip-missing');
  });
});

describe.skipIf(notLinux)(skipTitle('npm test with tools missing', notLinux), () => {
  it('stops before running anything when it may not install, naming what and how', () => {
    const r = spawnSync(process.execPath, [testScript], {
      encoding: 'utf8',
      env: childEnv({ PATH: pathWith(['sh', 'node']), CONTROL_ROOM_NO_INSTALL: '1' }),
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('npm test stopped before running anything');
    expect(r.stderr).toMatch(/Lua 5\.2 .*busted .*luacheck .*protoc .* are missing/);
    expect(r.stderr).toContain('lua5.2 lua-busted lua-check protobuf-compiler');
    expect(r.stdout).not.toContain('=== unit');
  });

  const script = spawnSync('sh', ['-c', 'command -v script'], { encoding: 'utf8' }).stdout.trim();
  const cannotAsk =
    process.getuid?.() !== 0
      ? 'needs root (the install it offers is apt-get)'
      : !script
        ? 'needs script(1) to give the child a terminal'
        : spawnSync('sh', ['-c', 'command -v apt-get']).status !== 0
          ? 'needs apt-get'
          : null;
  it.skipIf(cannotAsk)(
    skipTitle('asks at a terminal before installing, and a no stops it before running anything', cannotAsk),
    () => {
      // `script` gives the child a terminal; our "n" is its answer.
      const env = childEnv({ PATH: pathWith(['sh', 'node', 'apt-get']) });
      const r = spawnSync(script, ['-qec', `${process.execPath} ${testScript}`, '/dev/null'], {
        input: 'n\n',
        encoding: 'utf8',
        env,
        timeout: 60_000,
      });
      expect(r.stdout).toMatch(
        /Install the Debian packages lua5\.2 lua-busted lua-check protobuf-compiler with apt-get\? \[Y\/n\]/,
      );
      expect(r.stdout.replace(/\r/g, '')).toContain('and you chose not to install them.');
      expect(r.stdout).not.toContain('::: installing');
      expect(r.stdout).not.toContain('=== unit');
    },
  );
});
