// Join test step 6: launch a real Factorio client with --mp-connect and watch its log (Factorio
// prints it on stdout) for the verdict: reaching the in-game state, or the script-event mismatch
// that dynamic handler registration causes, or any other multiplayer failure. Then close it.
import { spawn } from 'node:child_process';

export interface ClientJoinResult {
  ok: boolean;
  /** One line: what happened. */
  summary: string;
  /** The log lines that decided it (and a few before), as evidence. */
  evidence: string[];
}

const IN_GAME = /changing state from\(\w+\) to\(InGame\)/;
const MISMATCH = /script-event-mismatch/;
const FAILED = /MultiplayerManager failed:|Connection to server failed|Couldn't establish network communication/;
/** Lines before the mismatch line that name the events involved. */
const MISMATCH_DETAIL =
  /was not registered for the following events|has registered them as a result of loading|not registered|nth_tick/;

export interface ClientJoinOptions {
  clientPath: string;
  host: string;
  gamePort: number;
  timeoutMs: number;
  /** Each log line as it arrives (for the UI's step log). */
  onLine?(line: string): void;
}

export function runClientJoin(opts: ClientJoinOptions): Promise<ClientJoinResult> {
  return new Promise((resolve) => {
    const recent: string[] = [];
    const evidence: string[] = [];
    let settled = false;
    let partial = '';
    const child = spawn(opts.clientPath, ['--mp-connect', `${opts.host}:${opts.gamePort}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const finish = (r: ClientJoinResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // The client has answered; close it (a real client would otherwise stay in the game).
      if (child.exitCode === null) child.kill('SIGTERM');
      resolve(r);
    };
    const onLine = (line: string) => {
      opts.onLine?.(line);
      recent.push(line);
      if (recent.length > 20) recent.shift();
      if (MISMATCH_DETAIL.test(line)) evidence.push(line);
      if (MISMATCH.test(line))
        finish({
          ok: false,
          summary: 'the server refused the client: multiplayer.script-event-mismatch (handlers registered dynamically)',
          evidence: [...evidence, line],
        });
      else if (FAILED.test(line))
        finish({ ok: false, summary: `the client could not join: ${line.trim()}`, evidence: recent.slice(-5) });
      else if (IN_GAME.test(line))
        finish({ ok: true, summary: 'the client reached the in-game state', evidence: [line] });
    };
    const onData = (d: Buffer) => {
      const text = partial + d.toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) onLine(l.replace(/\r$/, ''));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) =>
      finish({ ok: false, summary: `could not start the client ${opts.clientPath}: ${e.message}`, evidence: [] }),
    );
    // 'close', not 'exit': a client that prints its failure and quits must be judged on what it printed.
    child.on('close', (code, signal) => {
      if (partial.trim()) onLine(partial.replace(/\r$/, ''));
      finish({
        ok: false,
        summary: `the client exited (${signal ?? `code ${code}`}) before joining`,
        evidence: recent.slice(-5),
      });
    });
    const timer = setTimeout(
      () =>
        finish({
          ok: false,
          summary: `no verdict within ${+(opts.timeoutMs / 1000).toFixed(1)} s: the client neither joined nor failed`,
          evidence: recent.slice(-5),
        }),
      opts.timeoutMs,
    );
  });
}
