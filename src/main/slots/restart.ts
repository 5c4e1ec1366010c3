// Runs a slot's restart command: locally with /bin/sh, or over SSH on the deploy host when the slot
// deploys there (the server lives where its files are). Output is streamed line by line and kept
// bounded; a timeout kills the command.
import { spawn } from 'node:child_process';
import type { ClientChannel } from 'ssh2';
import type { Logger } from '../log';
import { resolveDeployTarget, type DeployTarget, type SecretResolver } from './deploy';
import type { SlotConfig } from './ops';
import { SshError, connectSsh, type SshConnectOptions } from './ssh';

export interface RestartOptions {
  /** Every output line as it arrives (stdout and stderr). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Default 5 minutes. */
  timeoutMs?: number;
  /** Aborting it kills the command as a timeout does (result: `cancelled`). */
  signal?: AbortSignal;
  /** Lines kept in the result (the last ones). Default 200. */
  maxLines?: number;
  /** Resolves `deploy.password` for SSH slots. */
  secrets?: SecretResolver;
  /** Names the password in errors. Default `slots.<id>.deploy.password`. */
  secretPath?: string;
  ssh?: Omit<SshConnectOptions, 'logger'>;
  logger?: Logger;
}

export interface RestartResult {
  /** null when it was killed (timeout, cancel) or ended by a signal. */
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Killed because `signal` was aborted. */
  cancelled: boolean;
  /** The last `maxLines` lines. */
  output: string[];
  /** `local` or `user@host:port`. */
  where: string;
}

const MAX_LINE_CHARS = 4000;
/** After the command exits, how long its output may still drain (a background child can hold the pipe open forever). */
const DRAIN_MS = 1000;
/** Between SIGTERM and SIGKILL on timeout. */
const KILL_GRACE_MS = 2000;

function showDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

/** Splits chunks into lines per stream, caps line length, keeps the last N. */
class LineCollector {
  readonly lines: string[] = [];
  private readonly partial = { stdout: '', stderr: '' };

  constructor(
    private readonly max: number,
    private readonly onLine?: (line: string, stream: 'stdout' | 'stderr') => void,
  ) {}

  push(stream: 'stdout' | 'stderr', chunk: string): void {
    let buf = this.partial[stream] + chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) !== -1) {
      this.emit(stream, buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
    // A line without end is cut rather than buffered without bound.
    while (buf.length > MAX_LINE_CHARS) {
      this.emit(stream, buf.slice(0, MAX_LINE_CHARS) + '…');
      buf = buf.slice(MAX_LINE_CHARS);
    }
    this.partial[stream] = buf;
  }

  flush(): void {
    for (const s of ['stdout', 'stderr'] as const) if (this.partial[s]) this.emit(s, this.partial[s]);
    this.partial.stdout = this.partial.stderr = '';
  }

  note(line: string): void {
    this.emit('stderr', line);
  }

  private emit(stream: 'stdout' | 'stderr', raw: string): void {
    const line = raw.replace(/\r$/, '');
    this.lines.push(line);
    if (this.lines.length > this.max) this.lines.shift();
    this.onLine?.(line, stream);
  }
}

/** Runs `slot.restartCommand` where the slot's server lives: over SSH for `deploy.kind: "ssh"`, else locally. */
export async function runRestartCommand(
  slot: Pick<SlotConfig, 'id' | 'restartCommand' | 'deploy'>,
  opts: RestartOptions = {},
): Promise<RestartResult> {
  const command = slot.restartCommand;
  if (!command) throw new Error(`slot ${slot.id} has no restart command (slots[].restartCommand)`);
  const timeoutMs = opts.timeoutMs ?? 5 * 60_000;
  const lines = new LineCollector(opts.maxLines ?? 200, opts.onLine);
  const deploy = slot.deploy;
  if (deploy?.kind === 'ssh') {
    const secretPath = opts.secretPath ?? `slots.${slot.id}.deploy.password`;
    if (deploy.password !== undefined && !opts.secrets)
      throw new Error(`slot ${slot.id}: ${secretPath} is set but no secret resolver was given`);
    const noSecrets: SecretResolver = { resolve: () => undefined };
    const target = resolveDeployTarget(deploy, opts.secrets ?? noSecrets, secretPath);
    return runOverSsh(target as Extract<DeployTarget, { kind: 'ssh' }>, command, timeoutMs, lines, opts);
  }
  return runLocal(command, timeoutMs, lines, opts);
}

/**
 * Calls `kill(reason)` once: when `timeoutMs` passes or `signal` aborts, whichever comes first.
 * Returns the function that disarms both.
 */
function armKill(
  timeoutMs: number,
  signal: AbortSignal | undefined,
  kill: (reason: 'timeout' | 'cancelled') => void,
): () => void {
  const timer = setTimeout(() => fire('timeout'), timeoutMs);
  const onAbort = () => fire('cancelled');
  function fire(reason: 'timeout' | 'cancelled') {
    disarm();
    kill(reason);
  }
  function disarm() {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
  if (signal?.aborted) queueMicrotask(onAbort);
  else signal?.addEventListener('abort', onAbort, { once: true });
  return disarm;
}

function killNote(reason: 'timeout' | 'cancelled', timeoutMs: number): string {
  return reason === 'timeout'
    ? `restart command timed out after ${showDuration(timeoutMs)}; killed`
    : 'restart command cancelled; killed';
}

function runLocal(
  command: string,
  timeoutMs: number,
  lines: LineCollector,
  opts: RestartOptions,
): Promise<RestartResult> {
  const log = opts.logger;
  return new Promise((resolve, reject) => {
    // Its own process group, so a timeout kills the command's children too, not just the shell.
    const child = spawn('/bin/sh', ['-c', command], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stopped: 'timeout' | 'cancelled' | null = null;
    let killTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    let exit: { code: number | null; signal: string | null } | null = null;
    let open = 2;
    const killGroup = (sig: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, sig);
      } catch {
        // already gone
      }
    };
    const disarm = armKill(timeoutMs, opts.signal, (reason) => {
      stopped = reason;
      log?.warn({ where: 'local', timeoutMs, reason }, 'restart command stopped; killing it');
      lines.note(killNote(reason, timeoutMs));
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
    });
    const finish = () => {
      if (!exit) return;
      disarm();
      clearTimeout(killTimer);
      clearTimeout(drainTimer);
      // The shell may die of SIGTERM while a child that ignores it lives on: do not wait for the grace.
      if (stopped) killGroup('SIGKILL');
      child.stdout!.destroy();
      child.stderr!.destroy();
      lines.flush();
      resolve({
        exitCode: stopped ? null : exit.code,
        signal: exit.signal,
        timedOut: stopped === 'timeout',
        cancelled: stopped === 'cancelled',
        output: lines.lines,
        where: 'local',
      });
    };
    for (const name of ['stdout', 'stderr'] as const) {
      child[name]!.setEncoding('utf8');
      child[name]!.on('data', (c: string) => lines.push(name, c));
      child[name]!.on('close', () => {
        if (--open === 0) finish();
      });
    }
    child.on('error', (e) => {
      disarm();
      reject(
        new Error(`restart command (local): cannot start /bin/sh: ${(e as NodeJS.ErrnoException).code ?? e.message}`),
      );
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      if (open === 0) finish();
      else drainTimer = setTimeout(finish, DRAIN_MS);
    });
  });
}

/** Single-quoted for POSIX shells. */
function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * sshd starts the command in a new session, so the login shell's pid is also the process group of
 * everything the command starts. The wrapper prints it first: a timeout then kills that whole group
 * from a second channel. (The SSH "signal" request reaches only one process, and OpenSSH refuses it
 * for some logins, root's included.)
 */
const PGID_MARK = '__control_room_pgid=';

async function runOverSsh(
  target: Extract<DeployTarget, { kind: 'ssh' }>,
  command: string,
  timeoutMs: number,
  lines: LineCollector,
  opts: RestartOptions,
): Promise<RestartResult> {
  const conn = await connectSsh(target, { ...opts.ssh, logger: opts.logger });
  const where = conn.where;
  const exec = (cmd: string) =>
    new Promise<ClientChannel>((resolve, reject) =>
      conn.client.exec(cmd, (err, s) =>
        err ? reject(new SshError(where, `cannot run the restart command: ${err.message}`)) : resolve(s),
      ),
    );
  const killGroup = async (pgid: number | null, sig: 'TERM' | 'KILL') => {
    if (pgid === null || pgid <= 1) return;
    try {
      const s = await exec(`kill -${sig} -- -${pgid} 2>/dev/null; true`);
      s.resume();
      s.stderr.resume();
      await new Promise((r) => s.once('close', r));
    } catch (e) {
      opts.logger?.warn({ where, err: (e as Error).message }, 'restart: could not send the kill');
    }
  };
  try {
    const stream = await exec(`echo ${PGID_MARK}$$; exec /bin/sh -c ${shQuote(command)}`);
    return await new Promise<RestartResult>((resolve) => {
      let stopped: 'timeout' | 'cancelled' | null = null;
      let pgid: number | null = null;
      let head = '';
      let exit: { code: number | null; signal: string | null } | null = null;
      let killTimer: NodeJS.Timeout | undefined;
      let drainTimer: NodeJS.Timeout | undefined;
      let done = false;
      let killed = false;
      const finish = () => {
        if (done) return;
        done = true;
        disarm();
        clearTimeout(killTimer);
        clearTimeout(drainTimer);
        if (head) lines.push('stdout', head);
        lines.flush();
        // The command may have ended on SIGTERM while a child that ignores it lives on.
        const last = stopped && !killed ? killGroup(pgid, 'KILL') : Promise.resolve();
        void last.then(() =>
          resolve({
            exitCode: stopped ? null : (exit?.code ?? null),
            signal: exit?.signal ?? null,
            timedOut: stopped === 'timeout',
            cancelled: stopped === 'cancelled',
            output: lines.lines,
            where,
          }),
        );
      };
      const disarm = armKill(timeoutMs, opts.signal, (reason) => {
        stopped = reason;
        opts.logger?.warn({ where, timeoutMs, reason }, 'restart command stopped; killing it');
        lines.note(killNote(reason, timeoutMs));
        void killGroup(pgid, 'TERM');
        killTimer = setTimeout(() => {
          killed = true;
          void killGroup(pgid, 'KILL').then(() => {
            stream.close();
            finish();
          });
        }, KILL_GRACE_MS);
      });
      stream.setEncoding('utf8');
      stream.stderr.setEncoding('utf8');
      stream.on('data', (c: string) => {
        if (pgid !== null) return lines.push('stdout', c);
        // The wrapper's first line carries the process group; it is not the command's output.
        head += c;
        const nl = head.indexOf('\n');
        if (nl === -1 && head.length < 100) return;
        const m =
          head.startsWith(PGID_MARK) && nl !== -1 ? /^\d+$/.exec(head.slice(PGID_MARK.length, nl).trim()) : null;
        // No marker (an unusual login shell): output is passed on as is, and a timeout can only close the channel.
        pgid = m ? Number(m[0]) : -1;
        const rest = m ? head.slice(nl + 1) : head;
        head = '';
        if (rest) lines.push('stdout', rest);
      });
      stream.stderr.on('data', (c: string) => lines.push('stderr', c));
      stream.on('exit', (code: number | null, signal?: string) => {
        exit = { code: typeof code === 'number' ? code : null, signal: signal ?? null };
        drainTimer = setTimeout(() => {
          stream.close();
          finish();
        }, DRAIN_MS);
      });
      stream.on('close', finish);
      // A dropped connection ends the command's channel without an exit status.
      conn.client.once('close', finish);
    });
  } finally {
    conn.close();
  }
}
