// The engine cannot stall the process it lives in. This process plays the app: the engine server,
// the event pipe (file -> parser -> cache -> subscriber) and an HTTP /health answering the
// services' status, all on one event loop, as in headless mode. Clients are other processes
// (bench/engine-clients.ts). Each phase is measured beside the quiet phase of the same run:
//   A. quiet: sequential Step latency, pipe write -> subscriber latency at 30 lines/s, /health;
//   B. the same while another client runs BatchSimulate(2048, 65,536 envs);
//   C. abuse: 100 hang-RNG Steps (health check after each), 500 cancelled 65,536-env streams and 20
//      clients that never read, all at once; /health and the pipe throughout.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ConfigSchema } from '../src/shared/config';
import type { PipeEvent } from '../src/shared/events';
import { EngineServer } from '../src/main/engine/server';
import { silentLogger } from '../src/main/log';
import { EventCache } from '../src/main/lib/cache';
import { PipeService } from '../src/main/pipe/service';

const STEPS = Number(process.env.BENCH_STEPS ?? 2000);
/** Batch workers (default: the engine's own default) and their nice value (default: the engine's, 10). */
const WORKERS = process.env.BENCH_WORKERS ? Number(process.env.BENCH_WORKERS) : undefined;
const BATCH_NICE = process.env.BENCH_BATCH_NICE ? Number(process.env.BENCH_BATCH_NICE) : undefined;
const dir = mkdtempSync(join(tmpdir(), 'cr-bench-isolation-'));
const ms = (x: number | undefined) => (x === undefined ? '-' : `${x.toFixed(2)} ms`);
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const p = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { n: s.length, p50: p(0.5), p99: p(0.99), max: s.at(-1) };
};
type Sum = ReturnType<typeof summary>;
const line = (s: Sum) => `p50 ${ms(s.p50)}, p99 ${ms(s.p99)}, max ${ms(s.max)} (${s.n})`;
const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? `${(a / b).toFixed(2)}×` : '-');

// The "app": engine, pipe, /health on one loop.
const engine = new EngineServer({
  host: '127.0.0.1',
  port: 0,
  logger: silentLogger(),
  workers: WORKERS,
  batchNice: BATCH_NICE,
});
await engine.start();
const addr = engine.address;
const pipePath = join(dir, 'events.jsonl');
writeFileSync(pipePath, '');
const cache = new EventCache<PipeEvent>(10_000, (e) => e.line);
const pipe = new PipeService({
  path: pipePath,
  config: ConfigSchema.parse({}).pipe,
  dataDir: join(dir, 'data'),
  cache,
  logger: silentLogger(),
  statusChanged() {},
  push() {},
});
await pipe.start();
const http = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      engine: { streams: engine.activeStreams, calls: engine.metrics.totalCalls },
      pipe: pipe.status(),
    }),
  );
});
await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
const healthUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/health`;

function client(args: string[]): { proc: ChildProcess; out: Promise<string>; line(match: string): Promise<void> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'bench/engine-clients.ts', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  const waiters: [string, () => void][] = [];
  proc.stdout!.on('data', (d) => {
    text += d;
    for (const [m, f] of waiters) if (text.includes(m)) f();
  });
  return {
    proc,
    out: new Promise((resolve) => proc.on('exit', () => resolve(text.trim().split('\n').at(-1) ?? ''))),
    line: (m) => new Promise((resolve) => (text.includes(m) ? resolve() : waiters.push([m, resolve]))),
  };
}

/** Pipe latency: a writer process appends 30 stamped lines/s; the subscriber here times them. */
async function pipeLatency(lines: number): Promise<Sum> {
  const lat: number[] = [];
  const off = cache.subscribe((e) => {
    const m = /"sent_at":([0-9.]+)/.exec(e.line);
    if (m) lat.push(performance.timeOrigin + performance.now() - Number(m[1]));
  });
  const WRITER = `const fs = require('fs'); const [path, n] = process.argv.slice(1); let i = 0; const t = setInterval(() => {
    fs.appendFileSync(path, JSON.stringify({ type: 'stats', session_id: 'lat', cycle: ++i, tick: i * 120, sent_at: performance.timeOrigin + performance.now(), products_production: { 'iron-plate': 1 }, materials_consumption: {} }) + '\\n');
    if (i >= Number(n)) clearInterval(t); }, 1000 / 30);`;
  await new Promise<void>((resolve) =>
    spawn(process.execPath, ['-e', WRITER, pipePath, String(lines)], { stdio: 'inherit' }).on('exit', () => resolve()),
  );
  // The last line may still be in flight: wait for it (bounded).
  for (let i = 0; i < 100 && lat.length < lines; i++) await new Promise((r) => setTimeout(r, 20));
  off();
  return summary(lat);
}

/** /health polled back to back (20 ms apart) until `until` settles. */
async function healthDuring<T>(until: Promise<T>): Promise<[Sum, T]> {
  const lat: number[] = [];
  let done = false;
  const result = until.finally(() => (done = true));
  while (!done) {
    const t = performance.now();
    await (await fetch(healthUrl)).text();
    lat.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 20));
  }
  return [summary(lat), await result];
}

async function phase(): Promise<{ steps: Sum; pipe: Sum; health: Sum; loop: Sum }> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const steps = client(['steps', addr, String(STEPS)]);
  const [health, [stepOut, pipeSum]] = await healthDuring(Promise.all([steps.out, pipeLatency(90)]));
  h.disable();
  const loop = { n: h.count, p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
  return { steps: JSON.parse(stepOut) as Sum, pipe: pipeSum, health, loop };
}

console.log(
  `engine isolation: ${engine.workers} batch workers (nice ${BATCH_NICE ?? 10}) + 2 unary lanes; ${availableParallelism()} cores; load average before ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
const quiet = await phase();
const batch = client(['batch', addr]);
await batch.line('streaming');
const busy = await phase();
batch.proc.kill('SIGTERM');
await batch.out;

const abusers = [client(['hang', addr, '100']), client(['cancel', addr, '500']), client(['noread', addr, '20'])];
const [abuseHealth, [hang, cancel]] = await healthDuring(
  Promise.all([abusers[0].out, abusers[1].out, abusers[2].line('holding')]),
);
const abusePipe = await pipeLatency(60);
abusers[2].proc.kill('SIGTERM');
await abusers[2].out;

const row = (name: string, q: Sum, b: Sum) =>
  console.log(
    `  ${name}: quiet ${line(q)} | during BatchSimulate(2048, 65,536 envs) ${line(b)} | p99 ratio ${ratio(b.p99, q.p99)}, max ratio ${ratio(b.max, q.max)}`,
  );
row('Step, sequential client (goal p99 ≤ 5 ms, max ≤ 50 ms)', quiet.steps, busy.steps);
row('pipe write -> subscriber, 30 lines/s (goal p99 ≤ 5 ms)', quiet.pipe, busy.pipe);
row('/health (goal ≤ 100 ms)', quiet.health, busy.health);
row('event loop delay (monitorEventLoopDelay)', quiet.loop, busy.loop);
const h = JSON.parse(hang) as { answered: number; health: Sum };
console.log(
  `  abuse, all at once: hang-RNG Steps answered ${h.answered}/400 (4 directions × 100), grpc health after each ${line(h.health)} (goal ≤ 1 s); 500 cancelled streams ended ${cancel}; 20 clients never reading`,
);
console.log(
  `    /health throughout ${line(abuseHealth)} vs quiet ${line(quiet.health)}; pipe right after ${line(abusePipe)}; engine streams still held ${engine.admittedStreams}, ${(engine.heldStreamBytes / 2 ** 20).toFixed(0)} MiB; workers replaced ${JSON.stringify(Object.fromEntries(engine.metrics.workerRestarts))}`,
);
console.log(
  `  load average after ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
http.close();
await pipe.stop();
await engine.stop(500);
process.exit(0);
