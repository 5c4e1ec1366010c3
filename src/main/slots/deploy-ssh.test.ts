// Deploy and verify over SFTP to a real sshd on 127.0.0.1.
import { existsSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deployScenario, verifyScenario, type DeployProgress, type DeployTarget } from './deploy';
import { SOURCE, removeTemps, sha, snapshot, tempDir, tree } from './deploy-trees.fixture';
import { HostKeyError } from './ssh';
import { startTestSshd, type TestSshd } from './sshd.fixture';
import { skipTitle, toolSkipReason } from '../../../scripts/system-deps.mjs';

const noSshd = toolSkipReason('sshd');

afterEach(removeTemps);

describe.skipIf(noSshd)(skipTitle('SSH deploy to a real sshd', noSshd), () => {
  let sshd: TestSshd;
  beforeAll(async () => {
    sshd = await startTestSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  const sshTarget = (dir: string, extra: Partial<Extract<DeployTarget, { kind: 'ssh' }>> = {}): DeployTarget => ({
    kind: 'ssh',
    host: sshd.host,
    port: sshd.port,
    user: sshd.user,
    dir,
    keyPath: sshd.clientKeyPath,
    hostFingerprint: sshd.hostFingerprint,
    ...extra,
  });

  it('uploads with key auth and a pinned host key, replacing the old target, and verifies', async () => {
    const source = tree(SOURCE);
    const parent = tempDir();
    const target = tree(
      { 'control.lua': 'old', 'stale.lua': 'old', 'olddir/x.lua': 'old' },
      join(parent, 'open_world'),
    );
    const events: DeployProgress[] = [];
    const r = await deployScenario({ target: sshTarget(target), sourceDir: source, onProgress: (p) => events.push(p) });
    expect(r.mismatches).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.target).toBe(`${sshd.user}@127.0.0.1:${sshd.port}:${target}`);
    expect(snapshot(target)).toEqual(SOURCE);
    expect(readdirSync(parent)).toEqual(['open_world']);
    expect(events.map((e) => e.phase)).toEqual([...Array(5).fill('upload'), ...Array(5).fill('verify'), 'swap']);
  });

  it('creates missing parent folders on the host', async () => {
    const source = tree(SOURCE);
    const target = join(tempDir(), 'a', 'b', 'open_world');
    const r = await deployScenario({ target: sshTarget(target), sourceDir: source });
    expect(r.ok).toBe(true);
    expect(snapshot(target)).toEqual(SOURCE);
  });

  it('verify detects a file changed on the target after the deploy', async () => {
    const source = tree(SOURCE);
    const target = join(tempDir(), 'open_world');
    expect((await deployScenario({ target: sshTarget(target), sourceDir: source })).ok).toBe(true);
    expect((await verifyScenario({ target: sshTarget(target), sourceDir: source })).ok).toBe(true);
    writeFileSync(join(target, 'lib/deep/util.lua'), 'edited on the server');
    writeFileSync(join(target, 'lib/new.lua'), 'added on the server');
    const r = await verifyScenario({ target: sshTarget(target), sourceDir: source });
    expect(r.ok).toBe(false);
    expect(r.target).toBe(`${sshd.user}@127.0.0.1:${sshd.port}:${target}`);
    expect(r.mismatches).toEqual([
      {
        path: 'lib/deep/util.lua',
        expected: sha(SOURCE['lib/deep/util.lua']),
        got: sha('edited on the server'),
        problem: 'changed',
      },
      { path: 'lib/new.lua', expected: null, got: 'extra file', problem: 'extra' },
    ]);
  });

  it('leaves the old target intact and no temp folder when the upload fails midway', async () => {
    const source = tree(SOURCE);
    symlinkSync(join(source, 'does-not-exist'), join(source, 'zz-broken.lua'));
    const parent = tempDir();
    const old = { 'control.lua': 'old control' };
    const target = tree(old, join(parent, 'open_world'));
    await expect(deployScenario({ target: sshTarget(target), sourceDir: source })).rejects.toThrow(
      /cannot read source file .*zz-broken\.lua: ENOENT/,
    );
    expect(snapshot(target)).toEqual(old);
    expect(readdirSync(parent)).toEqual(['open_world']);
  });

  it('refuses a host whose key does not match the pin, before writing anything', async () => {
    const source = tree(SOURCE);
    const target = join(tempDir(), 'open_world');
    const wrong = 'SHA256:' + Buffer.alloc(32, 7).toString('base64').replace(/=+$/, '');
    const err = await deployScenario({
      target: sshTarget(target, { hostFingerprint: wrong }),
      sourceDir: source,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostKeyError);
    expect((err as Error).message).toContain(sshd.hostFingerprint);
    expect(existsSync(target)).toBe(false);
  });
});
