// The engine a conformance test talks to: ENGINE_ADDRESS (host:port) when set, so the suite can
// check a deployed engine; otherwise `npm run engine`'s program (cli.ts) started as a child process
// on a free loopback port. Tests that need the server's insides use an in-process EngineServer.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../log';
import { EngineClient, EngineRpcError } from './client';
import { EngineServer } from './server';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface EngineTarget {
  address: string;
  /** Set when this suite started the engine (so its /metrics is known). */
  metricsUrl: string | null;
  external: boolean;
  stop(): Promise<void>;
}

export async function startTarget(): Promise<EngineTarget> {
  const given = process.env.ENGINE_ADDRESS;
  if (given)
    return { address: given, metricsUrl: process.env.ENGINE_METRICS_URL ?? null, external: true, stop: async () => {} };
  const proc: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'src/main/engine/cli.ts'), '--port', '0', '--metrics-port', '0'],
    {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const [address, metricsUrl] = await new Promise<[string, string]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`engine did not start in 30 s\n${out}\n${err}`)), 30_000);
    proc.stdout!.on('data', (d) => {
      out += d;
      const a = /engine listening on (\S+)/.exec(out);
      const m = /metrics on (\S+)/.exec(out);
      if (a && m) {
        clearTimeout(timer);
        resolve([a[1], m[1]]);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`engine exited (${code}) before listening\n${out}\n${err}`));
    });
  });
  return {
    address,
    metricsUrl,
    external: false,
    async stop() {
      proc.kill('SIGTERM');
      // An engine that ignores SIGTERM (one stuck in a game loop did) is killed, so the run ends.
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The suites' fixture: the target engine, a second in-process server, and a client of each. */
export interface EnginePair {
  target: EngineTarget;
  local: EngineServer;
  a: EngineClient;
  b: EngineClient;
  stop(): Promise<void>;
}

export async function startPair(): Promise<EnginePair> {
  const target = await startTarget();
  const local = new EngineServer({ host: '127.0.0.1', port: 0, logger: silentLogger() });
  await local.start();
  const a = new EngineClient(target.address);
  const b = new EngineClient(local.address);
  return {
    target,
    local,
    a,
    b,
    async stop() {
      a.close();
      b.close();
      await local.stop();
      await target.stop();
    },
  };
}

/** The gRPC error a call that must be refused ends with; anything else (or success) fails the test. */
export async function refused(p: Promise<unknown>): Promise<EngineRpcError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof EngineRpcError) return e;
    throw new Error(`expected a gRPC status, got ${String(e)}`);
  }
  throw new Error('expected the call to fail');
}
