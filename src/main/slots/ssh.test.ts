// Host key checking and login against a real sshd on 127.0.0.1, plus known_hosts parsing checked
// against files made by OpenSSH's own ssh-keygen (hashed names included).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  HostKeyError,
  SshError,
  checkKnownHosts,
  connectSsh,
  sshKeyFingerprint,
  sshKeyType,
  type SshTarget,
} from './ssh';
import { startTestSshd, type TestSshd } from './sshd.fixture';
import { skipTitle, toolSkipReason } from '../../../scripts/system-deps.mjs';

const noSshd = toolSkipReason('sshd');

const temps: string[] = [];
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cr-ssh-'));
  temps.push(d);
  return d;
}

/** A fresh ed25519 key pair made by ssh-keygen: its public line, blob and the fingerprint ssh-keygen prints. */
function makeKey(dir: string, name: string): { line: string; blob: Buffer; fingerprint: string; privatePath: string } {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', path], { stdio: 'ignore' });
  const line = readFileSync(path + '.pub', 'utf8')
    .trim()
    .split(/\s+/)
    .slice(0, 2)
    .join(' ');
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', path + '.pub'], { encoding: 'utf8' }).split(/\s+/)[1];
  return { line, blob: Buffer.from(line.split(' ')[1], 'base64'), fingerprint, privatePath: path };
}

/** known_hosts text with names hashed by `ssh-keygen -H`, as `HashKnownHosts yes` writes them. */
function hashed(dir: string, text: string): string {
  const f = join(dir, `kh-${Math.random().toString(36).slice(2)}`);
  writeFileSync(f, text);
  execFileSync('ssh-keygen', ['-H', '-f', f], { stdio: 'ignore' });
  return readFileSync(f, 'utf8');
}

describe('fingerprints and known_hosts', () => {
  it('computes the fingerprint ssh-keygen -l prints, and reads the key type', () => {
    const k = makeKey(tempDir(), 'k');
    expect(sshKeyFingerprint(k.blob)).toBe(k.fingerprint);
    expect(sshKeyType(k.blob)).toBe('ssh-ed25519');
  });

  it('matches plain names, [host]:port for other ports, hashed names, wildcards and negations', () => {
    const dir = tempDir();
    const k = makeKey(dir, 'k');
    expect(checkKnownHosts(`example.org ${k.line}\n`, 'example.org', 22, k.blob)).toEqual({ result: 'match' });
    expect(checkKnownHosts(`EXAMPLE.org ${k.line}\n`, 'example.org', 22, k.blob)).toEqual({ result: 'match' });
    // Off port 22 only the bracketed form counts, as with OpenSSH.
    expect(checkKnownHosts(`example.org ${k.line}\n`, 'example.org', 2222, k.blob).result).toBe('unknown');
    expect(checkKnownHosts(`[example.org]:2222 ${k.line}\n`, 'example.org', 2222, k.blob)).toEqual({ result: 'match' });
    expect(
      checkKnownHosts(`# comment\n\nother,example.org ${k.line} comment here\n`, 'example.org', 22, k.blob),
    ).toEqual({ result: 'match' });
    expect(checkKnownHosts(hashed(dir, `example.org ${k.line}\n`), 'example.org', 22, k.blob)).toEqual({
      result: 'match',
    });
    expect(checkKnownHosts(hashed(dir, `[example.org]:2222 ${k.line}\n`), 'example.org', 2222, k.blob)).toEqual({
      result: 'match',
    });
    expect(checkKnownHosts(hashed(dir, `example.org ${k.line}\n`), 'example.net', 22, k.blob).result).toBe('unknown');
    expect(checkKnownHosts(`*.example.org ${k.line}\n`, 'a.example.org', 22, k.blob)).toEqual({ result: 'match' });
    expect(checkKnownHosts(`*.example.org,!bad.example.org ${k.line}\n`, 'bad.example.org', 22, k.blob).result).toBe(
      'unknown',
    );
  });

  it('tells a changed key from an unknown host, and honours @revoked', () => {
    const dir = tempDir();
    const k = makeKey(dir, 'k');
    const other = makeKey(dir, 'other');
    expect(checkKnownHosts(`# x\nexample.org ${other.line}\n`, 'example.org', 22, k.blob)).toEqual({
      result: 'changed',
      line: 2,
    });
    expect(checkKnownHosts(`example.org ecdsa-sha2-nistp256 AAAA\n`, 'example.org', 22, k.blob)).toEqual({
      result: 'unknown',
      otherTypes: ['ecdsa-sha2-nistp256'],
    });
    expect(checkKnownHosts(`@revoked * ${k.line}\nexample.org ${k.line}\n`, 'example.org', 22, k.blob)).toEqual({
      result: 'revoked',
    });
    expect(checkKnownHosts(`@cert-authority * ${k.line}\n`, 'example.org', 22, k.blob).result).toBe('unknown');
  });
});

describe.skipIf(noSshd)(skipTitle('connecting to a real sshd', noSshd), () => {
  let sshd: TestSshd;
  beforeAll(async () => {
    sshd = await startTestSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  const target = (extra: Partial<SshTarget> = {}): SshTarget => ({
    host: sshd.host,
    port: sshd.port,
    user: sshd.user,
    keyPath: sshd.clientKeyPath,
    ...extra,
  });

  /** Connects, proves the session works (SFTP realpath), closes. */
  async function login(t: SshTarget, knownHostsPath?: string): Promise<string> {
    const c = await connectSsh(t, { knownHostsPath });
    try {
      const sftp = await c.sftp();
      return await new Promise<string>((resolve, reject) =>
        sftp.realpath('.', (err, p) => (err ? reject(err) : resolve(p))),
      );
    } finally {
      c.close();
    }
  }

  it('logs in with a key when the host key matches the pinned fingerprint', async () => {
    const c = await connectSsh(target({ hostFingerprint: sshd.hostFingerprint }), {
      knownHostsPath: join(tempDir(), 'none'),
    });
    expect(c.hostFingerprint).toBe(sshd.hostFingerprint);
    expect(c.where).toBe(`${sshd.user}@127.0.0.1:${sshd.port}`);
    c.close();
    // The pin may also be written with base64 padding.
    expect(await login(target({ hostFingerprint: sshd.hostFingerprint + '=' }))).toMatch(/^\//);
  });

  it('refuses a host key that does not match the pin, showing the fingerprint it saw', async () => {
    const other = makeKey(tempDir(), 'other');
    const err = await connectSsh(target({ hostFingerprint: other.fingerprint })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostKeyError);
    expect(err).toMatchObject({ problem: 'pin-mismatch', fingerprint: sshd.hostFingerprint, keyType: 'ssh-ed25519' });
    expect((err as Error).message).toContain(`ssh ${sshd.user}@127.0.0.1:${sshd.port}: host key refused`);
    expect((err as Error).message).toContain(`ssh-ed25519 ${sshd.hostFingerprint}`);
    expect((err as Error).message).toContain(other.fingerprint);
  });

  it('rejects a pin that is not a SHA256 fingerprint', async () => {
    await expect(connectSsh(target({ hostFingerprint: 'MD5:aa:bb' }))).rejects.toThrow(/is not a SHA256 fingerprint/);
  });

  it('accepts the host when known_hosts lists its key as [127.0.0.1]:port, plain or hashed', async () => {
    const dir = tempDir();
    const plain = join(dir, 'known_hosts');
    writeFileSync(plain, `[127.0.0.1]:${sshd.port} ${sshd.hostKey}\n`);
    expect(await login(target(), plain)).toMatch(/^\//);
    const hashedFile = join(dir, 'known_hosts_hashed');
    writeFileSync(hashedFile, hashed(dir, `[127.0.0.1]:${sshd.port} ${sshd.hostKey}\n`));
    expect(readFileSync(hashedFile, 'utf8')).toMatch(/^\|1\|/);
    expect(await login(target(), hashedFile)).toMatch(/^\//);
  });

  it('refuses an unknown host (no entry, or no known_hosts file), showing the fingerprint it saw', async () => {
    const dir = tempDir();
    const kh = join(dir, 'known_hosts');
    // Listed for port 22 only: a different host as far as known_hosts goes.
    writeFileSync(kh, `127.0.0.1 ${sshd.hostKey}\n`);
    for (const path of [kh, join(dir, 'missing')]) {
      const err = await connectSsh(target(), { knownHostsPath: path }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HostKeyError);
      expect(err).toMatchObject({ problem: 'unknown', fingerprint: sshd.hostFingerprint });
      expect((err as Error).message).toContain(`[127.0.0.1]:${sshd.port} is not in ${path}`);
      expect((err as Error).message).toContain(sshd.hostFingerprint);
    }
  });

  it('refuses a host whose key differs from the one known_hosts lists', async () => {
    const dir = tempDir();
    const kh = join(dir, 'known_hosts');
    writeFileSync(kh, `[127.0.0.1]:${sshd.port} ${makeKey(dir, 'impostor').line}\n`);
    const err = await connectSsh(target(), { knownHostsPath: kh }).catch((e: unknown) => e);
    expect(err).toMatchObject({ problem: 'changed', fingerprint: sshd.hostFingerprint });
    expect((err as Error).message).toContain(`line 1 lists for [127.0.0.1]:${sshd.port}`);
  });

  it('says authentication failed, naming the key file but not its contents, for a key sshd does not accept', async () => {
    const k = makeKey(tempDir(), 'stranger');
    const err = await connectSsh(target({ keyPath: k.privatePath, hostFingerprint: sshd.hostFingerprint })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SshError);
    expect((err as Error).message).toBe(
      `ssh ${sshd.user}@127.0.0.1:${sshd.port}: authentication failed (tried key ${k.privatePath})`,
    );
  });

  // Password login cannot succeed here: the account has no password and tests must not set one
  // (UsePAM off: sshd checks the system's password database). So this proves the password is
  // offered and a refusal is reported clearly, without the password in the message.
  it('offers a password, and reports its refusal without revealing it', async () => {
    const password = 'hunter2-not-logged';
    const err = await connectSsh({
      host: sshd.host,
      port: sshd.port,
      user: sshd.user,
      password,
      hostFingerprint: sshd.hostFingerprint,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SshError);
    expect((err as Error).message).toBe(
      `ssh ${sshd.user}@127.0.0.1:${sshd.port}: authentication failed (tried password)`,
    );
    expect((err as Error).message).not.toContain(password);
    // Bounded wait for sshd's log line: the refusal is logged as the connection winds down.
    await vi.waitFor(() => expect(sshd.log()).toContain(`Failed password for ${sshd.user} from 127.0.0.1`), {
      timeout: 15_000,
      interval: 50,
    });
  });

  it('names the host and the reason when nothing listens', async () => {
    const err = await connectSsh({
      host: '127.0.0.1',
      port: 1,
      user: 'u',
      password: 'pw',
      hostFingerprint: sshd.hostFingerprint,
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('ssh u@127.0.0.1:1: cannot connect: ECONNREFUSED');
  });

  it('names the key file it cannot read', async () => {
    const missing = join(tempDir(), 'id_missing');
    await expect(connectSsh(target({ keyPath: missing, hostFingerprint: sshd.hostFingerprint }))).rejects.toThrow(
      `ssh ${sshd.user}@127.0.0.1:${sshd.port}: cannot read key file ${missing}: ENOENT`,
    );
  });
});
