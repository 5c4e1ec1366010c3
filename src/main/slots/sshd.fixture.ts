// For tests: a real OpenSSH server on 127.0.0.1, run as the current user from a temp config with
// its own host key and a temp client key, so SSH deploy and restart are tested against the real
// thing (SFTP via internal-sftp). Password logins cannot succeed here: with UsePAM off sshd checks
// the system password database, and tests must not set a password on the machine's account.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const SSHD_PATH = '/usr/sbin/sshd';

/** Why SSH tests cannot run here (null: they can). */
export function sshdUnavailableReason(): string | null {
  if (process.platform === 'win32') return 'OpenSSH server tests need a POSIX system';
  if (!existsSync(SSHD_PATH)) return `${SSHD_PATH} is missing (install openssh-server)`;
  return null;
}

export interface TestSshd {
  host: string;
  port: number;
  user: string;
  /** Private key sshd accepts (authorized_keys). */
  clientKeyPath: string;
  /** The host key's fingerprint as `ssh-keygen -l` prints it (`SHA256:…`). */
  hostFingerprint: string;
  /** `<type> <base64>` of the host public key, for known_hosts lines. */
  hostKey: string;
  /** A folder for the test's own files (removed on stop). */
  dir: string;
  /** What sshd has logged so far (stderr, `-e`). */
  log(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function keygen(path: string, comment: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], { stdio: 'ignore' });
}

/** `SHA256:…` of a `<type> <base64> [comment]` public key line, computed like ssh-keygen -l. */
function fingerprintOfLine(line: string): string {
  const blob = Buffer.from(line.trim().split(/\s+/)[1], 'base64');
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/** Starts sshd; resolves once it listens. Tries a few ports, since a free port may be taken before sshd binds it. */
export async function startTestSshd(opts: { readyTimeoutMs?: number } = {}): Promise<TestSshd> {
  const reason = sshdUnavailableReason();
  if (reason) throw new Error(reason);
  // sshd insists on its privilege separation folder even when it runs unprivileged.
  if (!existsSync('/run/sshd')) {
    try {
      mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    } catch (e) {
      throw new Error(
        `cannot create /run/sshd, which sshd requires: ${(e as NodeJS.ErrnoException).code}; run "sudo mkdir -p /run/sshd" once`,
      );
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'cr-sshd-'));
  try {
    keygen(join(dir, 'host_ed25519'), 'test-sshd-host');
    keygen(join(dir, 'client_ed25519'), 'test-sshd-client');
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_ed25519.pub')), { mode: 0o600 });
    const hostKey = readFileSync(join(dir, 'host_ed25519.pub'), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
    let lastError: Error | null = null;
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort();
      try {
        const { child, log } = await launch(dir, port, opts.readyTimeoutMs ?? 10_000);
        return {
          host: '127.0.0.1',
          port,
          user: userInfo().username,
          clientKeyPath: join(dir, 'client_ed25519'),
          hostFingerprint: fingerprintOfLine(hostKey),
          hostKey,
          dir,
          log,
          stop: () => stop(child, dir),
        };
      } catch (e) {
        lastError = e as Error;
      }
    }
    throw lastError ?? new Error('sshd did not start');
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

function launch(
  dir: string,
  port: number,
  readyTimeoutMs: number,
): Promise<{ child: ChildProcess; log: () => string }> {
  const config = join(dir, `sshd_config_${port}`);
  writeFileSync(
    config,
    [
      `ListenAddress 127.0.0.1:${port}`,
      `HostKey ${join(dir, 'host_ed25519')}`,
      `PidFile ${join(dir, `sshd_${port}.pid`)}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin yes',
      'StrictModes no',
      'UsePAM no',
      'PubkeyAuthentication yes',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'UseDNS no',
      'LogLevel INFO',
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  );
  // A shell in between holds sshd and kills it when our stdin closes: if the test process dies
  // without running its cleanup, sshd still goes with it instead of lingering on the port.
  const child = spawn(
    '/bin/sh',
    ['-c', `"${SSHD_PATH}" -D -e -f "${config}" & pid=$!; cat >/dev/null; kill $pid 2>/dev/null; wait $pid`],
    {
      stdio: ['pipe', 'ignore', 'pipe'],
    },
  );
  let log = '';
  child.stderr!.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`sshd did not report listening on port ${port} within ${readyTimeoutMs} ms: ${log.trim()}`)),
      readyTimeoutMs,
    );
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.stdin!.end();
      reject(e);
    };
    child.stderr!.on('data', (chunk: string) => {
      log += chunk;
      if (log.length > 200_000) log = log.slice(-100_000);
      if (/Server listening on 127\.0\.0\.1 port \d+/.test(log)) {
        clearTimeout(timer);
        resolve({ child, log: () => log });
      }
    });
    child.on('exit', (code) => fail(new Error(`sshd exited with code ${code}: ${log.trim()}`)));
    child.on('error', fail);
  });
}

function stop(child: ChildProcess, dir: string): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      rmSync(dir, { recursive: true, force: true });
      resolve();
    };
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', done);
    child.stdin!.end();
  });
}
