// Engine server speed, each figure beside a ceiling measured in the same run:
// 1. in-process steps/s (the ceiling of everything else): unary-shaped (decode, step, encode) and
//    BatchSimulate-shaped (state kept decoded, random legal action).
// 2. unary Step latency from one sequential client in this process to the server in another,
//    beside a bare grpc-js unary echo answering fixed bytes of the same sizes, and the same echo
//    answered after a round trip to an idle worker (the hop alone, no game work) by postMessage
//    and through a SharedArrayBuffer (the lanes' mechanism); rounds alternate.
// 3. unary throughput with 64 calls in flight, same pair.
// 4. BatchSimulate transitions/s received and decoded by the client, with 1 and 2 game workers,
//    beside a bare stream of the same chunk bytes (decoded the same way) and beside the in-process
//    single-thread rate of the same work (stepping, encoding, merging: Shard + ChunkAssembler).
// Each figure is printed with its goal (issue 16). Run: `npm run bench engine.bench`
// (BENCH_BATCH_NICE=0 runs the batch workers at the main thread's priority instead of nice 10).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Metadata, type Client } from '@grpc/grpc-js';
import { EngineClient } from '../src/main/engine/client';
import {
  BatchSimulateRequest,
  SimResultChunk,
  StepRequest,
  StepResponse,
} from '../src/main/engine/gen/engine/v1/engine';
import { ChunkAssembler } from '../src/main/engine/merge';
import { builtInGames } from '../src/main/engine/registry';
import { Shard } from '../src/main/engine/shard';
import { perResultBytes } from '../src/main/engine/stream';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const PER_ROUND = Number(process.env.BENCH_CALLS ?? 1000);
const STREAM_TRANSITIONS = Number(process.env.BENCH_TRANSITIONS ?? 2_000_000);
const BATCH_NICE = process.env.BENCH_BATCH_NICE ?? '';
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
console.log(`engine bench: ${availableParallelism()} cores; load average before ${load()}`);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)];
const us = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

// 1. In process.
const reg = builtInGames();
function inProcess(envId: string, ms: number): { unary: number; batch: number } {
  const g = reg.create(envId);
  let state = g.reset(1n, new Uint8Array(0)).state.slice();
  const env = g.newEnv();
  env.reset(1n, new Uint8Array(0));
  const act = new Uint8Array(1);
  let n = 0;
  let t0 = performance.now();
  let seed = 1n;
  while (performance.now() - t0 < ms) {
    for (let k = 0; k < 1000; k++) {
      // Unary-shaped: bytes in, bytes out, with an action picked from the state bytes.
      try {
        const out = g.step(state, pickLegal(envId, state, act));
        state = out.done ? g.reset(++seed, new Uint8Array(0)).state.slice() : out.state.slice();
      } catch {
        state = g.reset(++seed, new Uint8Array(0)).state.slice();
      }
      n++;
    }
  }
  const unary = (n * 1000) / (performance.now() - t0);
  n = 0;
  t0 = performance.now();
  let rng = 0x12345;
  while (performance.now() - t0 < ms) {
    for (let k = 0; k < 1000; k++) {
      if (env.done) env.reset(++seed, new Uint8Array(0));
      rng = (Math.imul(rng, 1103515245) + 12345) >>> 0;
      env.stepLegal(rng % env.legalCount);
      env.obs();
      n++;
    }
  }
  return { unary, batch: (n * 1000) / (performance.now() - t0) };
}

/** First legal action from the state bytes (tictactoe: first empty cell; 2048: try in order). */
function pickLegal(envId: string, state: Uint8Array, act: Uint8Array): Uint8Array {
  if (envId === 'tictactoe') act[0] = state.subarray(0, 9).indexOf(0);
  else act[0] = (state[20] + state[21]) & 3;
  return act;
}

const ttt = inProcess('tictactoe', 1500);
const g2048 = inProcess('2048', 1500);
console.log(
  `in-process steps/s: tictactoe unary-shaped ${fmt(ttt.unary)}, batch-shaped ${fmt(ttt.batch)}; 2048 unary-shaped ${fmt(g2048.unary)}, batch-shaped ${fmt(g2048.batch)}`,
);

// Sizes for the bare servers: a real StepResponse and a real BatchSimulate chunk.
const sample = reg.create('tictactoe');
const resetState = sample.reset(1n, new Uint8Array(0)).state.slice();
const stepReply = Buffer.from(StepResponse.encode(sample.step(resetState, Uint8Array.of(4))).finish());
const request: StepRequest = { id: { envId: 'tictactoe', buildId: '' }, state: resetState, action: Uint8Array.of(4) };

const child = spawn(
  process.execPath,
  ['--import', 'tsx', 'bench/engine-servers.ts', stepReply.toString('base64'), ''],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const ports = await new Promise<{ engine: number; bare: number }>((resolve) =>
  child.stdout.once('data', (d) => resolve(JSON.parse(String(d)))),
);
const engine = new EngineClient(`127.0.0.1:${ports.engine}`);
const firstChunk = (
  await engine.batch({
    envId: 'tictactoe',
    seed: 1n,
    numEnvs: 1000,
    maxSteps: 1,
    random: { seed: 1n },
    chunkSize: 1000,
  })
)[0];
child.kill('SIGTERM');
const chunkBytes = Buffer.from(SimResultChunk.encode(firstChunk).finish());
engine.close();

const chunkFile = join(mkdtempSync(join(tmpdir(), 'cr-bench-engine-')), 'chunk.bin');
writeFileSync(chunkFile, chunkBytes);
const servers = spawn(
  process.execPath,
  ['--import', 'tsx', 'bench/engine-servers.ts', stepReply.toString('base64'), chunkFile],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const p = await new Promise<{ engine: number; bare: number }>((resolve) =>
  servers.stdout.once('data', (d) => resolve(JSON.parse(String(d)))),
);
const eng = new EngineClient(`127.0.0.1:${p.engine}`);
const bare = eng.raw.constructor as unknown as new (
  addr: string,
  creds: ReturnType<typeof credentials.createInsecure>,
) => Client;
const bareClient = new bare(`127.0.0.1:${p.bare}`, credentials.createInsecure());
const encodeReq = (r: StepRequest) => Buffer.from(StepRequest.encode(r).finish());

const engineStep = () =>
  new Promise<void>((resolve, reject) => eng.raw.step(request, (e) => (e ? reject(e) : resolve())));
const hopStep = () =>
  new Promise<void>((resolve, reject) =>
    bareClient.makeUnaryRequest(
      '/bench.Bare/Hop',
      encodeReq,
      (b: Buffer) => StepResponse.decode(b),
      request,
      new Metadata(),
      {},
      (e) => (e ? reject(e) : resolve()),
    ),
  );
const ringStep = () =>
  new Promise<void>((resolve, reject) =>
    bareClient.makeUnaryRequest(
      '/bench.Bare/Ring',
      encodeReq,
      (b: Buffer) => StepResponse.decode(b),
      request,
      new Metadata(),
      {},
      (e) => (e ? reject(e) : resolve()),
    ),
  );
const bareStep = () =>
  new Promise<void>((resolve, reject) =>
    bareClient.makeUnaryRequest(
      '/bench.Bare/Echo',
      encodeReq,
      (b: Buffer) => StepResponse.decode(b),
      request,
      new Metadata(),
      {},
      (e) => (e ? reject(e) : resolve()),
    ),
  );

// 2. Sequential latency, alternating rounds (warm-up first).
for (let i = 0; i < 300; i++) {
  await engineStep();
  await bareStep();
  await hopStep();
  await ringStep();
}
const lat = { engine: [] as number[], bare: [] as number[], hop: [] as number[], ring: [] as number[] };
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, fn] of [
    ['engine', engineStep],
    ['bare', bareStep],
    ['hop', hopStep],
    ['ring', ringStep],
  ] as const) {
    for (let i = 0; i < PER_ROUND; i++) {
      const t = performance.now();
      await fn();
      lat[name].push(performance.now() - t);
    }
  }
}
const e50 = pct(lat.engine, 0.5);
const b50 = pct(lat.bare, 0.5);
const e99 = pct(lat.engine, 0.99);
const b99 = pct(lat.bare, 0.99);
console.log(
  `unary Step, 1 client, sequential (${lat.engine.length} calls each): p50 ${us(e50)} vs bare echo ${us(b50)} (${(e50 / b50).toFixed(2)}×, goal ≤ 1.15×); p99 ${us(e99)} vs ${us(b99)} (${(e99 / b99).toFixed(2)}×, goal ≤ 1.3×)`,
);
const h50 = pct(lat.hop, 0.5);
const h99 = pct(lat.hop, 0.99);
console.log(
  `  bare echo after a postMessage round trip to an idle worker (the hop alone): p50 ${us(h50)} (${(h50 / b50).toFixed(2)}× bare echo), p99 ${us(h99)} (${(h99 / b99).toFixed(2)}×)`,
);
const r50 = pct(lat.ring, 0.5);
const r99 = pct(lat.ring, 0.99);
console.log(
  `  bare echo after the same round trip through a SharedArrayBuffer (Atomics.wait / waitAsync): p50 ${us(r50)} (${(r50 / b50).toFixed(2)}× bare echo), p99 ${us(r99)} (${(r99 / b99).toFixed(2)}×)`,
);

// 3. 64 in flight.
async function inFlight(fn: () => Promise<void>, total: number): Promise<number> {
  let started = 0;
  const t = performance.now();
  const worker = async () => {
    while (started < total) {
      started++;
      await fn();
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  return (total * 1000) / (performance.now() - t);
}
const tput = { engine: 0, bare: 0 };
for (let r = 0; r < 3; r++) {
  tput.engine = Math.max(tput.engine, await inFlight(engineStep, 6000));
  tput.bare = Math.max(tput.bare, await inFlight(bareStep, 6000));
}
console.log(
  `unary Step, 64 in flight (best of 3 × 6,000): ${fmt(tput.engine)} calls/s vs bare echo ${fmt(tput.bare)} calls/s (${(tput.engine / tput.bare).toFixed(2)}×)`,
);

// 4. Streams: transitions received and decoded.
async function drain(stream: NodeJS.ReadableStream): Promise<number> {
  let n = 0;
  const t = performance.now();
  await new Promise<void>((resolve, reject) => {
    stream.on(
      'data',
      (c: Buffer | SimResultChunk) => (n += (Buffer.isBuffer(c) ? SimResultChunk.decode(c) : c).transitions.length),
    );
    stream.on('end', () => resolve());
    stream.on('error', reject);
  });
  return (n * 1000) / (performance.now() - t);
}
const chunks = Math.ceil(STREAM_TRANSITIONS / firstChunk.transitions.length);
const nreq = Buffer.alloc(4);
nreq.writeUInt32LE(chunks);
const streamReq = {
  envId: 'tictactoe',
  seed: 1n,
  numEnvs: 1000,
  maxSteps: Math.ceil(STREAM_TRANSITIONS / 1000),
  random: { seed: 1n },
  autoReset: true,
  chunkSize: 1000,
};

/** The same request stepped, encoded and chunked in this thread alone: the single-thread ceiling. */
function inProcessStream(envId: string, numEnvs: number, maxSteps: number): number {
  const { envId: _ignored, ...rest } = streamReq;
  const req = BatchSimulateRequest.fromPartial({ ...rest, id: { envId, buildId: '' }, numEnvs, maxSteps });
  const shard = new Shard(req, reg.create(envId), 0, numEnvs);
  let steps = 0;
  const asm = new ChunkAssembler(
    { chunkSize: 1000, maxChunkBytes: 1 << 20, perResult: perResultBytes(req, reg.create(envId).info) },
    (n) => (steps += n),
  );
  const t = performance.now();
  while (!shard.finished) for (const _chunk of asm.add([shard.run(Math.max(1, Math.floor(8192 / numEnvs)))]));
  asm.finish();
  return (steps * 1000) / (performance.now() - t);
}
// Best of two: the first run also pays for compiling the code.
const ceilingTtt = Math.max(
  inProcessStream('tictactoe', 1000, Math.ceil(STREAM_TRANSITIONS / 2000)),
  inProcessStream('tictactoe', 1000, Math.ceil(STREAM_TRANSITIONS / 2000)),
);
const ceiling2048 = Math.max(inProcessStream('2048', 1000, 600), inProcessStream('2048', 1000, 600));
console.log(
  `in-process single thread, BatchSimulate work (step, encode, chunk), 1,000 envs: tictactoe ${fmt(ceilingTtt)}/s, 2048 ${fmt(ceiling2048)}/s`,
);

const rate = { bare: 0 };
for (let r = 0; r < 2; r++)
  rate.bare = Math.max(
    rate.bare,
    await drain(
      bareClient.makeServerStreamRequest(
        '/bench.Bare/Stream',
        (b: Buffer) => b,
        (b: Buffer) => b,
        nreq,
        new Metadata(),
        {},
      ),
    ),
  );
eng.close();
bareClient.close();
servers.kill('SIGTERM');

const byWorkers: Record<number, { ttt: number; g2048: number }> = {};
for (const workers of [1, 2]) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/engine-servers.ts',
      stepReply.toString('base64'),
      chunkFile,
      String(workers),
      BATCH_NICE,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const ports = await new Promise<{ engine: number }>((resolve) =>
    child.stdout.once('data', (d) => resolve(JSON.parse(String(d)))),
  );
  const c = new EngineClient(`127.0.0.1:${ports.engine}`);
  let ttt = 0;
  let g2048 = 0;
  for (let r = 0; r < 2; r++) {
    ttt = Math.max(ttt, await drain(c.batchStream(streamReq)));
    g2048 = Math.max(g2048, await drain(c.batchStream({ ...streamReq, envId: '2048', maxSteps: 600 })));
  }
  byWorkers[workers] = { ttt, g2048 };
  c.close();
  child.kill('SIGTERM');
}
console.log(
  `BatchSimulate, 1,000 envs, chunks of 1,000 transitions (tictactoe ${fmt(chunkBytes.length)} B), received and decoded by one client, best of 2 (batch workers nice ${BATCH_NICE || 10}):`,
);
console.log(`  bare grpc-js stream of the same tictactoe chunk: ${fmt(rate.bare)} transitions/s`);
for (const w of [1, 2]) {
  const r = byWorkers[w];
  console.log(
    `  ${w} worker(s): tictactoe ${fmt(r.ttt)}/s (${(r.ttt / rate.bare).toFixed(2)}× bare stream, goal ≥ 0.8×; ${(r.ttt / ceilingTtt).toFixed(2)}× in-process); 2048 ${fmt(r.g2048)}/s (${(r.g2048 / ceiling2048).toFixed(2)}× in-process single thread)`,
  );
}
console.log(
  `  scaling 1 -> 2 workers: tictactoe ${(byWorkers[2].ttt / byWorkers[1].ttt).toFixed(2)}×, 2048 ${(byWorkers[2].g2048 / byWorkers[1].g2048).toFixed(2)}× (goal ≥ 1.6× on 2 free cores)`,
);
console.log(`load average after ${load()}`);
