// Deploy and verify with real files on local targets; deploy-ssh.test.ts covers SFTP to a real sshd.
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  bundledScenarioDir,
  deployScenario,
  deployToTree,
  describeMismatches,
  localTree,
  resolveDeployTarget,
  verifyScenario,
  type DeployProgress,
} from './deploy';
import { SOURCE, removeTemps, sha, snapshot, tempDir, tree } from './deploy-trees.fixture';

afterEach(removeTemps);

describe('bundledScenarioDir', () => {
  it('finds scenario/open_world from the source tree (dev and tests)', () => {
    expect(bundledScenarioDir()).toBe(resolve(import.meta.dirname, '../../../scenario/open_world'));
  });

  it('finds it from a built bundle (out/main/chunks) and from Electron resources', () => {
    const app = tree({ 'scenario/open_world/control.lua': '--', 'out/main/chunks/x.js': '' });
    expect(bundledScenarioDir(join(app, 'out/main/chunks'), undefined)).toBe(join(app, 'scenario/open_world'));
    const res = tree({ 'resources/scenario/open_world/control.lua': '--', 'elsewhere/a/b/c/d/e/f/g/x.js': '' });
    expect(bundledScenarioDir(join(res, 'elsewhere/a/b/c/d/e/f/g'), join(res, 'resources'))).toBe(
      join(res, 'resources/scenario/open_world'),
    );
  });

  it('says where it looked when the scenario is missing', () => {
    const empty = tempDir();
    expect(() => bundledScenarioDir(empty, undefined)).toThrow(
      new RegExp(`not found; looked in ${join(empty, 'scenario', 'open_world')}`),
    );
  });
});

describe('local deploy', () => {
  it('creates a fresh target (and its parents) with exactly the source files, and leaves nothing beside it', async () => {
    const source = tree(SOURCE);
    const parent = join(tempDir(), 'factorio', 'scenarios');
    const target = join(parent, 'open_world');
    const r = await deployScenario({ target: { kind: 'local', dir: target }, sourceDir: source });
    expect(r.ok).toBe(true);
    expect(r.mismatches).toEqual([]);
    expect(r.target).toBe(target);
    expect(snapshot(target)).toEqual(SOURCE);
    expect(r.files).toEqual(
      Object.keys(SOURCE)
        .sort()
        .map((p) => ({
          path: p,
          sha256: sha(SOURCE[p as keyof typeof SOURCE]),
          bytes: Buffer.byteLength(SOURCE[p as keyof typeof SOURCE]),
        })),
    );
    expect(readdirSync(parent)).toEqual(['open_world']);
  });

  it('replaces an existing target: files no longer in the source are gone', async () => {
    const source = tree(SOURCE);
    const parent = tempDir();
    const target = tree(
      { 'control.lua': 'old', 'stale.lua': 'old', 'olddir/x.lua': 'old' },
      join(parent, 'open_world'),
    );
    const r = await deployScenario({ target: { kind: 'local', dir: target }, sourceDir: source });
    expect(r.ok).toBe(true);
    expect(snapshot(target)).toEqual(SOURCE);
    expect(existsSync(join(target, 'olddir'))).toBe(false);
    expect(readdirSync(parent)).toEqual(['open_world']);
  });

  it('a successful deploy clears temp and old folders an interrupted one left beside the target', async () => {
    const source = tree(SOURCE);
    const parent = tempDir();
    const target = tree({ 'control.lua': 'old' }, join(parent, 'open_world'));
    tree({ 'control.lua': 'half' }, join(parent, '.open_world.deploy-123-deadbeef'));
    tree({ 'control.lua': 'older' }, join(parent, '.open_world.old-123-deadbeef'));
    tree({ 'keep.txt': 'not ours' }, join(parent, '.other.deploy-1'));
    const r = await deployScenario({ target: { kind: 'local', dir: target }, sourceDir: source });
    expect(r.ok).toBe(true);
    expect(readdirSync(parent).sort()).toEqual(['.other.deploy-1', 'open_world']);
  });

  it('fails mid-copy on an unreadable source file: the old target is intact and no temp folder remains', async () => {
    const source = tree(SOURCE);
    // Sorted last, so several files are already written when it fails.
    symlinkSync(join(source, 'does-not-exist'), join(source, 'zz-broken.lua'));
    const parent = tempDir();
    const old = { 'control.lua': 'old control', 'stale.lua': 'old' };
    const target = tree(old, join(parent, 'open_world'));
    const events: DeployProgress[] = [];
    await expect(
      deployScenario({ target: { kind: 'local', dir: target }, sourceDir: source, onProgress: (p) => events.push(p) }),
    ).rejects.toThrow(`deploy to ${target}: cannot read source file ${join(source, 'zz-broken.lua')}: ENOENT`);
    expect(events.filter((e) => e.phase === 'upload').length).toBe(Object.keys(SOURCE).length);
    expect(snapshot(target)).toEqual(old);
    expect(readdirSync(parent)).toEqual(['open_world']);
  });

  it('puts the old target back when moving the new one in fails', async () => {
    const source = tree(SOURCE);
    const parent = tempDir();
    const old = { 'control.lua': 'old control' };
    const target = tree(old, join(parent, 'open_world'));
    const real = localTree();
    const failing = {
      ...real,
      rename: (from: string, to: string) =>
        from.includes('.deploy-')
          ? Promise.reject(Object.assign(new Error('injected'), { code: 'EIO' }))
          : real.rename(from, to),
    };
    await expect(deployToTree(failing, target, source, { parentDir: parent, baseName: 'open_world' })).rejects.toThrow(
      /cannot move .*\.open_world\.deploy-[^ ]+ into place: EIO; the old folder is back/,
    );
    expect(snapshot(target)).toEqual(old);
    expect(readdirSync(parent)).toEqual(['open_world']);
  });

  it('does not swap in a copy whose read-back differs, and reports it', async () => {
    const source = tree(SOURCE);
    const parent = tempDir();
    const old = { 'control.lua': 'old control' };
    const target = tree(old, join(parent, 'open_world'));
    const real = localTree();
    const corrupting = {
      ...real,
      writeFile: (p: string, data: Buffer) =>
        real.writeFile(p, p.endsWith('version.lua') ? Buffer.from('corrupt') : data),
    };
    const r = await deployToTree(corrupting, target, source, { parentDir: parent, baseName: 'open_world' });
    expect(r.mismatches).toEqual([
      { path: 'version.lua', expected: sha(SOURCE['version.lua']), got: sha('corrupt'), problem: 'changed' },
    ]);
    expect(snapshot(target)).toEqual(old);
    expect(readdirSync(parent)).toEqual(['open_world']);
  });

  it('refuses to replace a folder that does not look like a scenario, unless forced', async () => {
    const source = tree(SOURCE);
    const scenarios = tree({ 'other_scenario/control.lua': 'x', 'notes.txt': 'keep me' });
    await expect(deployScenario({ target: { kind: 'local', dir: scenarios }, sourceDir: source })).rejects.toThrow(
      /refusing to replace .*no control\.lua/,
    );
    expect(snapshot(scenarios)).toEqual({ 'other_scenario/control.lua': 'x', 'notes.txt': 'keep me' });
    const r = await deployScenario({ target: { kind: 'local', dir: scenarios }, sourceDir: source, force: true });
    expect(r.ok).toBe(true);
    expect(snapshot(scenarios)).toEqual(SOURCE);
  });

  it('reports progress per file: upload, then verify, then one swap', async () => {
    const source = tree(SOURCE);
    const events: DeployProgress[] = [];
    await deployScenario({
      target: { kind: 'local', dir: join(tempDir(), 'open_world') },
      sourceDir: source,
      onProgress: (p) => events.push(p),
    });
    const files = Object.keys(SOURCE).sort();
    const perFile = (phase: 'upload' | 'verify') =>
      files.map((f, i) => ({
        phase,
        file: f,
        index: i + 1,
        total: files.length,
        bytes: Buffer.byteLength(SOURCE[f as keyof typeof SOURCE]),
      }));
    expect(events).toEqual([
      ...perFile('upload'),
      ...perFile('verify'),
      { phase: 'swap', file: null, index: 1, total: 1, bytes: 0 },
    ]);
  });

  it('deploys the bundled scenario by default', async () => {
    const target = join(tempDir(), 'open_world');
    const r = await deployScenario({ target: { kind: 'local', dir: target } });
    expect(r.ok).toBe(true);
    expect(r.files.map((f) => f.path)).toContain('control.lua');
    expect((await verifyScenario({ target: { kind: 'local', dir: target } })).ok).toBe(true);
  });
});

describe('verifyScenario (local)', () => {
  it('passes on an exact copy and changes nothing', async () => {
    const source = tree(SOURCE);
    const target = tree(SOURCE);
    const r = await verifyScenario({ target: { kind: 'local', dir: target }, sourceDir: source });
    expect(r).toMatchObject({ ok: true, mismatches: [], target });
    expect(r.files).toHaveLength(Object.keys(SOURCE).length);
    expect(snapshot(target)).toEqual(SOURCE);
  });

  it('names a tampered, a missing and an extra file with both hashes', async () => {
    const source = tree(SOURCE);
    const { 'lib/json.lua': _gone, ...rest } = SOURCE;
    const target = tree({ ...rest, 'control.lua': 'tampered', 'extra.lua': 'x' });
    mkdirSync(join(target, 'emptydir'));
    const r = await verifyScenario({ target: { kind: 'local', dir: target }, sourceDir: source });
    expect(r.ok).toBe(false);
    expect(r.mismatches).toEqual([
      { path: 'control.lua', expected: sha(SOURCE['control.lua']), got: sha('tampered'), problem: 'changed' },
      { path: 'lib/json.lua', expected: sha(SOURCE['lib/json.lua']), got: 'missing', problem: 'missing' },
      { path: 'extra.lua', expected: null, got: 'extra file', problem: 'extra' },
      { path: 'emptydir/', expected: null, got: 'extra folder', problem: 'extra' },
    ]);
    const line = describeMismatches(r.mismatches);
    expect(line).toContain(`control.lua: expected sha256 ${sha(SOURCE['control.lua'])}, got ${sha('tampered')}`);
    expect(line).toContain('extra.lua: extra file');
  });

  it('reports every file missing when the target does not exist', async () => {
    const source = tree(SOURCE);
    const r = await verifyScenario({ target: { kind: 'local', dir: join(tempDir(), 'nope') }, sourceDir: source });
    expect(r.ok).toBe(false);
    expect(r.mismatches.map((m) => [m.path, m.got])).toEqual(
      Object.keys(SOURCE)
        .sort()
        .map((p) => [p, 'missing']),
    );
  });
});

describe('resolveDeployTarget', () => {
  it('resolves the SSH password through the secret store and leaves local targets alone', () => {
    const calls: string[] = [];
    const secrets = {
      resolve: (ref: unknown, path: string) => (calls.push(path), ref === undefined ? undefined : 'pw'),
    };
    expect(resolveDeployTarget({ kind: 'local', dir: '/x' }, secrets, 'slots.0.deploy.password')).toEqual({
      kind: 'local',
      dir: '/x',
    });
    expect(
      resolveDeployTarget(
        { kind: 'ssh', host: 'h', port: 22, user: 'u', dir: '/d', password: { env: 'P' } },
        secrets,
        'slots.0.deploy.password',
      ),
    ).toEqual({
      kind: 'ssh',
      host: 'h',
      port: 22,
      user: 'u',
      dir: '/d',
      password: 'pw',
    });
    expect(calls).toEqual(['slots.0.deploy.password']);
  });
});
