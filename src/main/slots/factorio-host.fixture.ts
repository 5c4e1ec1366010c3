// For tests and demos: a stand-in headless Factorio server running OUR scenario for real. The
// scenario runs in Lua 5.2 under the Factorio double (scenario/tests/rcon_host.lua), and an
// RconTestServer relays RCON commands to it, so every `/sc` the app sends is executed against
// control.lua and its remote interface. The host saves the map after every command; the stand-in
// client (scenario/tests/fake_client.lua) joins by loading that save, as a real client would.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { RconTestServer } from './rcon-server.fixture';

const TESTS_DIR = resolve(import.meta.dirname, '../../../scenario/tests');

export interface FactorioHostOptions {
  password: string;
  api?: '1.1' | '2.0';
  players?: string[];
  /** The save was created by this older runtime version (a stale save). */
  staleSave?: string;
}

export class FactorioHost {
  readonly rcon: RconTestServer;
  readonly dir = mkdtempSync(join(tmpdir(), 'cr-factorio-host-'));
  readonly savePath = join(this.dir, 'map.save');
  private lua: ChildProcessWithoutNullStreams | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, (out: string) => void>();

  constructor(private readonly opts: FactorioHostOptions) {
    this.rcon = new RconTestServer({ password: opts.password, handler: (cmd) => this.execute(cmd) });
  }

  async start(port = 0): Promise<number> {
    const args = [join(TESTS_DIR, 'rcon_host.lua'), '--api', this.opts.api ?? '2.0', '--save', this.savePath];
    if (this.opts.players?.length) args.push('--players', this.opts.players.join(','));
    if (this.opts.staleSave) args.push('--stale-save', this.opts.staleSave);
    this.lua = spawn('lua5.2', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    this.lua.stderr.on('data', (d) => (stderr += d));
    this.lua.on('exit', (code) => {
      for (const [, w] of this.waiting)
        w(`Cannot execute command. Error: the game process exited (${code}): ${stderr.slice(-300)}`);
      this.waiting.clear();
    });
    createInterface({ input: this.lua.stdout }).on('line', (line) => {
      const { id, out } = JSON.parse(line) as { id: number; out: string };
      this.waiting.get(id)?.(out);
      this.waiting.delete(id);
    });
    return this.rcon.start(port);
  }

  async stop(): Promise<void> {
    await this.rcon.stop();
    this.lua?.stdin.end();
    this.lua?.kill();
  }

  /** Runs a console command in the game, as RCON would; returns what it printed. */
  execute(command: string): Promise<string> {
    if (!this.lua || this.lua.exitCode !== null)
      return Promise.resolve('Cannot execute command. Error: the game is not running');
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.lua!.stdin.write(JSON.stringify({ id, command }) + '\n');
    });
  }

  /** A client executable that joins this host (a shell wrapper around fake_client.lua). */
  clientExecutable(): string {
    const path = join(this.dir, 'factorio');
    writeFileSync(
      path,
      `#!/bin/sh\nFAKE_FACTORIO_SAVE='${this.savePath}' exec lua5.2 '${join(TESTS_DIR, 'fake_client.lua')}' "$@"\n`,
    );
    chmodSync(path, 0o755);
    return path;
  }
}
