// The engine cannot be hung or swamped by a request: games run in workers with a budget, streams
// are admitted within limits, error messages are capped, and the main thread stays free to answer.
// Against the real engine program in a child process (as a client sees it) and against in-process
// servers with test games (games.fixture.ts) where the test needs the server's counters.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, loadPackageDefinition, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProto } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../log';
import { EngineClient, EngineRpcError } from './client';
import type { SimResultChunk } from './gen/engine/v1/engine';
import { EngineServer } from './server';
import { startTarget, type EngineTarget } from './target.fixture';
import testGames from './games.fixture';

const u8 = (...v: number[]) => Uint8Array.from(v);
const TEST_GAMES = join(import.meta.dirname, 'games.fixture.ts');

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    if (e instanceof EngineRpcError) return status[e.code];
    throw e;
  }
}

type HealthClient = Client & {
  check: (req: object, opts: object, cb: (e: ServiceError | null, r: { status: string }) => void) => void;
};
function healthOf(address: string): { check(): Promise<string>; close(): void } {
  const pkg = loadPackageDefinition(loadSync(healthProto, { enums: String })) as unknown as {
    grpc: { health: { v1: { Health: new (addr: string, creds: unknown) => HealthClient } } };
  };
  const c = new pkg.grpc.health.v1.Health(address, credentials.createInsecure());
  return {
    check: () =>
      new Promise((resolve, reject) =>
        c.check({ service: '' }, { deadline: Date.now() + 10_000 }, (e, r) => (e ? reject(e) : resolve(r.status))),
      ),
    close: () => c.close(),
  };
}

describe('the engine program (child process), as a client sees it', () => {
  let target: EngineTarget;
  let a: EngineClient;
  beforeAll(async () => {
    target = await startTarget();
    a = new EngineClient(target.address);
  }, 40_000);
  afterAll(async () => {
    a?.close();
    await target?.stop();
  });

  it('answers a 2048 Step whose RNG stands at word 2^53 - 1 (it once hung the process), 100 times, health checks between', async () => {
    const start = (await a.reset('2048', 11n)).state.slice();
    Buffer.from(start.buffer, start.byteOffset).writeBigUInt64LE(2n ** 53n - 1n, 57);
    const health = healthOf(target.address);
    for (let i = 0; i < 100; i++) {
      const codes = await Promise.all([0, 1, 2, 3].map((d) => outcome(a.step('2048', start, u8(d), 10_000))));
      expect(codes.every((c) => c === 'OK' || c === 'INVALID_ARGUMENT')).toBe(true);
      expect(codes).toContain('OK');
      expect(await health.check()).toBe('SERVING');
    }
    const out = (await Promise.all([0, 1, 2, 3].map((d) => a.step('2048', start, u8(d)).catch(() => null)))).find(
      (r) => r !== null,
    )!;
    expect(Buffer.from(out.state).readBigUInt64LE(57)).toBeGreaterThan(2n ** 53n);
    health.close();
  }, 120_000);

  it('answers NOT_FOUND for a 100 KB env_id with a short message, and the same connection serves the next call', async () => {
    const long = 'x'.repeat(100_000);
    const e = await a.step(long, u8(0), u8(0), 10_000).then(
      () => null,
      (err: EngineRpcError) => err,
    );
    expect(e?.code).toBe(status.NOT_FOUND);
    expect(e!.details.length).toBeLessThan(400);
    expect(e!.details).toMatch(/unknown env_id "x{64}"… \(100000 characters\)/);
    expect((await a.reset('tictactoe', 1n, new Uint8Array(0), 10_000)).state.length).toBe(11);
  });

  it("agrees with engine.proto's comment on the status of a Step after the episode ended", async () => {
    const proto = readFileSync(join(import.meta.dirname, '../../../proto/engine/v1/engine.proto'), 'utf8');
    const comment = /((?:\s*\/\/.*\n)+)\s*rpc Step\(/.exec(proto)![1].replace(/\s*\/\/\s*/g, ' ');
    // The clause naming the ended episode, and the status code it starts with.
    const clause = comment.split(/(?=\b[A-Z_]{6,}\b)/).find((c) => /episode (ended|is over)|finished episode/.test(c));
    const promised = /^\s*([A-Z_]+)/.exec(clause ?? '')?.[1];
    let state = (await a.reset('tictactoe', 0n)).state;
    for (const c of [0, 3, 1, 4, 2]) state = (await a.step('tictactoe', state, u8(c))).state;
    expect(await outcome(a.step('tictactoe', state, u8(8)))).toBe(promised);
  });

  it('answers arbitrary state and action bytes with OK or a refusal, never INTERNAL, never a hang (property)', async () => {
    const fc = (await import('fast-check')).default;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('tictactoe', '2048'),
        fc.oneof(
          fc.uint8Array({ maxLength: 80 }),
          fc.uint8Array({ minLength: 65, maxLength: 65 }),
          fc.uint8Array({ minLength: 11, maxLength: 11 }).map((b) => b.map((x) => x % 3)),
        ),
        fc.uint8Array({ maxLength: 2 }),
        async (envId, state, action) => {
          expect(['OK', 'INVALID_ARGUMENT', 'FAILED_PRECONDITION']).toContain(
            await outcome(a.step(envId, state, action, 10_000)),
          );
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);
});

describe('workers, budgets and admission (in-process servers with test games)', () => {
  const servers: EngineServer[] = [];
  const clients: EngineClient[] = [];
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'engine-isolation-'));
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all(servers.map((s) => s.stop(500)));
    rmSync(dir, { recursive: true, force: true });
  });

  async function serve(
    opts: Partial<ConstructorParameters<typeof EngineServer>[0]>,
  ): Promise<[EngineServer, EngineClient]> {
    const s = new EngineServer({
      host: '127.0.0.1',
      port: 0,
      logger: silentLogger(),
      registry: testGames(),
      registryModule: TEST_GAMES,
      workers: 2,
      ...opts,
    });
    servers.push(s);
    await s.start();
    const c = new EngineClient(s.address);
    clients.push(c);
    return [s, c];
  }

  it('answers Step and health checks while every batch worker is busy with a stream', async () => {
    const [server, c] = await serve({ budgetMs: 120_000 });
    const gate = join(dir, 'open-1');
    const call = c.batchStream({
      envId: 'gate',
      numEnvs: 600,
      maxSteps: 2,
      random: { seed: 0n },
      hint: Buffer.from(gate),
    });
    const got: SimResultChunk[] = [];
    call.on('data', (d: SimResultChunk) => got.push(d));
    const ended = new Promise<void>((resolve, reject) => (call.on('end', resolve), call.on('error', reject)));
    await expect.poll(() => server.activeStreams).toBe(1);
    // The stream's first slice is blocked in both batch workers until the gate opens.
    const s = await c.reset('tictactoe', 1n, new Uint8Array(0), 10_000);
    expect((await c.step('tictactoe', s.state, u8(4), 10_000)).state[4]).toBe(1);
    const health = healthOf(server.address);
    expect(await health.check()).toBe('SERVING');
    health.close();
    expect(got).toHaveLength(0);
    writeFileSync(gate, '');
    await ended;
    expect(got.flatMap((g) => g.transitions)).toHaveLength(1200);
  }, 60_000);

  it('cuts off a Step past its budget with RESOURCE_EXHAUSTED, replaces the worker, counts it, and serves everyone else', async () => {
    const [server, c] = await serve({ budgetMs: 300, sliceBudgetMs: 300, unaryWorkers: 2 });
    const stuck = c.reset('spin', 0n).then((r) => c.step('spin', r.state, u8(0), 30_000));
    const others = Array.from({ length: 20 }, (_, i) => c.reset('tictactoe', BigInt(i), new Uint8Array(0), 30_000));
    const e = await stuck.then(
      () => null,
      (err: EngineRpcError) => err,
    );
    expect(e?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(e?.details).toMatch(/Step ran past its budget of 300 ms/);
    expect((await Promise.all(others)).every((r) => r.state.length === 11)).toBe(true);
    const text = server.metrics.render();
    expect(text).toMatch(/engine_budget_exceeded_total\{method="Step"\} 1/);
    expect(text).toMatch(/engine_worker_restarts_total\{reason="budget"\} 1/);
    // A stream whose slice runs past the budget ends the same way.
    expect(await outcome(c.batch({ envId: 'spin', numEnvs: 1, maxSteps: 5, random: { seed: 0n } }, 30_000))).toBe(
      'RESOURCE_EXHAUSTED',
    );
    expect(server.metrics.render()).toMatch(/engine_budget_exceeded_total\{method="BatchSimulate"\} 1/);
    const r = await c.reset('2048', 3n, new Uint8Array(0), 10_000);
    expect(r.state.length).toBe(65);
  }, 60_000);

  it('admits at most maxStreams streams and maxStreamBytes of them; a cancelled stream gives its share back at once', async () => {
    const [server, c] = await serve({ maxStreams: 2, maxStreamBytes: 64 << 20 });
    const forever = { envId: 'tictactoe', numEnvs: 1000, maxSteps: 10_000_000, random: { seed: 1n }, autoReset: true };
    const open = () => {
      const call = c.batchStream(forever);
      call.on('error', () => {});
      const first = new Promise<void>((resolve) => call.once('data', () => (call.pause(), resolve())));
      return { call, first };
    };
    const s1 = open();
    const s2 = open();
    await Promise.all([s1.first, s2.first]);
    expect(server.admittedStreams).toBe(2);
    const e = await c.batch(forever).then(
      () => null,
      (err: EngineRpcError) => err,
    );
    expect([e?.code, e?.details]).toEqual([
      status.RESOURCE_EXHAUSTED,
      expect.stringMatching(/2 streams are running \(BatchSimulate and Simulate\).*engine.maxStreams/),
    ]);
    const held = server.heldStreamBytes;
    expect(held).toBeGreaterThan(0);
    s1.call.cancel();
    await expect.poll(() => server.heldStreamBytes).toBeLessThan(held);
    const s3 = open();
    await s3.first;
    // More than the memory budget in one request is refused outright.
    const big = await c.batch({ ...forever, numEnvs: 65_536 }).then(
      () => null,
      (err: EngineRpcError) => err,
    );
    expect([big?.code, big?.details]).toEqual([
      status.RESOURCE_EXHAUSTED,
      expect.stringMatching(/engine.streamMemoryMB/),
    ]);
    s2.call.cancel();
    s3.call.cancel();
    await expect.poll(() => [server.admittedStreams, server.heldStreamBytes, server.activeStreams]).toEqual([0, 0, 0]);
  }, 60_000);
});
