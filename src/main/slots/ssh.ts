// SSH connections to a slot's host (ssh2), with the host key checked the way OpenSSH would: against
// a pinned `SHA256:` fingerprint, or else the user's known_hosts (hashed names and `[host]:port`
// included). We never accept an unknown key on first use: a deploy writes files and a restart runs
// commands, so the user pins the fingerprint the refusal shows, after checking it out of band.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Client, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import type { Logger } from '../log';

export interface SshTarget {
  host: string;
  port: number;
  user: string;
  /** Private key file (OpenSSH or PEM, without passphrase); `~/` is the user's home. */
  keyPath?: string;
  /** The resolved password: never logged, never part of an error message. */
  password?: string;
  /** `SHA256:…` as `ssh-keygen -l` prints it; otherwise known_hosts decides. */
  hostFingerprint?: string;
}

export interface SshConnectOptions {
  /** Default: `~/.ssh/known_hosts`. */
  knownHostsPath?: string;
  /** Connect + key exchange + authentication. Default 20 s. */
  readyTimeoutMs?: number;
  logger?: Logger;
}

/** `user@host:port`, the "where" of every message. */
export function sshWhere(t: Pick<SshTarget, 'host' | 'port' | 'user'>): string {
  return `${t.user}@${t.host}:${t.port}`;
}

export class SshError extends Error {
  constructor(
    readonly where: string,
    message: string,
  ) {
    super(`ssh ${where}: ${message}`);
    this.name = 'SshError';
  }
}

export type HostKeyProblem = 'pin-mismatch' | 'unknown' | 'changed' | 'revoked';

export class HostKeyError extends SshError {
  constructor(
    where: string,
    readonly problem: HostKeyProblem,
    /** What the server presented: pin this after checking it with the server's admin. */
    readonly fingerprint: string,
    readonly keyType: string,
    detail: string,
  ) {
    super(
      where,
      `host key refused: ${detail}; the server presented ${keyType} ${fingerprint} (set deploy.hostFingerprint to it once you have checked it is the right server)`,
    );
    this.name = 'HostKeyError';
  }
}

export function defaultKnownHostsPath(): string {
  return join(homedir(), '.ssh', 'known_hosts');
}

/** `SHA256:<base64 without padding>` of a public key blob, as `ssh-keygen -l` prints it. */
export function sshKeyFingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/** The key type named inside a public key blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`, …). */
export function sshKeyType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const n = blob.readUInt32BE(0);
  return n > 0 && n < 64 && blob.length >= 4 + n ? blob.subarray(4, 4 + n).toString('latin1') : 'unknown';
}

function normalizeFingerprint(pin: string, where: string): string {
  const p = pin.trim();
  const m = /^SHA256:([A-Za-z0-9+/]+)=*$/.exec(p);
  if (!m)
    throw new SshError(
      where,
      `deploy.hostFingerprint "${p}" is not a SHA256 fingerprint (use the SHA256:… form that ssh-keygen -l prints)`,
    );
  return `SHA256:${m[1]}`;
}

/** The name known_hosts files use for a host: `host`, or `[host]:port` off port 22. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(
    '^' +
      glob
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
    'i',
  );
}

function hostMatches(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) {
    const [, , salt, hash] = patterns.split('|');
    if (!salt || !hash) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
    const want = Buffer.from(hash, 'base64');
    return want.length === mac.length && timingSafeEqual(mac, want);
  }
  // OpenSSH: a negated pattern that matches wins over any positive one.
  let matched = false;
  for (const p of patterns.split(',')) {
    if (p.startsWith('!')) {
      if (globToRegExp(p.slice(1)).test(name)) return false;
    } else if (globToRegExp(p).test(name)) matched = true;
  }
  return matched;
}

export type KnownHostsVerdict =
  | { result: 'match' }
  | { result: 'revoked' }
  /** The host is listed with a different key of the same type. */
  | { result: 'changed'; line: number }
  /** Not listed (or only with keys of other types, named in `otherTypes`). */
  | { result: 'unknown'; otherTypes: string[] };

/** Looks a host key up in known_hosts text. `@cert-authority` lines are ignored (no certificates here). */
export function checkKnownHosts(text: string, host: string, port: number, key: Buffer): KnownHostsVerdict {
  const name = knownHostsName(host, port);
  const type = sshKeyType(key);
  let changed: number | null = null;
  const otherTypes = new Set<string>();
  let match = false;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const fields = lines[i].trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith('#')) continue;
    const marker = fields[0].startsWith('@') ? fields.shift() : undefined;
    const [patterns, keyType, keyB64] = fields;
    if (!patterns || !keyType || !keyB64 || marker === '@cert-authority') continue;
    if (!hostMatches(patterns, name)) continue;
    const same = Buffer.from(keyB64, 'base64').equals(key);
    if (marker === '@revoked') {
      if (same) return { result: 'revoked' };
      continue;
    }
    if (same) match = true;
    else if (keyType === type) changed ??= i + 1;
    else otherTypes.add(keyType);
  }
  if (match) return { result: 'match' };
  if (changed !== null) return { result: 'changed', line: changed };
  return { result: 'unknown', otherTypes: [...otherTypes] };
}

/** Host key algorithms for a key type named in known_hosts (what we ask the server for first). */
function algorithmsFor(keyType: string): string[] {
  if (keyType === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  return [keyType];
}

const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** Key types known_hosts lists for this host, so that (like OpenSSH) we ask for a key we can check. */
function preferredHostKeyAlgorithms(text: string, host: string, port: number): string[] {
  const name = knownHostsName(host, port);
  const preferred: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const fields = raw.trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith('#') || fields[0].startsWith('@')) continue;
    if (fields[1] && hostMatches(fields[0], name))
      for (const a of algorithmsFor(fields[1]))
        if (HOST_KEY_ALGORITHMS.includes(a) && !preferred.includes(a)) preferred.push(a);
  }
  return [...preferred, ...HOST_KEY_ALGORITHMS.filter((a) => !preferred.includes(a))];
}

function expandHome(p: string): string {
  return p === '~' ? homedir() : p.startsWith('~/') ? join(homedir(), p.slice(2)) : p;
}

/** An authenticated SSH connection. Close it when done. */
export class SshConnection {
  constructor(
    readonly client: Client,
    readonly where: string,
    /** The host key's fingerprint, as verified. */
    readonly hostFingerprint: string,
  ) {}

  sftp(): Promise<SFTPWrapper> {
    return new Promise((resolve, reject) => {
      this.client.sftp((err, sftp) =>
        err ? reject(new SshError(this.where, `cannot start SFTP: ${err.message}`)) : resolve(sftp),
      );
    });
  }

  close(): void {
    this.client.end();
  }
}

/** Connects and authenticates; the host key must match the pin or known_hosts. */
export async function connectSsh(target: SshTarget, opts: SshConnectOptions = {}): Promise<SshConnection> {
  const where = sshWhere(target);
  const pin = target.hostFingerprint ? normalizeFingerprint(target.hostFingerprint, where) : null;
  const knownHostsPath = opts.knownHostsPath ?? defaultKnownHostsPath();
  let knownHosts = '';
  if (!pin) {
    try {
      knownHosts = await readFile(knownHostsPath, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new SshError(
          where,
          `cannot read known_hosts ${knownHostsPath}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
        );
    }
  }
  if (!target.keyPath && target.password === undefined)
    throw new SshError(where, 'no credentials: set deploy.keyPath or deploy.password');
  let privateKey: Buffer | undefined;
  if (target.keyPath) {
    const keyPath = expandHome(target.keyPath);
    try {
      privateKey = await readFile(keyPath);
    } catch (e) {
      throw new SshError(where, `cannot read key file ${keyPath}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }

  let refusal: HostKeyError | null = null;
  let fingerprint = '';
  const hostVerifier = (key: Buffer): boolean => {
    fingerprint = sshKeyFingerprint(key);
    const type = sshKeyType(key);
    if (pin) {
      if (fingerprint === pin) return true;
      refusal = new HostKeyError(
        where,
        'pin-mismatch',
        fingerprint,
        type,
        `it does not match the pinned deploy.hostFingerprint ${pin}`,
      );
      return false;
    }
    const v = checkKnownHosts(knownHosts, target.host, target.port, key);
    if (v.result === 'match') return true;
    const name = knownHostsName(target.host, target.port);
    if (v.result === 'revoked')
      refusal = new HostKeyError(where, 'revoked', fingerprint, type, `${knownHostsPath} marks this key @revoked`);
    else if (v.result === 'changed')
      refusal = new HostKeyError(
        where,
        'changed',
        fingerprint,
        type,
        `it differs from the ${type} key ${knownHostsPath} line ${v.line} lists for ${name} (the key changed, or someone is in between)`,
      );
    else
      refusal = new HostKeyError(
        where,
        'unknown',
        fingerprint,
        type,
        `${name} is not in ${knownHostsPath}${v.otherTypes.length ? ` with a ${type} key (it lists ${v.otherTypes.join(', ')})` : ''}`,
      );
    return false;
  };

  const config: ConnectConfig = {
    host: target.host,
    port: target.port,
    username: target.user,
    privateKey,
    password: target.password,
    hostVerifier,
    algorithms: {
      serverHostKey: (pin
        ? HOST_KEY_ALGORITHMS
        : preferredHostKeyAlgorithms(knownHosts, target.host, target.port)) as NonNullable<
        ConnectConfig['algorithms']
      >['serverHostKey'],
    },
    readyTimeout: opts.readyTimeoutMs ?? 20_000,
    // A dead server is noticed within ~30 s instead of hanging a deploy forever.
    keepaliveInterval: 10_000,
    keepaliveCountMax: 3,
  };

  const client = new Client();
  return new Promise<SshConnection>((resolve, reject) => {
    let settled = false;
    client.on('ready', () => {
      settled = true;
      opts.logger?.debug({ where, hostFingerprint: fingerprint }, 'ssh connected');
      resolve(new SshConnection(client, where, fingerprint));
    });
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      if (settled) {
        opts.logger?.warn({ where, err: err.message }, 'ssh connection error');
        return;
      }
      settled = true;
      client.end();
      reject(refusal ?? describeConnectError(err, where, target));
    });
    client.on('close', () => {
      if (settled) return;
      settled = true;
      reject(refusal ?? new SshError(where, 'connection closed before login'));
    });
    try {
      client.connect(config);
      // SFTP is one small request after another: with Nagle + delayed ACKs each costs ~40 ms.
      client.setNoDelay(true);
    } catch (e) {
      // ssh2 throws synchronously for a key it cannot parse; its message never contains the key.
      settled = true;
      reject(new SshError(where, `cannot use key file ${target.keyPath}: ${(e as Error).message}`));
    }
  });
}

function describeConnectError(
  err: Error & { level?: string; code?: string },
  where: string,
  target: SshTarget,
): SshError {
  if (err.level === 'client-authentication') {
    const tried = [target.keyPath ? `key ${target.keyPath}` : null, target.password !== undefined ? 'password' : null]
      .filter(Boolean)
      .join(' and ');
    return new SshError(where, `authentication failed (tried ${tried})`);
  }
  if (err.level === 'client-timeout') return new SshError(where, 'timed out during connect or login');
  if (err.code) return new SshError(where, `cannot connect: ${err.code}`);
  return new SshError(where, err.message);
}
