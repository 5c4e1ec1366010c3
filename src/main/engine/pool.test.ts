// The worker hop itself, against in-process servers over real gRPC: unary lanes answering through
// their shared ring (more calls in flight than the ring has slots, payloads larger than a slot),
// a one-shard stream cut into chunks by its worker giving the same bytes as a merged one, and
// batch worker threads running at a lower priority than the main thread and the lanes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../log';
import { EngineClient } from './client';
import { BatchSimulateRequest_Output, SimResultChunk } from './gen/engine/v1/engine';
import { SLOT_BYTES, SLOTS } from './lane-ring';
import { defaultBatchWorkers, defaultSimWorkers, WorkerPool } from './pool';
import { EngineServer } from './server';
import testGames from './games.fixture';
import { SimulateStreamClient } from './simulate-client';
import { threadId } from './thread-priority';
import { notLinux, skipTitle } from '../../../scripts/system-deps.mjs';

const TEST_GAMES = join(import.meta.dirname, 'games.fixture.ts');
const servers: EngineServer[] = [];
const clients: EngineClient[] = [];
const pools: WorkerPool[] = [];

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all([...servers.map((s) => s.stop(500)), ...pools.map((p) => p.stop())]);
});

async function serve(opts: Partial<ConstructorParameters<typeof EngineServer>[0]>): Promise<EngineClient> {
  const s = new EngineServer({
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger(),
    registry: testGames(),
    registryModule: TEST_GAMES,
    ...opts,
  });
  servers.push(s);
  await s.start();
  const c = new EngineClient(s.address);
  clients.push(c);
  return c;
}

/** A thread's nice value: field 19 of /proc/self/task/TID/stat (after the parenthesised name). */
function niceOf(tid: number): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

/** CPU ticks (user + system) of every thread of this process. */
function cpuByThread(): Map<number, number> {
  const out = new Map<number, number>();
  for (const t of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(t), Number(f[11]) + Number(f[12]));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return out;
}

describe('unary lanes (shared ring)', () => {
  it(`answers ${SLOTS * 4} concurrent calls on one lane, each with its own reply, in any order of arrival`, async () => {
    const c = await serve({ unaryWorkers: 1, workers: 1 });
    const n = SLOTS * 4;
    const expected: Buffer[] = [];
    for (let i = 0; i < 20; i++) expected.push(Buffer.from((await c.reset('2048', BigInt(i))).state));
    const got = await Promise.all(Array.from({ length: n }, (_, i) => c.reset('2048', BigInt(i % 20))));
    got.forEach((r, i) => expect(Buffer.from(r.state).equals(expected[i % 20])).toBe(true));
    // Steps of those states, also all at once, match steps made one by one.
    const one = await c.step('2048', got[3].state, Uint8Array.of(1)).catch(() => null);
    const many = await Promise.all(
      Array.from({ length: n }, () => c.step('2048', got[3].state, Uint8Array.of(1)).catch(() => null)),
    );
    for (const r of many)
      expect(r === null ? null : Buffer.from(r.state)).toEqual(one === null ? null : Buffer.from(one.state));
  }, 60_000);

  it('carries requests and replies larger than a ring slot, and refusals, beside small calls', async () => {
    const c = await serve({ unaryWorkers: 1, workers: 1 });
    const hint = Uint8Array.from({ length: 2 * SLOT_BYTES }, (_, i) => i % 251);
    const [big, small, refused] = await Promise.all([
      c.reset('wide', 0n, hint),
      c.reset('tictactoe', 0n),
      c.reset('wide', 0n).then(
        () => 'OK',
        (e: Error) => e.message,
      ),
    ]);
    expect(Buffer.from(big.state).equals(Buffer.from(hint))).toBe(true);
    expect(big.obs.length).toBe(8192);
    expect(small.state.length).toBe(11);
    expect(refused).toMatch(/wide needs a hint/);
    const stepped = await c.step('wide', big.state, Uint8Array.of(0));
    expect(Buffer.from(stepped.state).equals(Buffer.from(hint.map((b) => (b + 1) & 255)))).toBe(true);
  }, 60_000);
});

describe('BatchSimulate on one worker (chunks cut in the worker) and on three (merged)', () => {
  it('gives the same bytes: transitions with states and auto-reset, episodes, and an illegal listed action', async () => {
    const one = await serve({ workers: 1 });
    const three = await serve({ workers: 3 });
    const bytes = (chunks: SimResultChunk[]) => Buffer.concat(chunks.map((ch) => SimResultChunk.encode(ch).finish()));
    const runs = [
      {
        envId: '2048',
        seed: 5n,
        numEnvs: 900,
        maxSteps: 7,
        random: { seed: 9n },
        includeState: true,
        autoReset: true,
        chunkSize: 250,
      },
      {
        envId: 'tictactoe',
        seed: 1n,
        numEnvs: 800,
        maxSteps: 30,
        random: { seed: 2n },
        autoReset: true,
        output: BatchSimulateRequest_Output.OUTPUT_EPISODES,
        chunkSize: 97,
      },
    ];
    for (const req of runs) {
      const [a, b] = await Promise.all([one.batch(req), three.batch(req)]);
      expect(a.at(-1)?.last).toBe(true);
      expect(bytes(a).equals(bytes(b))).toBe(true);
    }
    // Action lists: environment 700 plays an occupied cell at its third action.
    const lists = Array.from({ length: 800 }, (_, i) => ({
      actions: (i === 700 ? [0, 1, 0] : [0, 1, 2, 3]).map((a) => Uint8Array.of(a)),
    }));
    const req = { envId: 'tictactoe', seed: 0n, numEnvs: 800, maxSteps: 10, actions: { lists }, chunkSize: 300 };
    const collect = (c: EngineClient) =>
      new Promise<[Buffer, string]>((resolve) => {
        const got: SimResultChunk[] = [];
        const s = c.batchStream(req);
        s.on('data', (d: SimResultChunk) => got.push(d));
        s.on('error', (e: Error) => resolve([bytes(got), e.message]));
        s.on('end', () => resolve([bytes(got), 'OK']));
      });
    const [ra, rb] = await Promise.all([collect(one), collect(three)]);
    expect(ra[1]).toMatch(/environment 700, action 2/);
    expect(ra[1]).toBe(rb[1]);
    expect(ra[0].length).toBeGreaterThan(0);
    expect(ra[0].equals(rb[0])).toBe(true);
  }, 60_000);
});

describe('default batch workers', () => {
  it('is one per core, but one fewer on two cores (the main thread and a lane keep a core)', () => {
    expect([1, 2, 3, 4, 16].map((n) => defaultBatchWorkers(n))).toEqual([1, 1, 3, 4, 16]);
  });

  it('Simulate workers: one per core from four cores up (a large stream then splits over two), one below', () => {
    expect([1, 2, 3, 4, 16].map((n) => defaultSimWorkers(n))).toEqual([1, 1, 1, 4, 16]);
  });
});

describe.skipIf(notLinux)(skipTitle('thread priority', notLinux), () => {
  it('runs batch workers at nice 10, and the lanes at the nice value of the thread that started them', async () => {
    const pool = new WorkerPool({ workers: 2, budgetMs: 3000, logger: silentLogger() });
    pools.push(pool);
    await pool.start();
    const batch = [pool.batchWorker(0), pool.batchWorker(1)];
    await Promise.all(batch.map((h) => h.whenReady()));
    // Threads start at their creator's nice value; lowering it to 10 needs no privilege.
    const mine = niceOf(threadId()!);
    for (const h of batch) expect(niceOf(h.tid!)).toBe(Math.max(10, mine));
    for (const l of pool.lanes) expect(niceOf(l.tid!)).toBe(mine);
  }, 60_000);

  it("runs a Simulate stream on a thread at the nice value of the thread that started the engine, not at the batch workers' 10", async () => {
    const c = await serve({ workers: 1, unaryWorkers: 1 });
    const sim = new SimulateStreamClient(c, 60_000);
    let r = await sim.open({ envId: 'tictactoe', numEnvs: 4096, seed: 7n });
    const before = cpuByThread();
    for (let k = 0; k < 20; k++) {
      const actions = Array.from({ length: 4096 }, (_, i) => r.actionMask.subarray(i * 9, i * 9 + 9).indexOf(1));
      r = await sim.step(actions);
    }
    const after = cpuByThread();
    sim.close();
    await sim.ended;
    // The thread other than this one that burned the most CPU over those steps ran the games.
    const me = threadId()!;
    let busiest = -1;
    let most = -1;
    for (const [tid, t] of after) {
      const used = t - (before.get(tid) ?? 0);
      if (tid !== me && tid !== process.pid && used > most) [busiest, most] = [tid, used];
    }
    expect(most).toBeGreaterThan(0);
    expect(niceOf(busiest)).toBe(niceOf(me));
  }, 60_000);
});
