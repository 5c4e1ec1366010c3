// Event pipe throughput and latency, each beside a ceiling measured in the same run:
// 1. 1M realistic stats lines (20 items a side, from the demo factory) through a FIFO into the
//    EventCache, parsing included, beside the same bytes through the same kind of FIFO into
//    `cat > /dev/null`, and beside bare JSON.parse of the same lines in this process.
// 2. write -> subscriber latency at 30 lines/s from a writer that opens/writes/closes per line.
// 3. RSS growth over the 1M lines (cache at its default capacity of 10,000).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigSchema } from '../src/shared/config';
import type { PipeEvent } from '../src/shared/events';
import { DemoFactory } from '../src/main/demo/factory';
import { silentLogger } from '../src/main/log';
import { EventCache } from '../src/main/lib/cache';
import { PipeService } from '../src/main/pipe/service';

const TOTAL = Number(process.env.BENCH_LINES ?? 1_000_000);
const BLOCK = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'cr-bench-pipe-'));

// A block of realistic lines, written TOTAL/BLOCK times by the writer process.
const factory = new DemoFactory({ seed: 11, items: 20 });
factory.next();
const blockLines = Array.from({ length: BLOCK }, () => JSON.stringify(factory.next()));
const blockText = blockLines.join('\n') + '\n';
const blockFile = join(dir, 'block.jsonl');
writeFileSync(blockFile, blockText);
const repeats = Math.ceil(TOTAL / BLOCK);
const totalBytes = Buffer.byteLength(blockText) * repeats;

const WRITER = `const fs = require('fs'); const [path, blockFile, repeats] = process.argv.slice(1);
const block = fs.readFileSync(blockFile); const fd = fs.openSync(path, 'w');
for (let i = 0; i < Number(repeats); i++) fs.writeSync(fd, block); fs.closeSync(fd);`;

function writer(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const w = spawn(process.execPath, ['-e', WRITER, path, blockFile, String(repeats)], { stdio: 'inherit' });
    w.on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`writer exited ${c}`))));
  });
}

const mb = (b: number) => (b / 1e6).toFixed(0);
const gc = () => (globalThis as { gc?: () => void }).gc?.();

// Ceiling: the same bytes through a FIFO into cat.
const rawFifo = join(dir, 'raw.pipe');
execFileSync('mkfifo', [rawFifo]);
let t0 = performance.now();
const cat = spawn('sh', ['-c', `cat "${rawFifo}" > /dev/null`], { stdio: 'inherit' });
const catDone = new Promise((r) => cat.on('exit', r));
await writer(rawFifo);
await catDone;
const rawSeconds = (performance.now() - t0) / 1000;

// Bare JSON.parse of the same lines, in this process.
const parseLines = Math.min(TOTAL, 200_000);
t0 = performance.now();
for (let i = 0; i < parseLines; i++) JSON.parse(blockLines[i % BLOCK]);
const parseRate = parseLines / ((performance.now() - t0) / 1000);

// Ours: FIFO -> line splitter -> parser -> EventCache -> a subscriber.
gc();
const rssBefore = process.memoryUsage().rss;
const path = join(dir, 'events.pipe');
const cache = new EventCache<PipeEvent>(10_000, (e) => e.line);
const svc = new PipeService({
  path,
  config: ConfigSchema.parse({}).pipe,
  dataDir: join(dir, 'data'),
  cache,
  logger: silentLogger(),
  statusChanged() {},
  push() {},
});
await svc.start();
let seen = 0;
let finished: () => void = () => {};
const allSeen = new Promise<void>((r) => (finished = r));
const off = cache.subscribe(() => {
  if (++seen === repeats * BLOCK) finished();
});
t0 = performance.now();
const cpu0 = process.cpuUsage();
await writer(path);
await allSeen;
const ourSeconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const ourCpuShare = (cpu.user + cpu.system) / 1e6 / ourSeconds;
off();
gc();
const rssAfter = process.memoryUsage().rss;
const counters = svc.counters();

// Latency: a Factorio-like writer at 30 lines/s stamps each line with its send time.
const LAT_SAMPLES = 100;
const LAT_WRITER = `const fs = require('fs'); const [path, n] = process.argv.slice(1);
let i = 0; const t = setInterval(() => {
  const sent = performance.timeOrigin + performance.now();
  fs.appendFileSync(path, JSON.stringify({ type: 'stats', session_id: 'lat', cycle: ++i, tick: i * 120, sent_at: sent,
    products_production: { 'iron-plate': 1 }, materials_consumption: {} }) + '\\n');
  if (i >= Number(n)) clearInterval(t);
}, 1000 / 30);`;
const latencies: number[] = [];
const offLat = cache.subscribe((e) => {
  const m = /"sent_at":([0-9.]+)/.exec(e.line);
  if (m) latencies.push(performance.timeOrigin + performance.now() - Number(m[1]));
});
await new Promise<void>((resolve) =>
  spawn(process.execPath, ['-e', LAT_WRITER, path, String(LAT_SAMPLES)], { stdio: 'inherit' }).on('exit', () =>
    resolve(),
  ),
);
await new Promise((r) => setTimeout(r, 200));
offLat();
await svc.stop();

latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
const lines = repeats * BLOCK;
console.log(
  `event pipe, ${lines.toLocaleString()} stats lines of ~${Math.round(totalBytes / lines)} bytes (20 items a side), cache capacity 10,000`,
);
console.log(
  `  ours (FIFO -> parse -> cache -> subscriber): ${Math.round(lines / ourSeconds).toLocaleString()} lines/s, ${mb(totalBytes / ourSeconds)} MB/s`,
);
console.log(
  `  ceiling, same bytes FIFO -> cat > /dev/null: ${mb(totalBytes / rawSeconds)} MB/s (${Math.round(lines / rawSeconds).toLocaleString()} lines/s)   ratio ${(rawSeconds / ourSeconds).toFixed(2)}`,
);
console.log(
  `  ceiling, bare JSON.parse of the same lines:  ${Math.round(parseRate).toLocaleString()} lines/s   ratio ${(lines / ourSeconds / parseRate).toFixed(2)}`,
);
console.log(`  reader CPU while streaming: ${(ourCpuShare * 100).toFixed(0)}% of one core`);
console.log(
  `  accepted ${counters.accepted.toLocaleString()}, rejected ${counters.rejectedTotal}, evicted ${counters.evicted.toLocaleString()}`,
);
console.log(`  RSS ${mb(rssBefore)} MB before, ${mb(rssAfter)} MB after: growth ${mb(rssAfter - rssBefore)} MB`);
console.log(
  `  latency write -> subscriber at 30 lines/s (${latencies.length} samples, open/write/close per line): p50 ${pct(50).toFixed(2)} ms, p99 ${pct(99).toFixed(2)} ms`,
);
