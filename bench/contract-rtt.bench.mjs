// Round trip of one contract call (`status.get`) over headless mode's WebSocket, beside a bare `ws`
// echo server in its own process answering a reply of the same size, measured in the same run.
// The ratio is our transport's cost: JSON framing, method lookup, zod validation, the handler.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.BENCH_CALLS ?? 3000);
const WARMUP = 300;

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measure(ws, makeFrame) {
  const times = [];
  for (let i = 0; i < N + WARMUP; i++) {
    const t0 = process.hrtime.bigint();
    await new Promise((resolve) => {
      ws.once('message', resolve);
      ws.send(makeFrame(i));
    });
    if (i >= WARMUP) times.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return times.sort((a, b) => a - b);
}

function waitLine(proc, re) {
  return new Promise((resolve, reject) => {
    let buf = '';
    proc.stdout.on('data', (d) => {
      buf += d;
      const m = buf.match(re);
      if (m) resolve(m);
    });
    proc.on('exit', (c) => reject(new Error(`exited ${c}: ${buf}`)));
  });
}

const dir = mkdtempSync(join(tmpdir(), 'cr-bench-'));
writeFileSync(join(dir, 'config.json'), JSON.stringify({ web: { port: 0 } }));
const app = spawn(
  process.execPath,
  [join(root, 'out/main/headless.js'), '--config', join(dir, 'config.json'), '--data-dir', join(dir, 'data')],
  {
    env: { ...process.env, CONTROL_ROOM_HOME: dir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const [, url] = await waitLine(app, /Control Room UI: (\S+)/);
const u = new URL(url);
const ws = new WebSocket(`ws://${u.host}/ws`, { headers: { Authorization: `Bearer ${u.searchParams.get('token')}` } });
await new Promise((r) => ws.on('open', r));
const sample = await new Promise((resolve) => {
  ws.once('message', (d) => resolve(d.toString()));
  ws.send(JSON.stringify({ id: 1, method: 'status.get' }));
});
const ours = await measure(ws, (i) => JSON.stringify({ id: i + 2, method: 'status.get' }));
ws.close();
app.kill('SIGTERM');

// The ceiling: a bare ws server in another process answering each frame with a reply of equal size.
const echoSrc = `const { WebSocketServer } = require(${JSON.stringify(join(root, 'node_modules/ws'))});
const reply = 'x'.repeat(${sample.length});
const s = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => console.log('PORT ' + s.address().port));
s.on('connection', (c) => c.on('message', () => c.send(reply)));`;
const echo = spawn(process.execPath, ['-e', echoSrc], { stdio: ['ignore', 'pipe', 'inherit'] });
const [, port] = await waitLine(echo, /PORT (\d+)/);
const bare = new WebSocket(`ws://127.0.0.1:${port}`);
await new Promise((r) => bare.on('open', r));
const ceiling = await measure(bare, (i) => JSON.stringify({ id: i + 2, method: 'status.get' }));
bare.close();
echo.kill();

const fmt = (v) => `${v.toFixed(0)} µs`;
console.log(`contract call status.get over WebSocket, ${N} calls, reply ${sample.length} bytes`);
console.log(`  ours:    p50 ${fmt(pct(ours, 50))}  p99 ${fmt(pct(ours, 99))}`);
console.log(
  `  ceiling: p50 ${fmt(pct(ceiling, 50))}  p99 ${fmt(pct(ceiling, 99))}  (bare ws echo, same sizes, same run)`,
);
console.log(
  `  ratio p50 ${(pct(ours, 50) / pct(ceiling, 50)).toFixed(2)}x  p99 ${(pct(ours, 99) / pct(ceiling, 99)).toFixed(2)}x`,
);
