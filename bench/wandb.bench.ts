// W&B delivery under load: 100 stats lines/s (50 items produced, 50 consumed) for 60 s through the
// app in headless mode to a local server speaking W&B's protocol. Prints lines delivered, requests
// per minute (aggregation) and the app process's CPU time, beside the same run with W&B off
// (pipe, cache and UI pushes only) as the ceiling: the difference is what W&B costs.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WandbTestServer } from '../src/main/wandb/test-server';

const RATE = 100;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const root = join(import.meta.dirname, '..');
// /proc/<pid>/stat counts CPU time in clock ticks (USER_HZ), 100 per second on Linux.
const TICKS_PER_S = 100;

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS_PER_S;
}

async function runOnce(wandb: boolean, server: WandbTestServer) {
  const dir = mkdtempSync(join(tmpdir(), 'cr-bench-wandb-'));
  const pipePath = join(dir, 'events.pipe');
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ web: { port: 0 }, pipe: { path: pipePath }, wandb: { enabled: wandb, baseUrl: server.url, apiKey: 'test-key' } }));
  const app = spawn(process.execPath, [join(root, 'out/main/headless.js'), '--config', join(dir, 'config.json'), '--data-dir', join(dir, 'data'), '--no-demo'], {
    env: { ...process.env, HOME: dir, CONTROL_ROOM_HOME: dir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => {
    let out = '';
    app.stdout.on('data', (d) => {
      out += d;
      if (out.includes('Control Room UI:')) resolve();
    });
  });
  const items = Array.from({ length: 50 }, (_, i) => `item-${i}`);
  const cpu0 = cpuSeconds(app.pid!);
  const requests0 = server.fileStreamRequests;
  appendFileSync(pipePath, JSON.stringify({ type: 'session_init', session_id: wandb ? 'bench-on' : 'bench-off', tick: 0, level_name: 'bench' }) + '\n');
  const t0 = performance.now();
  for (let c = 1; c <= RATE * SECONDS; c++) {
    const prod = Object.fromEntries(items.map((k, i) => [k, Math.round((100 + i + Math.sin(c / 10) * 20) * 100) / 100]));
    appendFileSync(pipePath, JSON.stringify({ type: 'stats', session_id: wandb ? 'bench-on' : 'bench-off', cycle: c, tick: c * 120, products_production: prod, materials_consumption: prod }) + '\n');
    const due = t0 + (c * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const cpuWhileStreaming = cpuSeconds(app.pid!) - cpu0;
  const elapsed = (performance.now() - t0) / 1000;
  app.kill('SIGTERM');
  await new Promise((r) => app.on('exit', r));
  return { cpuWhileStreaming, elapsed, requests: server.fileStreamRequests - requests0 };
}

const server = new WandbTestServer();
await server.start();
const off = await runOnce(false, server);
const on = await runOnce(true, server);
const run = [...server.runs.values()].find((r) => r.displayName.startsWith('bench-on'))!;
const steps = run.history.map((l) => JSON.parse(l)._step as number);
const inOrder = steps.every((s, i) => s === i + 1);
await server.stop();
const lines = RATE * SECONDS;
console.log(`W&B: ${RATE} stats lines/s (50 + 50 items) for ${SECONDS} s = ${lines} lines, flush every 5 s`);
console.log(`  delivered ${steps.length} of ${lines} lines${inOrder ? ', in order, no duplicates' : ' (ORDER OR DUPLICATES WRONG)'}, run complete: ${run.complete}`);
console.log(`  file_stream requests: ${on.requests} (${((on.requests / on.elapsed) * 60).toFixed(1)}/min, ${(lines / Math.max(1, on.requests)).toFixed(0)} lines per request)`);
console.log(`  app CPU while streaming: ${on.cpuWhileStreaming.toFixed(2)} s with W&B, ceiling ${off.cpuWhileStreaming.toFixed(2)} s with W&B off (ratio ${(on.cpuWhileStreaming / off.cpuWhileStreaming).toFixed(2)}); ${((on.cpuWhileStreaming / on.elapsed) * 100).toFixed(1)}% of one core`);
